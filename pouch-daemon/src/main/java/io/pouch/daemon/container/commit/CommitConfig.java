package io.pouch.daemon.container.commit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.daemon.image.Changes;

import java.time.Instant;
import java.util.List;

/** The image config of a committed container, built as {@code docker commit} builds it. */
final class CommitConfig {
    /** The run-config keys an image keeps from the container's config (as docker commit). */
    static final List<String> KEPT = List.of("User", "ExposedPorts", "Env", "Cmd", "Healthcheck",
            "ArgsEscaped", "Volumes", "WorkingDir", "Entrypoint", "OnBuild", "Labels", "StopSignal", "Shell");

    private CommitConfig() {
    }

    /**
     * The new image's run config: the kept keys of the container's config ({@code container}, as JSON), overridden by
     * those of {@code override} (a container config in the request body, or null), then {@code changes} applied.
     */
    static ObjectNode runConfig(JsonNode container, JsonNode override, List<String> changes) {
        ObjectNode run = Json.MAPPER.createObjectNode();
        for (String k : KEPT) {
            if (container.has(k) && !container.get(k).isNull()) {
                run.set(k, container.get(k));
            }
        }
        if (override != null && override.isObject()) {
            override.fields().forEachRemaining(e -> {
                if (KEPT.contains(e.getKey()) && !e.getValue().isNull()) {
                    run.set(e.getKey(), e.getValue());
                }
            });
        }
        Changes.apply(changes.stream().filter(c -> !c.isBlank()).toList(), run);
        return run;
    }

    /**
     * Turns {@code parent} (a copy of the parent image's config) into the committed image's: {@code run} as its
     * config, made {@code now} from {@code containerId}, with the new layer's {@code diffId} and a history entry
     * for it ({@code createdBy}: the container's command line).
     */
    static ObjectNode imageConfig(ObjectNode parent, ObjectNode run, String containerId, String diffId, String author,
                                  String comment, String createdBy, Instant now) {
        String created = now.toString();
        parent.set("config", run);
        parent.put("created", created);
        parent.put("container", containerId);
        if (author != null && !author.isEmpty()) {
            parent.put("author", author);
        }
        if (comment != null && !comment.isEmpty()) {
            parent.put("comment", comment);
        }
        ObjectNode rootfs = parent.with("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.withArray("diff_ids");
        ids.add(diffId);
        ObjectNode h = parent.withArray("history").addObject();
        h.put("created", created);
        if (author != null && !author.isEmpty()) {
            h.put("author", author);
        }
        h.put("created_by", createdBy);
        if (comment != null && !comment.isEmpty()) {
            h.put("comment", comment);
        }
        return parent;
    }
}
