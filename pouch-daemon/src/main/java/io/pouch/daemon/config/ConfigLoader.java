package io.pouch.daemon.config;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.quota.QuotaDrivers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Merges command-line flags with the JSON config file. A key given both ways is an error that names the key
 * (Pouch and dockerd both refuse to guess which one the operator meant).
 */
public final class ConfigLoader {
    /**
     * The top-level file keys we understand; anything else in the file is an error, not silently ignored. One group
     * a line, so that a feature's keys come and go as one line.
     */
    static final Set<String> KEYS = keys(
            List.of("home-dir", "exec-root", "listen", "containerd", "containerd-path", "default-namespace", "pidfile",
                    "config-file"),
            // logging: Pouch's "debug" and "default-log-config" object, dockerd's "log-level", flat driver keys
            List.of("debug", "log-level", "log-driver", "log-opts"),
            List.of("default-runtime"),
            // registry client
            List.of("default-registry", "registry-mirrors", "insecure-registries", "registry-certs-dir", "image-proxy",
                    "default-registry-namespace"),
            // the default bridge (also Pouch's "network-config" object)
            List.of("bridge-name", "bip", "fixed-cidr", "mtu", "iptables", "ipforward"),
            // the cgroup driver: Pouch's "cgroup-driver" or dockerd's "exec-opts" ["native.cgroupdriver=..."]
            List.of("cgroup-driver", "exec-opts"),
            // the Kubernetes CRI server (also Pouch's "cri-config" object), its pod networks and streaming server
            List.of("enable-cri", "listen-cri", "sandbox-image", "cni-conf-dir", "cni-bin-dir", "stream-server-address",
                    "stream-server-port"),
            // TLS for tcp:// listen addresses, Pouch's "TLS" object (tlscacert, tlscert, tlskey, tlsverify,
            // manager-whitelist)
            List.of("TLS"),
            // pouchd's own operation (EngineSettings)
            List.of("cgroup-parent", "label", "oom-score-adjust", "build-context-limit"),
            // Pouch's keys whose only accepted value is what this engine does (FixedValueKeys)
            List.of("snapshotter", "allow-multi-snapshotter", "enable-builder", "enable-profiler"),
            // OCI runtimes besides the built-in ones (io.pouch.daemon.runtime.AddedRuntimes)
            List.of("add-runtime"),
            // disk quota: Pouch's quota-driver (io.pouch.daemon.quota.QuotaDrivers)
            List.of("quota-driver"),
            // LXCFS's /proc view for containers that ask for it (io.pouch.daemon.lxcfs)
            List.of("enable-lxcfs", "lxcfs", "lxcfs-home"),
            // P2P image distribution, an object of its own like "TLS" (P2pConfig)
            List.of(P2pConfig.SECTION),
            // Pouch's nested objects and aliases (NestedSections)
            NestedSections.KEYS);

    /**
     * Keys whose values from the flags and the file are joined rather than refused when given both ways: Pouch's
     * slice and array flags.
     */
    static final Set<String> LISTS = Set.of("listen", "label", "registry-mirrors", "insecure-registries");

    private ConfigLoader() {
    }

    /**
     * @param flags only the flags the user actually gave, keyed like the file
     * @param file  the config file; a missing file is fine, a malformed one is an error
     */
    public static DaemonConfig load(Map<String, Object> flags, Path file) {
        Map<String, Object> merged = merge(flags, file);
        FixedValueKeys.check(merged);
        Object self = merged.get("config-file");
        if (self != null && (file == null || !Path.of(self.toString()).toAbsolutePath().normalize()
                .equals(file.toAbsolutePath().normalize()))) {
            throw PouchException.invalidArgument("config-file \"" + self + "\" in " + file + " names another file; a"
                    + " configuration file cannot load another one (give --config-file)");
        }
        checkGateway(merged);
        return build(merged);
    }

