package io.pouch.daemon.runtime;

import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.RuncOptions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The runtimes the operator adds: Pouch's {@code --add-runtime name=path} (repeatable) and the config file's
 * {@code "add-runtime"} map, {@code name -> {"path": ..., "runtimeArgs": [...], "type": ..., "options": {...}}}
 * (dockerd's {@code "runtimes"} shape; {@code runtimeType} is taken as dockerd's spelling of {@code type}). The
 * options are the runc shim's, by dockerd's names. Everything else is refused with the name of what is wrong.
 */
public final class AddedRuntimes {
    /** The runtime shim the engine drives; the only {@code type} a runtime may name. */
    public static final String RUNC_SHIM = "io.containerd.runc.v2";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Set<String> ENTRY_KEYS = Set.of("path", "runtimeArgs", "type", "runtimeType", "options");
    private static final List<String> OPTION_KEYS = List.of("BinaryName", "Root", "NoPivotRoot", "NoNewKeyring",
            "ShimCgroup", "IoUid", "IoGid", "SystemdCgroup");

    private AddedRuntimes() {
    }

    /**
     * @param flags     the values of {@code --add-runtime}, each {@code name=path}
     * @param fileValue the config file's {@code "add-runtime"} value (null: none)
     * @return by name, in the order given (flags first)
     */
    public static Map<String, OciRuntime> parse(List<String> flags, Object fileValue) {
        Map<String, OciRuntime> out = new LinkedHashMap<>();
        for (String flag : flags == null ? List.<String>of() : flags) {
            String[] kv = flag.split("=", -1);
            if (kv.length != 2 || kv[0].isEmpty() || kv[1].isEmpty()) {
                throw PouchException.invalidArgument("invalid runtime " + flag + ", correct format must be runtime=path");
            }
            String name = name(kv[0]);
            if (out.containsKey(name)) {
                throw PouchException.invalidArgument("runtime " + name + " already registers to daemon");
            }
            out.put(name, new OciRuntime(name, kv[1], List.of(), RuncOptions.binary(kv[1])));
        }
        if (fileValue == null) {
            return out;
        }
        if (!(fileValue instanceof Map<?, ?> map)) {
            throw PouchException.invalidArgument("\"add-runtime\" must be an object: name -> {\"path\": ...,"
                    + " \"runtimeArgs\": [...]}");
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = name(String.valueOf(e.getKey()));
            if (out.containsKey(name)) {
                throw PouchException.invalidArgument("runtime " + name + " is given both by --add-runtime and in the"
                        + " configuration file's \"add-runtime\"");
            }
            out.put(name, entry(name, e.getValue()));
        }
        return out;
    }

    private static String name(String name) {
        if (!NAME.matcher(name).matches()) {
            throw PouchException.invalidArgument("invalid runtime name \"" + name + "\": letters, digits, '_', '.'"
                    + " and '-', starting with a letter or digit");
        }
        return name;
    }

    private static OciRuntime entry(String name, Object value) {
        String where = "add-runtime \"" + name + "\"";
        if (!(value instanceof Map<?, ?> m)) {
            throw PouchException.invalidArgument(where + " must be an object with \"path\" and \"runtimeArgs\"");
        }
        for (Object key : m.keySet()) {
            if (!ENTRY_KEYS.contains(String.valueOf(key))) {
                throw PouchException.invalidArgument("unknown key \"" + key + "\" in " + where + "; known keys: "
                        + String.join(", ", ENTRY_KEYS.stream().sorted().toList()));
            }
        }
        for (String typeKey : List.of("type", "runtimeType")) {
            Object type = m.get(typeKey);
            if (type != null && !type.toString().isEmpty() && !type.toString().equals(RUNC_SHIM)) {
                throw PouchException.invalidArgument(where + ": " + typeKey + " " + type + " is not available; every"
                        + " runtime runs under containerd's runc shim (" + RUNC_SHIM + ")");
            }
        }
        List<String> args = strings(m.get("runtimeArgs"), where + ": runtimeArgs");
        RuncOptions options = options(m.get("options"), where);
        String path = string(m.get("path"), where + ": path");
        if (path != null && !path.isEmpty() && options.binaryName() != null) {
            throw PouchException.invalidArgument(where + ": give the binary as \"path\" or as options.BinaryName,"
                    + " not both");
        }
        if (path == null || path.isEmpty()) {
            path = options.binaryName() != null ? options.binaryName() : name; // Pouch: the name itself, on PATH
        }
        return new OciRuntime(name, path, args, options.withBinaryName(path));
    }

    private static RuncOptions options(Object value, String where) {
        if (value == null) {
            return RuncOptions.binary(null);
        }
        if (!(value instanceof Map<?, ?> m)) {
            throw PouchException.invalidArgument(where + ": options must be an object of the runc shim's options ("
                    + String.join(", ", OPTION_KEYS) + ")");
        }
        for (Object key : m.keySet()) {
            if (!OPTION_KEYS.contains(String.valueOf(key))) {
                throw PouchException.invalidArgument(where + ": unknown option \"" + key + "\"; the runc shim options"
                        + " here: " + String.join(", ", OPTION_KEYS));
            }
        }
        if (bool(m.get("SystemdCgroup"), where + ": options.SystemdCgroup")) {
            throw PouchException.invalidArgument(where + ": options.SystemdCgroup true is not supported: this engine"
                    + " places containers with the cgroupfs driver only");
        }
        String binary = string(m.get("BinaryName"), where + ": options.BinaryName");
        return new RuncOptions(binary == null || binary.isEmpty() ? null : binary,
                emptyToNull(string(m.get("Root"), where + ": options.Root")),
                bool(m.get("NoPivotRoot"), where + ": options.NoPivotRoot"),
                bool(m.get("NoNewKeyring"), where + ": options.NoNewKeyring"),
                emptyToNull(string(m.get("ShimCgroup"), where + ": options.ShimCgroup")),
                id(m.get("IoUid"), where + ": options.IoUid"), id(m.get("IoGid"), where + ": options.IoGid"));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String string(Object v, String what) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw PouchException.invalidArgument(what + " must be a string");
        }
        return s;
    }

    private static boolean bool(Object v, String what) {
        if (v == null) {
            return false;
        }
        if (!(v instanceof Boolean b)) {
            throw PouchException.invalidArgument(what + " must be true or false");
        }
        return b;
    }

    private static int id(Object v, String what) {
        if (v == null) {
            return 0;
        }
        if (!(v instanceof Integer i) || i < 0) {
            throw PouchException.invalidArgument(what + " must be a user or group number");
        }
        return i;
    }

    private static List<String> strings(Object v, String what) {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l) || l.stream().anyMatch(x -> !(x instanceof String))) {
            throw PouchException.invalidArgument(what + " must be a list of strings");
        }
        return l.stream().map(String.class::cast).toList();
    }
}
