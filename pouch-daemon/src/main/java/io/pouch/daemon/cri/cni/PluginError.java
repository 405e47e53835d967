package io.pouch.daemon.cri.cni;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A plugin's failure as the spec has it report one: exit status not 0 and on stdout {@code {"code", "msg",
 * "details"}}. A plugin that printed something else (a crash, a shell error) is described by its stderr or stdout.
 */
record PluginError(int code, String msg, String details) {
    static PluginError parse(byte[] stdout, byte[] stderr, int exitStatus) {
        try {
            JsonNode n = Json.MAPPER.readTree(stdout);
            if (n != null && n.isObject() && (n.hasNonNull("msg") || n.hasNonNull("code"))) {
                return new PluginError(n.path("code").asInt(0), n.path("msg").asText(""),
                        n.path("details").asText(""));
            }
        } catch (IOException e) {
            // not the spec's error object: described by its output below
        }
        String err = new String(stderr, StandardCharsets.UTF_8).strip();
        String out = new String(stdout, StandardCharsets.UTF_8).strip();
        String text = !err.isEmpty() ? err : !out.isEmpty() ? out : "exit status " + exitStatus;
        return new PluginError(0, abbreviate(text), "");
    }

    /** "msg: details (code N)", the parts that are there. */
    String describe() {
        StringBuilder b = new StringBuilder(msg.isEmpty() ? "failed" : msg);
        if (!details.isEmpty() && !details.equals(msg)) {
            b.append(": ").append(details);
        }
        if (code != 0) {
            b.append(" (code ").append(code).append(')');
        }
        return b.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "...";
    }
}