    /**
     * The file's settings with the flags added; a key given both ways is an error naming it, except the
     * {@link #LISTS} keys, whose entries are joined (the file's first).
     */
    static Map<String, Object> merge(Map<String, Object> flags, Path file) {
        Map<String, Object> fromFile = readFile(file);
        Map<String, Object> merged = new HashMap<>(fromFile);
        for (Map.Entry<String, Object> e : flags.entrySet()) {
            String key = e.getKey();
            if (fromFile.containsKey(key) && LISTS.contains(key)) {
                List<String> joined = new ArrayList<>(strings(fromFile.get(key)));
                strings(e.getValue()).stream().filter(v -> !joined.contains(v)).forEach(joined::add);
                merged.put(key, joined);
                continue;
            }
            if (fromFile.containsKey(key)) {
                throw PouchException.invalidArgument("the following directives are specified both as a flag and in the"
                        + " configuration file " + file + ": " + key);
            }
            merged.put(key, e.getValue());
        }
        return merged;
    }

    /** The default bridge's gateway is its own address: Pouch's default-gateway is taken when it names that. */
    private static void checkGateway(Map<String, Object> m) {
        String gw = str(m, "default-gateway", "");
        if (gw.isEmpty()) {
            return;
        }
        String bip = str(m, "bip", DaemonConfig.DEFAULT_BIP);
        String address = bip.contains("/") ? bip.substring(0, bip.indexOf('/')) : bip;
        if (!gw.equals(address)) {
            throw PouchException.invalidArgument("cannot honour default-gateway " + gw + ": the default bridge's"
                    + " gateway is its own address, bip " + bip + " (give that address or none)");
        }
    }

    /** pouchd's own operation settings from the same flags and file as {@link #load}; call after it. */
    public static EngineSettings loadEngine(Map<String, Object> flags, Path file) {
        return EngineSettings.from(merge(flags, file));
    }

