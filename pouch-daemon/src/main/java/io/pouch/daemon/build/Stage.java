package io.pouch.daemon.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One build stage while it is built: the image it has reached (null while it is still {@code FROM scratch} with no
 * layer), that image's config being edited, and the ARGs declared in it.
 */
final class Stage {
    static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");

    final String name;
    final int index;
    String imageId;
    ObjectNode image;
    /** A CMD was given in this stage (an ENTRYPOINT then keeps it, else ENTRYPOINT resets Cmd as Docker does). */
    boolean cmdSet;
    final Map<String, String> args = new LinkedHashMap<>();

    Stage(String name, int index, String imageId, ObjectNode image) {
        this.name = name;
        this.index = index;
        this.imageId = imageId;
        this.image = image;
    }

    /** The run config ({@code config}) of the image config, made when missing. */
    ObjectNode run() {
        JsonNode c = image.get("config");
        if (c == null || !c.isObject()) {
            return image.putObject("config");
        }
        return (ObjectNode) c;
    }

    List<String> env() {
        List<String> out = new ArrayList<>();
        run().path("Env").forEach(n -> out.add(n.asText()));
        return out;
    }

    String envValue(String name) {
        for (String kv : env()) {
            if (kv.startsWith(name + "=")) {
                return kv.substring(name.length() + 1);
            }
        }
        return null;
    }

    void setEnv(String name, String value) {
        ArrayNode env = run().has("Env") && run().get("Env").isArray() ? (ArrayNode) run().get("Env")
                : run().putArray("Env");
        for (int i = 0; i < env.size(); i++) {
            if (env.get(i).asText().startsWith(name + "=")) {
                env.set(i, Json.MAPPER.getNodeFactory().textNode(name + "=" + value));
                return;
            }
        }
        env.add(name + "=" + value);
    }

    /** What {@code $name} means in this stage: its ENV, else its ARG (an ENV wins over an ARG of the same name). */
    String variable(String name) {
        String v = envValue(name);
        return v != null ? v : args.get(name);
    }

    List<String> shell() {
        JsonNode s = run().get("Shell");
        if (s == null || !s.isArray() || s.isEmpty()) {
            return DEFAULT_SHELL;
        }
        List<String> out = new ArrayList<>();
        s.forEach(n -> out.add(n.asText()));
        return out;
    }

    String workdir() {
        String w = run().path("WorkingDir").asText("");
        return w.isEmpty() ? "/" : w;
    }

    /**
     * Docker's predefined build args: given with {@code --build-arg}, a RUN sees them without an ARG line, and they
     * stay out of the image's history and the cache key unless the Dockerfile declares them (a proxy address is the
     * builder's host's business, not the image's).
     */
    static final java.util.Set<String> PREDEFINED_ARGS = java.util.Set.of("HTTP_PROXY", "http_proxy",
            "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");

    /** The predefined args of {@code given} that this stage does not declare and no ENV sets: RUN's extras. */
    Map<String, String> undeclaredPredefined(Map<String, String> given) {
        Map<String, String> out = new LinkedHashMap<>();
        given.forEach((k, v) -> {
            if (v != null && PREDEFINED_ARGS.contains(k) && !args.containsKey(k) && envValue(k) == null) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The build args a RUN sees in its environment: the declared ARGs with a value no ENV overrides. */
    Map<String, String> runArgs() {
        Map<String, String> out = new LinkedHashMap<>();
        args.forEach((k, v) -> {
            if (v != null && envValue(k) == null) {
                out.put(k, v);
            }
        });
        return out;
    }
}
