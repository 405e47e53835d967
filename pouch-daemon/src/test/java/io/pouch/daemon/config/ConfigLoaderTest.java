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
}
