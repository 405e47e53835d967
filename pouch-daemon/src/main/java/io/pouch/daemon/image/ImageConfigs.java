package io.pouch.daemon.image;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.daemon.image.ImageIndex.ConfigEntry;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads an OCI/Docker image config blob into what the index keeps of it: diff ids, chain ids, run settings. */
final class ImageConfigs {
    private ImageConfigs() {
    }

    static ConfigEntry parse(String id, byte[] bytes) {
        JsonNode n = ArchiveLoader.parse(bytes, "config " + id);
        if (!(n instanceof ObjectNode json)) {
            throw PouchException.invalidArgument("image config " + id + " is not a JSON object");
        }
        List<String> diffIds = ArchiveLoader.diffIds(bytes, id);
        JsonNode c = json.path("config");
        LocalImage.RunConfig run = new LocalImage.RunConfig(text(c, "User"), strings(c.path("Env")),
                strings(c.path("Entrypoint")), strings(c.path("Cmd")), text(c, "WorkingDir"),
                stringMap(c.path("Labels")), text(c, "StopSignal"), objectMap(c.path("ExposedPorts")),
                objectMap(c.path("Volumes")), healthcheck(c.path("Healthcheck")));
        return new ConfigEntry(id, json, diffIds, ChainIds.of(diffIds), run, parseTime(json.path("created").asText(null)),
                run.labels() == null ? Map.of() : run.labels());
    }

    /** An RFC 3339 time as image configs write it; the epoch when absent or unreadable. */
    static Instant parseTime(String s) {
        if (s == null) {
            return Instant.EPOCH;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e2) {
                return Instant.EPOCH;
            }
        }
    }

    /** The image's HEALTHCHECK, or null when it has none or it cannot be read. */
    private static ContainerConfig.HealthConfig healthcheck(JsonNode n) {
        if (!n.isObject()) {
            return null;
        }
        try {
            return Json.MAPPER.treeToValue(n, ContainerConfig.HealthConfig.class);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    private static List<String> strings(JsonNode n) {
        if (!n.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return Collections.unmodifiableList(out);
    }

    private static Map<String, String> stringMap(JsonNode n) {
        if (!n.isObject()) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, Object> objectMap(JsonNode n) {
        if (!n.isObject()) {
            return null;
        }
        return Collections.unmodifiableMap(Json.MAPPER.convertValue(n, new TypeReference<LinkedHashMap<String, Object>>() {
        }));
    }
}
