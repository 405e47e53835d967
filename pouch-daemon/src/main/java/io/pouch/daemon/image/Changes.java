package io.pouch.daemon.image;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code changes} of {@code docker import -c}: Dockerfile instructions applied to the image config, with
 * Dockerfile semantics (JSON form or shell form for CMD/ENTRYPOINT, {@code ENV k=v}/{@code ENV k v}, ...).
 * dockerd accepts CMD, ENTRYPOINT, ENV, EXPOSE, ONBUILD, USER, VOLUME, WORKDIR, LABEL, STOPSIGNAL here.
 */
public final class Changes {
    private static final Set<String> ALLOWED = Set.of("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "ONBUILD", "USER",
            "VOLUME", "WORKDIR", "LABEL", "STOPSIGNAL");

    private Changes() {
    }

    /** Applies each instruction to the {@code config} object of an image config (Docker's capitalised keys). */
    public static void apply(List<String> changes, ObjectNode config) {
        for (String change : changes) {
            if (change == null || change.isBlank()) {
                continue;
            }
            String line = change.strip();
            int sp = indexOfSpace(line);
            String cmd = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
            String arg = sp < 0 ? "" : line.substring(sp).strip();
            if (!ALLOWED.contains(cmd)) {
                throw PouchException.invalidArgument(cmd + " is not a valid change command");
            }
            switch (cmd) {
                case "CMD" -> config.set("Cmd", strings(command(arg, cmd)));
                case "ENTRYPOINT" -> config.set("Entrypoint", strings(command(arg, cmd)));
                case "ENV" -> {
                    ArrayNode env = config.has("Env") && config.get("Env").isArray()
                            ? (ArrayNode) config.get("Env") : config.putArray("Env");
                    for (String kv : keyValues(arg, cmd)) {
                        String key = kv.substring(0, kv.indexOf('='));
                        for (int i = env.size() - 1; i >= 0; i--) {
                            if (env.get(i).asText().startsWith(key + "=")) {
                                env.remove(i);
                            }
                        }
                        env.add(kv);
                    }
                }
                case "LABEL" -> {
                    ObjectNode labels = config.has("Labels") && config.get("Labels").isObject()
                            ? (ObjectNode) config.get("Labels") : config.putObject("Labels");
                    for (String kv : keyValues(arg, cmd)) {
                        int eq = kv.indexOf('=');
                        labels.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
                case "EXPOSE" -> {
                    ObjectNode ports = config.has("ExposedPorts") && config.get("ExposedPorts").isObject()
                            ? (ObjectNode) config.get("ExposedPorts") : config.putObject("ExposedPorts");
                    for (String p : words(arg, cmd)) {
                        ports.putObject(p.contains("/") ? p.toLowerCase(Locale.ROOT) : p + "/tcp");
                    }
                }
                case "VOLUME" -> {
                    ObjectNode vols = config.has("Volumes") && config.get("Volumes").isObject()
                            ? (ObjectNode) config.get("Volumes") : config.putObject("Volumes");
                    List<String> list = arg.startsWith("[") ? jsonArray(arg, cmd) : words(arg, cmd);
                    list.forEach(vols::putObject);
                }
                case "ONBUILD" -> {
                    ArrayNode onbuild = config.has("OnBuild") && config.get("OnBuild").isArray()
                            ? (ArrayNode) config.get("OnBuild") : config.putArray("OnBuild");
                    onbuild.add(required(arg, cmd));
                }
                case "USER" -> config.put("User", required(arg, cmd));
                case "WORKDIR" -> config.put("WorkingDir", required(arg, cmd));
                case "STOPSIGNAL" -> config.put("StopSignal", required(arg, cmd));
                default -> throw new IllegalStateException(cmd);
            }
        }
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String required(String arg, String cmd) {
        if (arg.isEmpty()) {
            throw PouchException.invalidArgument(cmd + " requires exactly one argument");
        }
        return arg;
    }

    /** JSON form {@code ["sh","-c","x"]} as is; shell form wrapped in {@code /bin/sh -c}, as a Dockerfile does. */
    private static List<String> command(String arg, String cmd) {
        if (arg.startsWith("[")) {
            return jsonArray(arg, cmd);
        }
        return List.of("/bin/sh", "-c", required(arg, cmd));
    }

    private static List<String> jsonArray(String arg, String cmd) {
        try {
            return Json.MAPPER.readValue(arg, new TypeReference<List<String>>() {
            });
        } catch (Exception e) {
            throw PouchException.invalidArgument(cmd + ": not a JSON array of strings: " + arg);
        }
    }

    private static List<String> words(String arg, String cmd) {
        List<String> out = new ArrayList<>();
        for (String w : required(arg, cmd).split("\\s+")) {
            out.add(w);
        }
        return out;
    }

    /**
     * {@code k=v k2="v 2"} (several pairs, double quotes group) or the legacy single pair {@code k v...}.
     */
    static List<String> keyValues(String arg, String cmd) {
        required(arg, cmd);
        int firstSpace = indexOfSpace(arg);
        String firstWord = firstSpace < 0 ? arg : arg.substring(0, firstSpace);
        if (!firstWord.contains("=")) {
            if (firstSpace < 0) {
                throw PouchException.invalidArgument(cmd + " names can not be blank and need a value: " + arg);
            }
            return List.of(firstWord + "=" + arg.substring(firstSpace).strip());
        }
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inQuotes = false;
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '\\' && i + 1 < arg.length()) {
                cur.append(arg.charAt(++i));
            } else if (c == '"') {
                inQuotes = !inQuotes;
            } else if (Character.isWhitespace(c) && !inQuotes) {
                if (!cur.isEmpty()) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        if (inQuotes) {
            throw PouchException.invalidArgument(cmd + ": unmatched quote in " + arg);
        }
        if (!cur.isEmpty()) {
            out.add(cur.toString());
        }
        for (String kv : out) {
            if (kv.indexOf('=') <= 0) {
                throw PouchException.invalidArgument(cmd + " names can not be blank and need a value: " + kv);
            }
        }
        return out;
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        values.forEach(a::add);
        return a;
    }
}
