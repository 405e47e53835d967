package io.pouch.daemon.config;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pouch's own config.json: every key of Pouch 1.3, its nested objects, and what is refused and why. */
class PouchConfigFileTest {
    /** The keys of Pouch 1.3's daemon/config.Config (1.3.0 had registry-service; later ones the three after it). */
    static final List<String> POUCH_KEYS = List.of("volume-config", "network-config", "enable-cri", "cri-config",
            "listen", "debug", "containerd", "default-registry", "default-registry-namespace", "home-dir",
            "containerd-path", "TLS", "default-runtime", "enable-lxcfs", "lxcfs", "lxcfs-home", "image-proxy",
            "quota-driver", "config-file", "cgroup-parent", "label", "enable-profiler", "pidfile", "default-log-config",
            "registry-service", "registry-mirrors", "oom-score-adjust", "add-runtime", "default-namespace",
            "snapshotter", "allow-multi-snapshotter", "cgroup-driver", "insecure-registries", "enable-builder");

    @TempDir
    Path dir;

    private Path file(String json) throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, json);
        return f;
    }

    private String refusal(Map<String, Object> flags, String json) throws Exception {
        Path f = file(json);
        return assertThrows(PouchException.class, () -> {
            ConfigLoader.load(flags, f);
            ConfigLoader.loadEngine(flags, f);
            ConfigLoader.loadTls(flags, f);
        }).getMessage();
    }

    @Test
    void everyKeyOfPouchsConfigIsKnown() {
        List<String> missing = new ArrayList<>();
        for (String key : POUCH_KEYS) {
            if (!ConfigLoader.KEYS.contains(key)) {
                missing.add(key);
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void networkConfigMapsOntoTheDefaultBridgeKeys() throws Exception {
        Path f = file("""
                {"network-config": {"bridge-config": {"bridge-name": "pb0", "bip": "10.77.0.1/16",
                  "fixed-cidr": "10.77.1.0/24", "default-gateway": "10.77.0.1", "mtu": 1400, "iptables": false,
                  "ipforward": false, "icc": true, "ipmasq": true, "userland-proxy": false, "enable-ipv6": false,
                  "disable-bridge": false, "fixed-cidr-v6": "", "preferred-ip": ""},
                  "dns": [], "meta-path": "", "exec-root-dir": ""}}""");
        DaemonConfig c = ConfigLoader.load(Map.of(), f);
        assertEquals("pb0", c.bridgeName());
        assertEquals("10.77.0.1/16", c.bip());
        assertEquals(new BridgeConfig("10.77.1.0/24", 1400, false, false), ConfigLoader.loadBridge(Map.of(), f));
    }

    @Test
    void criConfigMapsOntoTheCriKeys() throws Exception {
        Path f = file("""
                {"enable-cri": true, "cri-config": {"listen": "unix:///run/x/cri.sock",
                  "network-plugin-bin-dir": "/opt/cni/bin", "network-plugin-conf-dir": "/etc/x/net.d",
                  "sandbox-image": "example.com/pause:1", "cri-version": "v1", "stream-server-port": "10011",
                  "stream-server-reuse-port": false, "cri-stats-collect-period": 10,
                  "enable-cri-stats-collect": true, "runtime-config-file": ""}}""");
        ConfigLoader.load(Map.of(), f);
        CriConfig c = ConfigLoader.loadCri(Map.of(), f);
        assertTrue(c.enabled());
        assertEquals("unix:///run/x/cri.sock", c.listen());
        assertEquals(List.of(Path.of("/opt/cni/bin")), c.cniBinDirs());
        assertEquals(Path.of("/etc/x/net.d"), c.cniConfDir());
        assertEquals("example.com/pause:1", c.sandboxImage());
        assertEquals(new InetSocketAddress("127.0.0.1", 10011), c.streamServer());
    }

    @Test
    void logConfigAndRegistryServiceMapOntoTheirKeys() throws Exception {
        Path f = file("""
                {"default-log-config": {"Type": "json-file", "Config": {"max-size": "10m"}},
                 "registry-service": {"Mirrors": ["https://mirror.example.com"], "IndexConfigs": {}}}""");
        DaemonConfig c = ConfigLoader.load(Map.of(), f);
        assertEquals("json-file", c.logDriver());
        assertEquals(Map.of("max-size", "10m"), c.logOpts());
        assertEquals(List.of("https://mirror.example.com"), ConfigLoader.loadRegistry(Map.of(), f).mirrors());
    }

    @Test
    void aNestedSettingGivenAlsoFlatOrAsAFlagIsRefusedNamingIt() throws Exception {
        String both = refusal(Map.of(), """
                {"bip": "10.1.0.1/24", "network-config": {"bridge-config": {"bip": "10.2.0.1/24"}}}""");
        assertTrue(both.contains("\"bip\" and \"network-config.bridge-config.bip\""), both);
        String flag = refusal(Map.of("listen-cri", "unix:///x.sock"), """
                {"cri-config": {"listen": "unix:///y.sock"}}""");
        assertTrue(flag.contains("specified both as a flag and in the configuration file")
                && flag.endsWith("listen-cri"), flag);
    }

    @Test
    void unknownOrMistypedNestedKeysAreRefusedNamingTheirObject() throws Exception {
        String unknown = refusal(Map.of(), "{\"network-config\": {\"bridge-config\": {\"bridge\": \"x\"}}}");
        assertTrue(unknown.startsWith("unknown key \"bridge\" in \"network-config.bridge-config\""), unknown);
        String notObject = refusal(Map.of(), "{\"volume-config\": \"local\"}");
        assertTrue(notObject.startsWith("\"volume-config\" in ") && notObject.contains("must be an object"), notObject);
    }

    @Test
    void valuesTheEngineCannotHonourAreRefusedWithKeyAndReason() throws Exception {
        Map<String, String> cases = Map.of(
                "{\"snapshotter\": \"btrfs\"}", "cannot honour snapshotter \"btrfs\": overlayfs is the only",
                "{\"enable-profiler\": true}", "cannot honour enable-profiler true: Go's pprof has no JVM counterpart",
                "{\"network-config\": {\"bridge-config\": {\"icc\": false}}}", "cannot honour icc false",
                "{\"network-config\": {\"bridge-config\": {\"enable-ipv6\": true}}}", "cannot honour enable-ipv6 true",
                "{\"network-config\": {\"dns\": [\"1.1.1.1\"]}}", "cannot honour dns [1.1.1.1]: daemon-wide DNS",
                "{\"cri-config\": {\"cri-version\": \"v1alpha2\"}}", "cannot honour cri-version \"v1alpha2\"",
                "{\"volume-config\": {\"volume-driver-alias\": \"a=b\"}}", "cannot honour volume-driver-alias \"a=b\"",
                "{\"volume-config\": {\"remove-volume\": false}}", "cannot honour remove-volume false",
                "{\"allow-multi-snapshotter\": true}", "cannot honour allow-multi-snapshotter true",
                "{\"enable-builder\": true}", "cannot honour enable-builder true");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String m = refusal(Map.of(), c.getKey());
            assertTrue(m.startsWith(c.getValue()), c.getKey() + " -> " + m);
        }
        // a flag as well as a file key
        assertTrue(refusal(Map.of("userland-proxy", true), "{}").startsWith("cannot honour userland-proxy true"));
        assertTrue(refusal(Map.of("default-gateway", "192.168.5.9"), "{}")
                .startsWith("cannot honour default-gateway 192.168.5.9: the default bridge's gateway is its own"));
    }

    @Test
    void theDefaultValuesOfRefusableKeysAreAccepted() throws Exception {
        Path f = file("""
                {"snapshotter": "overlayfs", "allow-multi-snapshotter": false, "enable-builder": false,
                 "enable-profiler": false, "volume-config": {"volume-timeout": 0, "remove-volume": true,
                 "volume-default-driver": "local", "volume-meta-dir": "", "volume-driver-alias": ""}}""");
        ConfigLoader.load(Map.of("default-gateway", "192.168.5.1"), f);
    }

    @Test
    void labelsAreCheckedAndJoinedFromFlagAndFile() throws Exception {
        Path f = file("{\"label\": [\"zone=a\", \"rack=1\"]}");
        assertEquals(List.of("zone=a", "rack=1", "env=ci"),
                ConfigLoader.loadEngine(Map.of("label", List.of("env=ci", "zone=a")), f).labels());
        assertEquals("daemon label zone must be in format of key=value",
                refusal(Map.of("label", List.of("zone")), "{}"));
        assertEquals("key and value in daemon label zone= cannot be empty",
                refusal(Map.of(), "{\"label\": [\"zone=\"]}"));
    }

    @Test
    void cgroupParentIsNormalisedAndMayNotClimb() throws Exception {
        assertEquals("/kube/pods", ConfigLoader.loadEngine(Map.of(), file("{\"cgroup-parent\": \"kube//pods/\"}"))
                .cgroupParent());
        assertNull(ConfigLoader.loadEngine(Map.of(), dir.resolve("none.json")).cgroupParent());
        assertEquals("invalid cgroup-parent \"/a/../b\": it must not contain \"..\"",
                refusal(Map.of("cgroup-parent", "/a/../b"), "{}"));
    }

    @Test
    void oomScoreAdjustHasBothOfPouchsNames() throws Exception {
        assertEquals(-500, ConfigLoader.loadEngine(Map.of(), file("{\"oom-score-adjust\": -500}")).oomScoreAdj());
        assertEquals(300, ConfigLoader.loadEngine(Map.of(), file("{\"oom-score-adj\": 300}")).oomScoreAdj());
        assertNull(EngineSettings.defaults().oomScoreAdj());
        assertTrue(refusal(Map.of(), "{\"oom-score-adj\": 1, \"oom-score-adjust\": 2}").contains("same setting"));
        assertTrue(refusal(Map.of("oom-score-adjust", -10), "{\"oom-score-adjust\": 2}").endsWith("oom-score-adjust"));
        assertEquals("invalid oom-score-adj 1001: it must be between -1000 and 1000",
                refusal(Map.of("oom-score-adjust", 1001), "{}"));
    }

    @Test
    void buildContextLimitFromTheFlagOrTheFileInBytesOrWithAUnit() throws Exception {
        assertEquals(4L << 30, EngineSettings.defaults().buildContextLimit());
        assertEquals(4L << 30, ConfigLoader.loadEngine(Map.of(), dir.resolve("n")).buildContextLimit());
        assertEquals(2048, ConfigLoader.loadEngine(Map.of(), file("{\"build-context-limit\": 2048}"))
                .buildContextLimit());
        assertEquals(100L << 20, ConfigLoader.loadEngine(Map.of("build-context-limit", "100m"), dir.resolve("n"))
                .buildContextLimit());
        assertEquals(1L << 30, ConfigLoader.loadEngine(Map.of(), file("{\"build-context-limit\": \"1GiB\"}"))
                .buildContextLimit());
        assertTrue(refusal(Map.of("build-context-limit", "lots"), "{}").startsWith("invalid build-context-limit lots"));
        assertTrue(refusal(Map.of(), "{\"build-context-limit\": 0}").startsWith("invalid build-context-limit 0"));
        assertTrue(refusal(Map.of("build-context-limit", "1k"), "{\"build-context-limit\": \"2k\"}")
                .endsWith("build-context-limit"));
    }

    @Test
    void logLevelAndDebug() throws Exception {
        assertEquals(Level.WARNING, ConfigLoader.loadEngine(Map.of("log-level", "warn"), dir.resolve("n")).logLevel());
        assertEquals(Level.FINE, ConfigLoader.loadEngine(Map.of("log-level", "warn"), file("{\"debug\": true}"))
                .logLevel());
        assertEquals(Level.INFO, ConfigLoader.loadEngine(Map.of(), file("{\"debug\": false}")).logLevel());
        assertTrue(refusal(Map.of("log-level", "loud"), "{}").startsWith("invalid log-level loud"));
    }

    @Test
    void managerWhitelistFromTheTlsObjectOrTheFlag() throws Exception {
        Path f = file("{\"TLS\": {\"tlsverify\": true, \"manager-whitelist\": \"ops, admin,ops\"}}");
        assertEquals(List.of("ops", "admin"), ConfigLoader.loadTls(Map.of(), f).managerWhitelist());
        assertEquals(List.of("ci"), ConfigLoader.loadTls(Map.of("manager-whitelist", "ci"), dir.resolve("n"))
                .managerWhitelist());
        assertTrue(refusal(Map.of("manager-whitelist", "ci"), "{\"TLS\": {\"manager-whitelist\": \"ops\"}}")
                .endsWith("manager-whitelist"));
        assertEquals(List.of(), TlsConfig.none().managerWhitelist());
    }

    @Test
    void configFileMayNameOnlyItself() throws Exception {
        Path self = dir.resolve("config.json");
        ConfigLoader.load(Map.of(), file("{\"config-file\": \"" + self + "\"}"));
        assertTrue(refusal(Map.of(), "{\"config-file\": \"/etc/other.json\"}")
                .startsWith("config-file \"/etc/other.json\" in " + self + " names another file"));
    }
}
