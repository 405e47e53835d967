package io.pouch.daemon.config;

import io.pouch.api.PouchException;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Pouch settings this engine takes only with the value that describes what it does anyway (an empty IPv6 subnet,
 * {@code icc: true}, the {@code overlayfs} snapshotter...). Any other value stops the daemon at start with the key
 * and the reason: a setting the engine cannot honour must not be silently dropped. Flags and file keys share the
 * flat names of {@link NestedSections}.
 */
final class FixedValueKeys {
    private record Rule(Predicate<Object> accepted, String reason) {
    }

    private static final Map<String, Rule> RULES = new LinkedHashMap<>();

    static {
        // the default bridge
        rule("disable-bridge", FixedValueKeys::isFalse, "the default bridge is always set up (--net bridge needs it)");
        rule("enable-ipv6", FixedValueKeys::isFalse, "IPv6 on the default bridge is not implemented");
        rule("fixed-cidr-v6", FixedValueKeys::isEmpty, "IPv6 on the default bridge is not implemented");
        rule("default-gateway-v6", FixedValueKeys::isEmpty, "IPv6 on the default bridge is not implemented");
        rule("preferred-ip", FixedValueKeys::isEmpty, "the default bridge's addresses come from fixed-cidr or bip"
                + " only");
        rule("icc", FixedValueKeys::isTrue, "containers on the default bridge always reach each other");
        rule("ipmasq", FixedValueKeys::isTrue, "the default bridge's traffic is always masqueraded (with iptables)");
        rule("userland-proxy", FixedValueKeys::isFalse, "published ports are forwarded by iptables DNAT; there is no"
                + " userland proxy");
        rule("network-meta-path", FixedValueKeys::isEmpty, "network records live in <home-dir>/network: set home-dir");
        rule("exec-root-dir", FixedValueKeys::isEmpty, "network runtime state lives under exec-root: set exec-root");
        String dns = "daemon-wide DNS defaults are not implemented: give --dns, --dns-option, --dns-search per"
                + " container";
        rule("dns", FixedValueKeys::isEmpty, dns);
        rule("dns-options", FixedValueKeys::isEmpty, dns);
        rule("dns-search", FixedValueKeys::isEmpty, dns);
        // the CRI server
        rule("cri-version", v -> isEmpty(v) || v.toString().equals("v1"), "this engine serves the CRI runtime.v1 API"
                + " only (kubelet 1.26 and later); v1alpha1 and v1alpha2 are not served");
        rule("stream-server-reuse-port", FixedValueKeys::isFalse, "the CRI streaming server has a port of its own"
                + " (stream-server-port); it cannot share the API's");
        rule("cni-runtime-config", FixedValueKeys::isEmpty, "each pod's network runtime settings are kept with its"
                + " sandbox record under home-dir; there is no separate file");
        // pod stats are read from the cgroups on every request, which is what periodic collection provides
        rule("enable-cri-stats-collect", v -> isTrue(v) || isFalse(v), "it must be true or false");
        rule("cri-stats-collect-period", v -> isEmpty(v) || v.toString().matches("[1-9][0-9]{0,8}"),
                "it must be a positive number of seconds");
        // volumes
        rule("volume-timeout", v -> isEmpty(v) || v.toString().equals("0"), "volume drivers run inside pouchd;"
                + " there is no operation timeout to set");
        rule("remove-volume", FixedValueKeys::isTrue, "removing a volume always removes its data");
        rule("volume-default-driver", v -> isEmpty(v) || v.toString().equals("local"), "the local driver is the"
                + " only volume driver");
        rule("volume-meta-dir", FixedValueKeys::isEmpty, "volume records live in <home-dir>/volume: set home-dir");
        rule("volume-driver-alias", FixedValueKeys::isEmpty, "the local driver is the only volume driver; there is"
                + " nothing to alias");
        // registries (Pouch 1.3.0's registry-service object)
        rule("insecure-registry-cidrs", FixedValueKeys::isEmpty, "give insecure registries by host"
                + " (insecure-registries)");
        rule("index-configs", FixedValueKeys::isEmpty, "give mirrors and insecure registries with registry-mirrors and"
                + " insecure-registries");
        rule("allow-nondistributable-artifacts-cidrs", FixedValueKeys::isEmpty, "foreign layers are never pushed");
        rule("allow-nondistributable-artifacts-hostnames", FixedValueKeys::isEmpty, "foreign layers are never pushed");
        // the engine
        rule("snapshotter", v -> isEmpty(v) || v.toString().equals("overlayfs"), "overlayfs is the only snapshotter"
                + " implemented");
        rule("allow-multi-snapshotter", FixedValueKeys::isFalse, "overlayfs is the only snapshotter implemented");
        rule("enable-builder", FixedValueKeys::isFalse, "building images (buildkit) is not part of this engine");
        rule("enable-profiler", FixedValueKeys::isFalse, "Go's pprof has no JVM counterpart; the JDK's tools attach"
                + " to pouchd without it (jcmd <pid> Thread.print, jcmd <pid> JFR.start)");
    }

    private FixedValueKeys() {
    }

    private static void rule(String key, Predicate<Object> accepted, String reason) {
        RULES.put(key, new Rule(accepted, reason));
    }

    /** @throws PouchException 400 naming the first key whose value this engine cannot honour, and why */
    static void check(Map<String, Object> merged) {
        for (Map.Entry<String, Rule> r : RULES.entrySet()) {
            Object v = merged.get(r.getKey());
            if (v != null && !r.getValue().accepted().test(v)) {
                throw PouchException.invalidArgument("cannot honour " + r.getKey() + " " + show(v) + ": "
                        + r.getValue().reason());
            }
        }
    }

    private static String show(Object v) {
        return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }

    private static boolean isTrue(Object v) {
        return v.toString().equals("true");
    }

    private static boolean isFalse(Object v) {
        return v.toString().equals("false");
    }

    private static boolean isEmpty(Object v) {
        return v == null || v.toString().isEmpty() || v instanceof Collection<?> c && c.isEmpty()
                || v instanceof Map<?, ?> m && m.isEmpty();
    }
}
