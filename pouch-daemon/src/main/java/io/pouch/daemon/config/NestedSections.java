package io.pouch.daemon.config;

import io.pouch.api.PouchException;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pouch's nested objects of config.json ({@code network-config} with its {@code bridge-config},
 * {@code cri-config}, {@code volume-config}, {@code default-log-config}, and Pouch 1.3.0's
 * {@code registry-service}) turned into the flat keys the loaders read, the same keys the flags have. A nested
 * value and the flat key it maps to given together in one file is an error naming both, as a key given both as a
 * flag and in the file is. {@code TLS} stays an object: {@link ConfigLoader#loadTls} reads it.
 */
final class NestedSections {
    /** A section: its nested keys, each mapped to a flat key or to a sub-section. */
    private record Section(String name, Map<String, Object> keys) {
    }

    private static final Section BRIDGE = new Section("network-config.bridge-config", ordered(
            "disable-bridge", "disable-bridge",
            "bridge-name", "bridge-name",
            "bip", "bip",
            "fixed-cidr", "fixed-cidr",
            "default-gateway", "default-gateway",
            "enable-ipv6", "enable-ipv6",
            "fixed-cidr-v6", "fixed-cidr-v6",
            "default-gateway-v6", "default-gateway-v6",
            "preferred-ip", "preferred-ip",
            "mtu", "mtu",
            "icc", "icc",
            "iptables", "iptables",
            "ipforward", "ipforward",
            "ipmasq", "ipmasq",
            "userland-proxy", "userland-proxy"));

    private static final Map<String, Section> SECTIONS = Map.of(
            "network-config", new Section("network-config", ordered(
                    "meta-path", "network-meta-path",
                    "exec-root-dir", "exec-root-dir",
                    "dns", "dns",
                    "dns-options", "dns-options",
                    "dns-search", "dns-search",
                    "bridge-config", BRIDGE)),
            "cri-config", new Section("cri-config", ordered(
                    "listen", "listen-cri",
                    "network-plugin-bin-dir", "cni-bin-dir",
                    "network-plugin-conf-dir", "cni-conf-dir",
                    "sandbox-image", "sandbox-image",
                    "cri-version", "cri-version",
                    "stream-server-port", "stream-server-port",
                    "stream-server-reuse-port", "stream-server-reuse-port",
                    "cri-stats-collect-period", "cri-stats-collect-period",
                    "enable-cri-stats-collect", "enable-cri-stats-collect",
                    "runtime-config-file", "cni-runtime-config")),
            "volume-config", new Section("volume-config", ordered(
                    "volume-timeout", "volume-timeout",
                    "remove-volume", "remove-volume",
                    "volume-default-driver", "volume-default-driver",
                    "volume-meta-dir", "volume-meta-dir",
                    "volume-driver-alias", "volume-driver-alias")),
            "default-log-config", new Section("default-log-config", ordered(
                    "Type", "log-driver",
                    "Config", "log-opts")),
            "registry-service", new Section("registry-service", ordered(
                    "Mirrors", "registry-mirrors",
                    "InsecureRegistryCIDRs", "insecure-registry-cidrs",
                    "IndexConfigs", "index-configs",
                    "AllowNondistributableArtifactsCIDRs", "allow-nondistributable-artifacts-cidrs",
                    "AllowNondistributableArtifactsHostnames", "allow-nondistributable-artifacts-hostnames")));

    /**
     * Top-level keys that are another name of a key: Pouch's flag {@code --oom-score-adj} is
     * {@code "oom-score-adjust"} in its file; both spellings are taken, as one setting.
     */
    private static final Map<String, String> ALIASES = Map.of("oom-score-adj", "oom-score-adjust");

    /** The top-level keys that hold a nested object, and the aliases. */
    static final Set<String> KEYS = union(SECTIONS.keySet(), ALIASES.keySet());

    private NestedSections() {
    }

    /**
     * @param file the file's top-level keys, already checked against {@link ConfigLoader#KEYS}
     * @return the same settings with every nested object replaced by its flat keys; the flat keys an object maps to
     *         are not top-level keys of the file (Pouch has none there), so this map is what the loaders read
     */
    static Map<String, Object> flatten(Map<String, Object> file, Path source) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : file.entrySet()) {
            if (!SECTIONS.containsKey(e.getKey())) {
                put(out, origin, ALIASES.getOrDefault(e.getKey(), e.getKey()), e.getKey(), e.getValue(), source);
            }
        }
        for (Map.Entry<String, Object> e : file.entrySet()) {
            Section s = SECTIONS.get(e.getKey());
            if (s != null) {
                flatten(s, e.getValue(), out, origin, source);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(Section s, Object value, Map<String, Object> out, Map<String, String> origin,
                                Path source) {
        if (value == null) {
            return;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw PouchException.invalidArgument("\"" + s.name() + "\" in " + source + " must be an object with the"
                    + " keys " + String.join(", ", s.keys().keySet()));
        }
        for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
            Object target = s.keys().get(e.getKey());
            if (target == null) {
                throw PouchException.invalidArgument("unknown key \"" + e.getKey() + "\" in \"" + s.name() + "\" of "
                        + source + "; known keys: " + String.join(", ", s.keys().keySet()));
            }
            if (target instanceof Section sub) {
                flatten(sub, e.getValue(), out, origin, source);
            } else {
                put(out, origin, (String) target, s.name() + "." + e.getKey(), e.getValue(), source);
            }
        }
    }

    private static void put(Map<String, Object> out, Map<String, String> origin, String key, String from,
                            Object value, Path source) {
        String before = origin.putIfAbsent(key, from);
        if (before != null) {
            throw PouchException.invalidArgument("\"" + before + "\" and \"" + from + "\" in " + source + " are the"
                    + " same setting (" + key + "); give it once");
        }
        out.put(key, value);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new TreeSet<>(a);
        s.addAll(b);
        return Set.copyOf(s);
    }

    private static Map<String, Object> ordered(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
