package io.pouch.daemon.cri.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A CNI network configuration list (the spec's "network configuration"): its name, version and the plugins run in
 * order. {@code raw} is the list as read, kept so that the result cache can store the very configuration a pod was
 * set up with. A single-plugin file (.conf/.json) becomes a one-plugin list, as libcni's ConfListFromConf does.
 */
record NetworkConfigList(String name, String cniVersion, boolean disableCheck, List<ObjectNode> plugins,
                         ObjectNode raw) {
    /** libcni's rule for network names and container ids: they become file names and iptables comments. */
    static final Pattern SAFE_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");
    /** Used when a configuration names no version: the spec's first version. */
    private static final String DEFAULT_VERSION = "0.1.0";

    NetworkConfigList {
        plugins = List.copyOf(plugins);
    }

    /** Parses a .conflist. Throws IllegalArgumentException saying what is wrong. */
    static NetworkConfigList parseList(byte[] bytes) {
        return fromList(object(bytes));
    }

    /** Parses a single-plugin .conf/.json into a one-plugin list. Throws IllegalArgumentException. */
    static NetworkConfigList parseSingle(byte[] bytes) {
        ObjectNode conf = object(bytes);
        if (conf.has("plugins")) {
            throw new IllegalArgumentException("a network configuration list in a single-plugin file (name it .conflist)");
        }
        ObjectNode list = Json.MAPPER.createObjectNode();
        if (conf.has("cniVersion")) {
            list.set("cniVersion", conf.get("cniVersion"));
        }
        list.set("name", conf.get("name"));
        list.putArray("plugins").add(conf);
        return fromList(list);
    }

    /** A list from its JSON object (also what the result cache stored). */
    static NetworkConfigList fromList(ObjectNode raw) {
        String name = text(raw, "name");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("no network name");
        }
        if (!SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid network name \"" + name
                    + "\" (letters, digits, '_', '.', '-', not starting with a punctuation mark)");
        }
        JsonNode v = raw.get("cniVersion");
        if (v != null && !v.isNull() && !v.isTextual()) {
            throw new IllegalArgumentException("cniVersion is not a string");
        }
        String version = v == null || v.isNull() || v.asText().isEmpty() ? DEFAULT_VERSION : v.asText();
        if (!version.matches("\\d+\\.\\d+\\.\\d+")) {
            throw new IllegalArgumentException("invalid cniVersion \"" + version + "\"");
        }
        JsonNode dc = raw.get("disableCheck");
        if (dc != null && !dc.isNull() && !dc.isBoolean()) {
            throw new IllegalArgumentException("disableCheck is not a boolean");
        }
        JsonNode ps = raw.get("plugins");
        if (!(ps instanceof ArrayNode array) || array.isEmpty()) {
            throw new IllegalArgumentException("no plugins in network \"" + name + "\"");
        }
        List<ObjectNode> plugins = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof ObjectNode p)) {
                throw new IllegalArgumentException("plugin " + i + " of network \"" + name + "\" is not an object");
            }
            checkType(text(p, "type"), "plugin " + i + " of network \"" + name + "\"");
            if (p.get("ipam") instanceof ObjectNode ipam && ipam.has("type")) {
                checkType(text(ipam, "type"), "the ipam of plugin " + i + " of network \"" + name + "\"");
            }
            plugins.add(p);
        }
        return new NetworkConfigList(name, version, dc != null && dc.asBoolean(), plugins, raw);
    }

    /** Every plugin binary the list runs: each plugin's type and, where it delegates addresses, its ipam type. */
    Set<String> binaries() {
        Set<String> out = new LinkedHashSet<>();
        for (ObjectNode p : plugins) {
            out.add(p.get("type").asText());
            if (p.get("ipam") instanceof ObjectNode ipam && ipam.hasNonNull("type")) {
                out.add(ipam.get("type").asText());
            }
        }
        return out;
    }

    String type(int plugin) {
        return plugins.get(plugin).get("type").asText();
    }

    /** Whether this list's version knows the CHECK command and prevResult on DEL (0.4.0 and later). */
    boolean atLeast040() {
        return compareVersions(cniVersion, "0.4.0") >= 0;
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < 3; i++) {
            int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static void checkType(String type, String what) {
        if (type == null || type.isEmpty()) {
            throw new IllegalArgumentException(what + " has no type");
        }
        // a type is a file name in the plugin directories, never a path
        if (type.contains("/") || type.equals(".") || type.equals("..")) {
            throw new IllegalArgumentException(what + " has an invalid type \"" + type + "\"");
        }
    }

    private static String text(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.isTextual() ? n.asText() : n.toString();
    }

    private static ObjectNode object(byte[] bytes) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage());
        }
        if (!(n instanceof ObjectNode o)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return o;
    }
}
