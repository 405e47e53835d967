package io.pouch.daemon;

import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pouchd's flags for its own operation and Pouch's flags whose only accepted value is what this engine does,
 * named as Pouch names them; each keyed like the config file (see {@code ConfigLoader}), which applies or refuses
 * them.
 */
final class PouchFlags {
    // ---- pouchd's own operation
    @Option(names = "--label", split = ",", description = "daemon label key=value, shown by docker info (repeatable)")
    List<String> labels;
    @Option(names = "--cgroup-parent", description = "cgroup parent of containers that name none (default /pouch)")
    String cgroupParent;
    @Option(names = "--oom-score-adj", description = "pouchd's own oom_score_adj, -1000..1000 (default: unchanged)")
    Integer oomScoreAdj;
    @Option(names = "--log-level", description = "debug, info, warn, error or fatal (default info)")
    String logLevel;
    @Option(names = "--build-context-limit",
            description = "largest build context POST /build accepts: bytes, or with k, m, g (default 4g)")
    String buildContextLimit;
    @Option(names = "--manager-whitelist",
            description = "common names of the client certificates let in over TCP, comma separated")
    String managerWhitelist;

    // ---- Pouch's flags taken only with the value that describes this engine
    @Option(names = "--snapshotter", description = "containerd snapshotter: overlayfs (the only one)")
    String snapshotter;
    @Option(names = "--allow-multi-snapshotter", arity = "0..1", fallbackValue = "true", description = "refused")
    Boolean allowMultiSnapshotter;
    @Option(names = "--enable-builder", arity = "0..1", fallbackValue = "true", description = "refused: no buildkit")
    Boolean enableBuilder;
    @Option(names = "--enable-profiler", arity = "0..1", fallbackValue = "true",
            description = "refused: use jcmd <pid> Thread.print / JFR.start")
    Boolean enableProfiler;
    @Option(names = "--default-gateway", description = "the default bridge's gateway: its bip address only")
    String defaultGateway;
    @Option(names = "--enable-ipv6", arity = "0..1", fallbackValue = "true", description = "refused: IPv4 only")
    Boolean enableIpv6;
    @Option(names = "--fixed-cidr-v6", description = "refused: IPv4 only")
    String fixedCidrV6;
    @Option(names = "--default-gateway-v6", description = "refused: IPv4 only")
    String defaultGatewayV6;
    @Option(names = "--userland-proxy", arity = "0..1", fallbackValue = "true",
            description = "false only: published ports use iptables DNAT")
    Boolean userlandProxy;
    @Option(names = "--exec-root-dir", description = "refused: network state lives under --exec-root")
    String execRootDir;
    @Option(names = "--volume-driver-alias", description = "refused: local is the only volume driver")
    String volumeDriverAlias;
    @Option(names = "--cri-version", description = "v1 only (the CRI runtime.v1 API)")
    String criVersion;
    @Option(names = "--stream-server-reuse-port", arity = "0..1", fallbackValue = "true",
            description = "false only: the CRI streaming server has its own port")
    Boolean streamServerReusePort;
    @Option(names = "--enable-cri-stats-collect", arity = "0..1", fallbackValue = "true",
            description = "accepted: CRI stats are read live on each request")
    Boolean enableCriStatsCollect;
    @Option(names = "--cri-stats-collect-period", description = "accepted: CRI stats are read live on each request")
    Integer criStatsCollectPeriod;
    @Option(names = "--cni-runtime-config", description = "refused: pod network settings are kept with the sandbox")
    String cniRuntimeConfig;

    /** pouchd's operation and the fixed-value flags, keyed like the file. */
    Map<String, Object> given() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "label", labels == null ? null : new ArrayList<>(labels));
        put(m, "cgroup-parent", cgroupParent);
        put(m, "oom-score-adjust", oomScoreAdj);
        put(m, "log-level", logLevel);
        put(m, "build-context-limit", buildContextLimit);
        put(m, "snapshotter", snapshotter);
        put(m, "allow-multi-snapshotter", allowMultiSnapshotter);
        put(m, "enable-builder", enableBuilder);
        put(m, "enable-profiler", enableProfiler);
        put(m, "default-gateway", defaultGateway);
        put(m, "enable-ipv6", enableIpv6);
        put(m, "fixed-cidr-v6", fixedCidrV6);
        put(m, "default-gateway-v6", defaultGatewayV6);
        put(m, "userland-proxy", userlandProxy);
        put(m, "exec-root-dir", execRootDir);
        put(m, "volume-driver-alias", volumeDriverAlias);
        put(m, "cri-version", criVersion);
        put(m, "stream-server-reuse-port", streamServerReusePort);
        put(m, "enable-cri-stats-collect", enableCriStatsCollect);
        put(m, "cri-stats-collect-period", criStatsCollectPeriod);
        put(m, "cni-runtime-config", cniRuntimeConfig);
        return m;
    }

    /** The whitelist, keyed like the file's "TLS" object. */
    Map<String, Object> tls() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "manager-whitelist", managerWhitelist);
        return m;
    }

    private static void put(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
