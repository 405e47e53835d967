package io.pouch.cli.format;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * How Go's text/template sees a value decoded from JSON into {@code map[string]interface{}}: whether it is
 * true in an {@code if}, how fmt prints it, and the key order of maps (sorted, as Go prints and ranges them).
 */
final class GoValues {
    private GoValues() {
    }

    /** Go's truth: false, 0, "", nil, a missing field and an empty array or map are false. */
    static boolean truth(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            return v.doubleValue() != 0;
        }
        if (v.isTextual()) {
            return !v.textValue().isEmpty();
        }
        return v.size() > 0;
    }

    /**
     * How Go's fmt prints the value: a missing field is {@code <no value>}, JSON null {@code <nil>}, objects
     * {@code map[k:v ...]} with sorted keys, arrays {@code [a b]}, whole floats without a fraction.
     */
    static String display(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "<no value>";
        }
        if (v.isNull()) {
            return "<nil>";
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isNumber()) {
            if (v.isIntegralNumber()) {
                return v.asText();
            }
            double d = v.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e21) {
                return Long.toString((long) d);
            }
            return Double.toString(d);
        }
        if (v.isArray()) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < v.size(); i++) {
                sb.append(i == 0 ? "" : " ").append(display(v.get(i)));
            }
            return sb.append(']').toString();
        }
        if (v.isObject()) {
            StringBuilder sb = new StringBuilder("map[");
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : sortedFields(v).entrySet()) {
                sb.append(first ? "" : " ").append(e.getKey()).append(':').append(display(e.getValue()));
                first = false;
            }
            return sb.append(']').toString();
        }
        return v.asText();
    }

    /** An object's fields in key order. */
    static Map<String, JsonNode> sortedFields(JsonNode v) {
        Map<String, JsonNode> sorted = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            sorted.put(e.getKey(), e.getValue());
        }
        return sorted;
    }
}