    /** The file's keys and values, checked against {@link #KEYS}; a missing file is empty. */
    public static Map<String, Object> readFile(Path file) {
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
        return NestedSections.flatten(map, file);
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

    // ---- the cgroup driver ----

    /**
     * The cgroup driver from {@code --cgroup-driver} / {@code "cgroup-driver"} or dockerd's
     * {@code --exec-opt native.cgroupdriver=...} / {@code "exec-opts"}: only {@code cgroupfs} is implemented, so
     * {@code systemd} stops the daemon at start with the reason rather than being taken for cgroupfs.
     *
     * @param pid1 the name of the host's PID 1 ({@code /proc/1/comm}), for the message
     */
    public static String loadCgroupDriver(Map<String, Object> flags, Path file, String pid1) {
        Map<String, Object> m = merge(flags, file);
        String driver = str(m, "cgroup-driver", null);
        for (String opt : strings(m.get("exec-opts"))) {
            int eq = opt.indexOf('=');
            String key = eq < 0 ? opt : opt.substring(0, eq).trim();
            if (!key.equals("native.cgroupdriver")) {
                throw PouchException.invalidArgument("unknown exec-opt \"" + opt + "\": only native.cgroupdriver is"
                        + " supported");
            }
            String v = opt.substring(eq + 1).trim();
            if (driver != null && !driver.equals(v)) {
                throw PouchException.invalidArgument("conflicting cgroup drivers: cgroup-driver " + driver
                        + " and exec-opt native.cgroupdriver=" + v);
            }
            driver = v;
        }
        if (driver == null || driver.isEmpty() || driver.equals("cgroupfs")) {
            return "cgroupfs";
        }
        if (driver.equals("systemd")) {
            throw PouchException.invalidArgument("the systemd cgroup driver is not supported by this engine"
                    + (pid1 == null || pid1.equals("systemd") ? "" : " (and systemd is not running here: PID 1 is "
                    + pid1 + ")") + "; use --cgroup-driver cgroupfs (the default)");
        }
        throw PouchException.invalidArgument("native.cgroupdriver option " + driver + " not supported");
    }

    // ---- disk quota ----

    /** Pouch's {@code quota-driver}, validated (pouchd refuses to start on a driver it does not have). */
    public static String loadQuotaDriver(Map<String, Object> flags, Path file) {
        Map<String, Object> m = new HashMap<>(readFile(file));
        m.putAll(flags);
        return QuotaDrivers.validate(str(m, QuotaDrivers.KEY, ""));
    }

    // ---- registry client settings ----

    /** The registry settings from the same flags and file as {@link #load}; call after it (it validated both). */
    public static RegistryConfig loadRegistry(Map<String, Object> flags, Path file) {
        Map<String, Object> m = merge(flags, file);
        RegistryConfig d = RegistryConfig.defaults();
        List<String> mirrors = strings(m.get("registry-mirrors"));
        for (String mirror : mirrors) {
            int eq = mirror.indexOf('=');
            if (mirror.isBlank() || (eq >= 0 && (eq == 0 || eq == mirror.length() - 1
                    || mirror.substring(0, eq).contains("/")))) {
                throw PouchException.invalidArgument("invalid registry-mirrors entry \"" + mirror + "\": a mirror URL"
                        + " of Docker Hub, or <registry>=<URL> for another registry (registry.k8s.io=http://host:5000)");
            }
        }
        return new RegistryConfig(str(m, "default-registry", d.defaultRegistry()), mirrors,
                strings(m.get("insecure-registries")), Path.of(str(m, "registry-certs-dir", d.certsDir().toString())),
                str(m, "image-proxy", null), str(m, "default-registry-namespace", d.defaultNamespace()));
    }

    // ---- the Kubernetes CRI server ----

    /**
     * The CRI settings from the same flags and file as {@link #load}; call after it (it validated both).
     *
     * @throws PouchException 400 for a listen address that is not unix://, a port outside 0..65535, or a boolean
     *         that is not one
     */
    public static CriConfig loadCri(Map<String, Object> flags, Path file) {
        Map<String, Object> m = merge(flags, file);
        String listen = str(m, "listen-cri", CriConfig.DEFAULT_LISTEN);
        if (!listen.startsWith("unix:///")) {
            throw PouchException.invalidArgument("invalid listen-cri " + listen + ": the CRI is served on a unix socket"
                    + " only (unix:///path), as kubelet dials it");
        }
        int port;
        try {
            port = Integer.parseInt(str(m, "stream-server-port", Integer.toString(CriConfig.DEFAULT_STREAM_PORT)));
        } catch (NumberFormatException e) {
            throw PouchException.invalidArgument("invalid stream-server-port " + m.get("stream-server-port")
                    + ": it must be a number");
        }
        if (port < 0 || port > 65535) {
            throw PouchException.invalidArgument("invalid stream-server-port " + port + ": it must be 0..65535");
        }
        String address = str(m, "stream-server-address", "127.0.0.1");
        List<String> binDirs = strings(m.get("cni-bin-dir"));
        return new CriConfig(bool(m, "enable-cri"), listen, str(m, "sandbox-image", CriConfig.DEFAULT_SANDBOX_IMAGE),
                Path.of(str(m, "cni-conf-dir", "/etc/cni/net.d")),
                (binDirs.isEmpty() ? List.of("/usr/lib/cni", "/opt/cni/bin") : binDirs).stream().map(Path::of).toList(),
                new java.net.InetSocketAddress(address, port));
    }

    // ---- LXCFS ----

    /** The LXCFS settings from the same flags and file as {@link #load}; call after it (it validated both). */
    public static LxcfsConfig loadLxcfs(Map<String, Object> flags, Path file) {
        Map<String, Object> m = new HashMap<>(readFile(file));
        m.putAll(flags);
        return LxcfsConfig.from(m);
    }

    // ---- P2P image distribution ----

    /**
     * The {@code --p2p-*} flags (keyed like the file's {@code "p2p"} object) and that object, checked: see
     * {@link P2pConfig}.
     */
    public static P2pConfig loadP2p(Map<String, Object> flags, Path file) {
        return P2pConfig.from(flags, readFile(file).get(P2pConfig.SECTION), file);
    }

    // ---- TLS for tcp:// listen addresses ----

    /**
     * The TLS settings: flags {@code tlscacert, tlscert, tlskey, tlsverify, manager-whitelist}, or the file's
     * {@code "TLS"} object with the same keys (Pouch's layout); the same setting both ways is an error, as for every
     * other key. {@code manager-whitelist} is a comma list of the certificate common names let in over TCP.
     */
    private static final List<String> TLS_KEYS = List.of("tlscacert", "tlscert", "tlskey", "tlsverify",
            "manager-whitelist");

    @SuppressWarnings("unchecked")
    public static TlsConfig loadTls(Map<String, Object> flags, Path file) {
        Object section = readFile(file).get("TLS");
        Map<String, Object> m = new HashMap<>();
        if (section != null) {
            if (!(section instanceof Map<?, ?>)) {
                throw PouchException.invalidArgument("\"TLS\" in " + file + " must be an object with tlscacert, tlscert,"
                        + " tlskey and tlsverify");
            }
            for (Map.Entry<String, Object> e : ((Map<String, Object>) section).entrySet()) {
                if (!TLS_KEYS.contains(e.getKey())) {
                    throw PouchException.invalidArgument("unknown key \"" + e.getKey() + "\" in \"TLS\" of " + file
                            + "; known keys: " + String.join(", ", TLS_KEYS));
                }
                if (flags.containsKey(e.getKey())) {
                    throw PouchException.invalidArgument("the following directives are specified both as a flag and in"
                            + " the configuration file " + file + ": " + e.getKey());
                }
                m.put(e.getKey(), e.getValue());
            }
        }
        m.putAll(flags);
        List<String> whitelist = strings(m.get("manager-whitelist")).stream().map(String::trim)
                .filter(cn -> !cn.isEmpty()).distinct().toList();
        return new TlsConfig(path(m, "tlscacert"), path(m, "tlscert"), path(m, "tlskey"),
                Boolean.parseBoolean(str(m, "tlsverify", "false")), whitelist);
    }

    private static Path path(Map<String, Object> m, String key) {
        String v = str(m, key, null);
        return v == null || v.isEmpty() ? null : Path.of(v);
    }

    // ---- the default bridge's data plane ----

    /**
     * The bridge settings from the same flags and file as {@link #load}; call after it (it validated both).
     *
     * @throws PouchException 400 for an MTU outside 68..65535, a boolean that is not one, or a fixed
     *         CIDR that is not a CIDR
     */
    public static BridgeConfig loadBridge(Map<String, Object> flags, Path file) {
        Map<String, Object> m = merge(flags, file);
        int mtu;
        try {
            mtu = Integer.parseInt(str(m, "mtu", Integer.toString(BridgeConfig.DEFAULT_MTU)));
        } catch (NumberFormatException e) {
            throw PouchException.invalidArgument("invalid mtu " + m.get("mtu") + ": it must be a number");
        }
        if (mtu < 68 || mtu > 65535) {
            throw PouchException.invalidArgument("invalid mtu " + mtu + ": it must be between 68 and 65535");
        }
        String fixed = str(m, "fixed-cidr", null);
        if (fixed != null && fixed.isEmpty()) {
            fixed = null;
        }
        return new BridgeConfig(fixed, mtu, bool(m, "iptables"), bool(m, "ipforward"));
    }

    private static boolean bool(Map<String, Object> m, String key) {
        String v = str(m, key, "true");
        if (!v.equals("true") && !v.equals("false")) {
            throw PouchException.invalidArgument("invalid value for " + key + ": " + v + " (true or false)");
        }
        return Boolean.parseBoolean(v);
    }

    @SafeVarargs
    private static Set<String> keys(Collection<String>... groups) {
        Set<String> all = new TreeSet<>();
        for (Collection<String> g : groups) {
            all.addAll(g);
        }
        return Set.copyOf(all);
    }

    static List<String> strings(Object v) {
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
