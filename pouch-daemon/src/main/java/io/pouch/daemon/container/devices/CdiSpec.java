package io.pouch.daemon.container.devices;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One Container Device Interface spec file (JSON): the devices of one kind ({@code vendor.example/dev}), each with
 * the edits that give a container the device, and edits every device of the file needs. Parsed with Jackson;
 * fields this engine does not know are ignored.
 */
public record CdiSpec(String kind, Map<String, Edits> devices, Edits common) {
    /** CDI's kind: a vendor (a domain name) and a class, {@code nvidia.com/gpu}. */
    private static final Pattern KIND = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9]?/[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]*");

    /**
     * CDI's {@code containerEdits}: environment variables, device nodes, mounts and OCI hooks (each node and mount as
     * the file has it: {@code path, hostPath, type, major, minor, fileMode, permissions, uid, gid};
     * {@code hostPath, containerPath, type, options}; {@code hookName, path, args, env, timeout}).
     */
    public record Edits(List<String> env, List<JsonNode> deviceNodes, List<JsonNode> mounts, List<JsonNode> hooks) {
        static final Edits NONE = new Edits(List.of(), List.of(), List.of(), List.of());

        static Edits of(JsonNode n) {
            if (n == null || !n.isObject()) {
                return NONE;
            }
            List<String> env = new ArrayList<>();
            n.path("env").forEach(e -> env.add(e.asText()));
            return new Edits(List.copyOf(env), items(n.path("deviceNodes")), items(n.path("mounts")),
                    items(n.path("hooks")));
        }

        private static List<JsonNode> items(JsonNode a) {
            List<JsonNode> out = new ArrayList<>();
            a.forEach(out::add);
            return List.copyOf(out);
        }
    }

    /** Parses a spec file's text; a file that is not a CDI spec is an IllegalArgumentException naming why. */
    public static CdiSpec parse(String json) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (root.path("cdiVersion").asText().isEmpty()) {
            throw new IllegalArgumentException("no cdiVersion");
        }
        String kind = root.path("kind").asText();
        if (!KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("invalid kind \"" + kind + "\"");
        }
        Map<String, Edits> devices = new LinkedHashMap<>();
        for (JsonNode d : root.path("devices")) {
            String name = d.path("name").asText();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("invalid device name \"" + name + "\"");
            }
            devices.put(name, Edits.of(d.path("containerEdits")));
        }
        return new CdiSpec(kind, Map.copyOf(devices), Edits.of(root.path("containerEdits")));
    }

    /** Whether {@code s} is a fully qualified CDI device name, {@code vendor.example/dev=null}. */
    public static boolean isQualified(String s) {
        int eq = s == null ? -1 : s.indexOf('=');
        return eq > 0 && KIND.matcher(s.substring(0, eq)).matches() && NAME.matcher(s.substring(eq + 1)).matches();
    }
}
