package io.pouch.daemon.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code filters} query parameter. Clients send two encodings: the docker CLI's map form
 * {@code {"name":{"x":true}}} and docker-java's array form {@code {"label":["k=v"]}}; both mean the same.
 */
public record Filters(Map<String, List<String>> values) {
    public static final Filters NONE = new Filters(Map.of());

    public static Filters parse(String json) {
        if (json == null || json.isBlank()) {
            return NONE;
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw PouchException.invalidArgument("invalid filters: " + e.getOriginalMessage());
        }
        if (!root.isObject()) {
            throw PouchException.invalidArgument("invalid filters: expected a JSON object, got " + json);
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            List<String> vals = new ArrayList<>();
            JsonNode v = e.getValue();
            if (v.isArray()) {
                v.forEach(x -> vals.add(x.asText()));
            } else if (v.isObject()) {
                v.fields().forEachRemaining(x -> {
                    if (x.getValue().asBoolean(true)) {
                        vals.add(x.getKey());
                    }
                });
            } else {
                vals.add(v.asText());
            }
            out.put(e.getKey(), List.copyOf(vals));
        }
        return new Filters(Map.copyOf(out));
    }

    /** Refuses keys the endpoint does not know, with dockerd's wording. */
    public Filters validate(Set<String> allowed) {
        for (String k : values.keySet()) {
            if (!allowed.contains(k)) {
                throw PouchException.invalidArgument("invalid filter '" + k + "'");
            }
        }
        return this;
    }

    /**
     * A boolean filter as dockerd reads one: {@code true} or {@code 1}, {@code false} or {@code 0} (any case); empty
     * when absent. Any other value, or both true and false, is a 400 naming the filter: a value that is not
     * understood must never widen what the request acts on (an image prune with {@code dangling=yes} would
     * otherwise take tagged images too).
     */
    public Optional<Boolean> bool(String key) {
        if (!has(key)) {
            return Optional.empty();
        }
        boolean isTrue = false;
        boolean isFalse = false;
        for (String v : get(key)) {
            if (v.equalsIgnoreCase("true") || v.equals("1")) {
                isTrue = true;
            } else if (v.equalsIgnoreCase("false") || v.equals("0")) {
                isFalse = true;
            } else {
                throw PouchException.invalidArgument("Invalid filter '" + key + "=" + v + "'");
            }
        }
        if (isTrue == isFalse) {
            throw PouchException.invalidArgument("Invalid filter '" + key + "=" + String.join(",", get(key)) + "'");
        }
        return Optional.of(isTrue);
    }

    public boolean has(String key) {
        return values.containsKey(key) && !values.get(key).isEmpty();
    }

    public List<String> get(String key) {
        return values.getOrDefault(key, List.of());
    }

    /** True when no value is given for {@code key} or one of them equals {@code candidate}. */
    public boolean matchesExact(String key, String candidate) {
        return !has(key) || get(key).contains(candidate);
    }

    /**
     * {@code label} filters: each value is {@code key} (present) or {@code key=value}; all must hold
     * (dockerd ANDs label filters).
     */
    public boolean matchesLabels(String key, Map<String, String> labels) {
        for (String f : get(key)) {
            int eq = f.indexOf('=');
            if (eq < 0) {
                if (labels == null || !labels.containsKey(f)) {
                    return false;
                }
            } else if (labels == null || !f.substring(eq + 1).equals(labels.get(f.substring(0, eq)))) {
                return false;
            }
        }
        return true;
    }
}
