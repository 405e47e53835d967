package io.pouch.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Small helpers to build query maps (null values are skipped by the client) and docker's filter JSON. */
public final class Query {
    private Query() {
    }

    public static Map<String, Object> of(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /**
     * {@code -f key=value} flags in the map form the docker CLI sends: {@code {"key":{"value":true}}}; null when
     * there are none.
     */
    public static String filters(List<String> flags) {
        if (flags == null || flags.isEmpty()) {
            return null;
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        for (String f : flags) {
            int eq = f.indexOf('=');
            if (eq <= 0) {
                throw new CliException("bad format of filter (expected name=value)");
            }
            String key = f.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = f.substring(eq + 1).strip();
            ObjectNode values = root.has(key) ? (ObjectNode) root.get(key) : root.putObject(key);
            values.put(value, true);
        }
        return root.toString();
    }
}
