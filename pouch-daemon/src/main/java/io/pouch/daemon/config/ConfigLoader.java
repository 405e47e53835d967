package io.pouch.daemon.config;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges command-line flags with the JSON config file. A key given both ways is an error that names the key
 * (Pouch and dockerd both refuse to guess which one the operator meant).
 */
public final class ConfigLoader {
    /** The file keys we understand; anything else in the file is an error, not silently ignored. */
    static final Set<String> KEYS = Set.of("home-dir", "exec-root", "listen", "containerd", "containerd-path",
            "default-namespace", "debug", "log-driver", "log-opts", "default-runtime", "bridge-name", "pidfile", "bip",
            // registry client (issue 4)
            "default-registry", "registry-mirrors", "insecure-registries", "registry-certs-dir", "image-proxy",
            "default-registry-namespace");

    private ConfigLoader() {
    }

    /**
     * @param flags only the flags the user actually gave, keyed like the file
     * @param file  the config file; a missing file is fine, a malformed one is an error
     */
    public static DaemonConfig load(Map<String, Object> flags, Path file) {
        Map<String, Object> fromFile = readFile(file);
        Map<String, Object> merged = new HashMap<>(fromFile);
        for (Map.Entry<String, Object> e : flags.entrySet()) {
            if (fromFile.containsKey(e.getKey())) {
                throw PouchException.invalidArgument("the following directives are specified both as a flag and in the"
                        + " configuration file " + file + ": " + e.getKey());
            }
            merged.put(e.getKey(), e.getValue());
        }
        return build(merged);
    }

    static Map<String, Object> readFile(Path file) {
        if (file == null || !Files.exists(file)) {
            return Map.of();
        }
        Map<String, Object> map;
        try {
            map = Json.MAPPER.readValue(file.toFile(), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            throw PouchException.invalidArgument("cannot read configuration file " + file + ": " + e.getMessage());
        }
        for (String key : map.keySet()) {
            if (!KEYS.contains(key)) {
                throw PouchException.invalidArgument("unknown key \"" + key + "\" in configuration file " + file
                        + "; known keys: " + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        return map;
    }

    @SuppressWarnings("unchecked")
    static DaemonConfig build(Map<String, Object> m) {
        Object listen = m.getOrDefault("listen", List.of("unix:///var/run/pouchd.sock"));
        List<String> listenList = listen instanceof List<?> l ? (List<String>) l : List.of(listen.toString());
        Map<String, String> logOpts = (Map<String, String>) m.getOrDefault("log-opts", Map.of());
        return new DaemonConfig(
                Path.of(str(m, "home-dir", "/var/lib/pouch")),
                Path.of(str(m, "exec-root", "/var/run/pouch")),
                List.copyOf(listenList),
                str(m, "containerd", null),
                str(m, "containerd-path", "containerd"),
                str(m, "default-namespace", "pouch"),
                Boolean.parseBoolean(String.valueOf(m.getOrDefault("debug", "false"))),
                str(m, "log-driver", "json-file"),
                Map.copyOf(logOpts),
                str(m, "default-runtime", "runc"),
                str(m, "bridge-name", "p0"),
                str(m, "pidfile", "/var/run/pouch.pid"),
                str(m, "bip", DaemonConfig.DEFAULT_BIP));
    }

    // ---- registry client settings (issue 4) ----

    /** The registry settings from the same flags and file as {@link #load}; call after it (it validated both). */
    public static RegistryConfig loadRegistry(Map<String, Object> flags, Path file) {
        Map<String, Object> m = new HashMap<>(readFile(file));
        m.putAll(flags);
        RegistryConfig d = RegistryConfig.defaults();
        return new RegistryConfig(str(m, "default-registry", d.defaultRegistry()), strings(m.get("registry-mirrors")),
                strings(m.get("insecure-registries")), Path.of(str(m, "registry-certs-dir", d.certsDir().toString())),
                str(m, "image-proxy", null), str(m, "default-registry-namespace", d.defaultNamespace()));
    }

    private static List<String> strings(Object v) {
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return List.of(v.toString().split(","));
    }

    private static String str(Map<String, Object> m, String key, String def) {
        Object v = m.get(key);
        return v == null ? def : v.toString();
    }
}
