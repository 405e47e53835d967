package io.pouch.daemon.config;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsArePouchs() {
        DaemonConfig c = ConfigLoader.load(Map.of(), dir.resolve("missing.json"));
        assertEquals(Path.of("/var/lib/pouch"), c.homeDir());
        assertEquals(List.of("unix:///var/run/pouchd.sock"), c.listen());
        assertEquals("pouch", c.namespace());
        assertEquals("p0", c.bridgeName());
        assertNull(c.containerd());
        assertTrue(c.supervisesContainerd());
        assertEquals("/var/run/pouch/containerd/containerd.sock", c.containerdAddress());
    }

    @Test
    void fileAndFlagsMerge() throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\"home-dir\":\"/data/pouch\",\"debug\":true,\"log-opts\":{\"max-size\":\"10m\"}}");
        DaemonConfig c = ConfigLoader.load(Map.of("exec-root", "/run/p"), f);
        assertEquals(Path.of("/data/pouch"), c.homeDir());
        assertEquals(Path.of("/run/p"), c.execRoot());
        assertTrue(c.debug());
        assertEquals("10m", c.logOpts().get("max-size"));
    }

    @Test
    void aKeySetBothWaysIsAnErrorNamingIt() throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\"home-dir\":\"/data/pouch\"}");
        PouchException e = assertThrows(PouchException.class,
                () -> ConfigLoader.load(Map.of("home-dir", "/other"), f));
        assertTrue(e.getMessage().contains("home-dir"), e.getMessage());
    }

    @Test
    void bridgeSettingsFromFlagsAndFile() throws Exception {
        assertEquals(BridgeConfig.defaults(), ConfigLoader.loadBridge(Map.of(), dir.resolve("missing.json")));
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\"mtu\":1400,\"iptables\":false,\"fixed-cidr\":\"192.168.5.128/25\"}");
        assertEquals(new BridgeConfig("192.168.5.128/25", 1400, false, false),
                ConfigLoader.loadBridge(Map.of("ipforward", false), f));
        assertTrue(assertThrows(PouchException.class, () -> ConfigLoader.loadBridge(Map.of("mtu", 20), dir.resolve("m")))
                .getMessage().contains("between 68 and 65535"));
        assertTrue(assertThrows(PouchException.class, () -> ConfigLoader.loadBridge(Map.of("iptables", "yes"),
                dir.resolve("m"))).getMessage().contains("invalid value for iptables"));
        assertTrue(assertThrows(PouchException.class, () -> ConfigLoader.load(Map.of("mtu", 1400), f))
                .getMessage().contains("mtu"));
    }

    @Test
    void unknownOrMalformedFileIsRefused() throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\"home_dir\":\"/x\"}");
        assertTrue(assertThrows(PouchException.class, () -> ConfigLoader.load(Map.of(), f)).getMessage()
                .contains("home_dir"));
        Files.writeString(f, "{oops");
        assertThrows(PouchException.class, () -> ConfigLoader.load(Map.of(), f));
    }

    @Test
    void cgroupfsIsTheOnlyCgroupDriverAndSystemdIsRefusedWithTheReason() throws Exception {
        assertEquals("cgroupfs", ConfigLoader.loadCgroupDriver(Map.of(), dir.resolve("missing.json"), "init"));
        assertEquals("cgroupfs", ConfigLoader.loadCgroupDriver(Map.of("exec-opts",
                List.of("native.cgroupdriver=cgroupfs")), dir.resolve("missing.json"), "init"));
        String m = assertThrows(PouchException.class, () -> ConfigLoader.loadCgroupDriver(
                Map.of("cgroup-driver", "systemd"), dir.resolve("missing.json"), "process_api")).getMessage();
        assertEquals("the systemd cgroup driver is not supported by this engine (and systemd is not running here:"
                + " PID 1 is process_api); use --cgroup-driver cgroupfs (the default)", m);
        Path file = dir.resolve("c.json");
        Files.writeString(file, "{\"exec-opts\": [\"native.cgroupdriver=systemd\"]}");
        assertThrows(PouchException.class, () -> ConfigLoader.loadCgroupDriver(Map.of(), file, "systemd"));
        assertEquals("native.cgroupdriver option foo not supported", assertThrows(PouchException.class,
                () -> ConfigLoader.loadCgroupDriver(Map.of("cgroup-driver", "foo"), dir.resolve("x.json"), "init"))
                .getMessage());
    }
}
