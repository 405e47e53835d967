package io.pouch.daemon.lxcfs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.config.ConfigLoader;
import io.pouch.daemon.config.LxcfsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LxcfsTest {
    @TempDir
    Path dir;

    private static String line(long id, String mountPoint, String fsType, String source) {
        return id + " 27 0:48 / " + mountPoint + " rw,nosuid,nodev,relatime - " + fsType + " " + source
                + " rw,user_id=0,group_id=0,allow_other";
    }

    @Test
    void findsTheTopmostLxcfsMountAtTheHomeDirOnly() {
        List<String> table = List.of(
                "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
                line(40, "/var/lib/lxcfs", "fuse.lxcfs", "lxcfs"),
                line(41, "/var/lib/lxcfs/sub", "fuse.lxcfs", "lxcfs"),
                line(42, "/other", "fuse.lxcfs", "lxcfs"),
                line(43, "/var/lib/lxcfs", "fuse.sshfs", "host:/"),
                line(44, "/var/lib/lxcfs", "fuse.lxcfs", "lxcfs"));
        assertEquals(OptionalLong.of(44), MountTable.lxcfsMountId(table, Path.of("/var/lib/lxcfs/")));
        assertEquals(OptionalLong.of(45), MountTable.lxcfsMountId(List.of(line(45, "/x", "fuse", "lxcfs")),
                Path.of("/x")));
        assertEquals(OptionalLong.empty(), MountTable.lxcfsMountId(table, Path.of("/var/lib")));
        assertEquals(OptionalLong.empty(), MountTable.lxcfsMountId(List.of("garbage", ""), Path.of("/x")));
    }

    @Test
    void mountPointsWithEscapedSpacesMatch() {
        assertEquals(OptionalLong.of(7), MountTable.lxcfsMountId(List.of(line(7, "/tmp/a\\040b", "fuse.lxcfs",
                "lxcfs")), Path.of("/tmp/a b")));
        assertEquals("a\tb\\c", MountTable.unescape("a\\011b\\134c"));
    }

    @Test
    void everyFileIsBoundReadOnlyFromTheSamePathUnderTheMount() {
        ObjectNode spec = Json.MAPPER.createObjectNode();
        spec.putArray("mounts").addObject().put("destination", "/proc");
        LxcfsFiles.addTo(spec, Path.of("/var/lib/lxcfs"));
        JsonNode mounts = spec.get("mounts");
        assertEquals(1 + LxcfsFiles.PATHS.size(), mounts.size());
        assertEquals("/proc", mounts.get(0).get("destination").asText()); // after what they cover
        List<String> dests = new ArrayList<>();
        for (int i = 1; i < mounts.size(); i++) {
            JsonNode m = mounts.get(i);
            dests.add(m.get("destination").asText());
            assertEquals("/var/lib/lxcfs" + m.get("destination").asText(), m.get("source").asText());
            assertEquals("bind", m.get("type").asText());
            assertTrue(m.get("options").toString().contains("\"ro\""), m.toString());
        }
        assertTrue(dests.containsAll(List.of("/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/proc/swaps",
                "/proc/uptime", "/proc/diskstats", "/proc/loadavg", "/sys/devices/system/cpu/online")), dests.toString());
    }

    private Lxcfs lxcfs(boolean enabled, boolean mounted) throws IOException {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("proc"));
        Files.writeString(home.resolve("proc/meminfo"), "MemTotal: 1 kB\n");
        List<String> table = mounted ? List.of(line(50, home.toString(), "fuse.lxcfs", "lxcfs")) : List.of();
        return new Lxcfs(new LxcfsConfig(enabled, Path.of("/usr/bin/lxcfs"), home), () -> table);
    }

    @Test
    void askingWhileTheDaemonHasLxcfsOffIsRefused() throws IOException {
        Lxcfs off = lxcfs(false, true);
        PouchException e = assertThrows(PouchException.class, () -> off.addTo(Json.MAPPER.createObjectNode()));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("EnableLxcfs") && e.getMessage().contains("--enable-lxcfs"),
                e.getMessage());
        off.requireMountedAtStart(); // off: nothing to check at start
    }

    @Test
    void askingWhileLxcfsIsNotMountedIsRefusedAndTheDaemonWouldNotStart() throws IOException {
        Lxcfs unmounted = lxcfs(true, false);
        PouchException e = assertThrows(PouchException.class, () -> unmounted.addTo(Json.MAPPER.createObjectNode()));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("not mounted at " + dir.resolve("home")), e.getMessage());
        PouchException start = assertThrows(PouchException.class, unmounted::requireMountedAtStart);
        assertTrue(start.getMessage().contains("/usr/bin/lxcfs " + dir.resolve("home")), start.getMessage());
    }

    @Test
    void aMountWhoseFilesDoNotAnswerIsNotLive() throws IOException {
        Lxcfs l = lxcfs(true, true);
        assertEquals(OptionalLong.of(50), l.liveMountId());
        Files.delete(dir.resolve("home/proc/meminfo")); // what a dead FUSE connection looks like to a stat
        assertEquals(OptionalLong.empty(), l.liveMountId());
    }

    @Test
    void theHookAddsNothingUnlessTheContainerAsks() throws IOException {
        Lxcfs.install(lxcfs(true, true));
        try {
            ObjectNode spec = Json.MAPPER.createObjectNode();
            Lxcfs.addMounts(spec, HostConfig.empty());
            assertFalse(spec.has("mounts"));
            Lxcfs.addMounts(spec, HostConfig.builder().enableLxcfs(true).build());
            assertEquals(LxcfsFiles.PATHS.size(), spec.get("mounts").size());
        } finally {
            Lxcfs.install(new Lxcfs(new LxcfsConfig(false, Path.of("/usr/bin/lxcfs"), Path.of("/var/lib/lxcfs")),
                    List::of));
        }
    }

    @Test
    void remountGoesOnPastAFailingContainerAndReportsEach() throws IOException {
        List<Long> bound = new ArrayList<>();
        LxcfsRemounter r = new LxcfsRemounter(lxcfs(true, true), () -> List.of(new LxcfsRemounter.Target("a", 10),
                new LxcfsRemounter.Target("b", 11), new LxcfsRemounter.Target("c", 12)), (pid, binds) -> {
            if (pid == 11) {
                throw new IOException("enter the mount namespace of process 11: No such process");
            }
            assertEquals(LxcfsFiles.PATHS.size(), binds.size());
            bound.add(pid);
        }, t -> t.pid() == 12);
        List<LxcfsRemounter.Result> results = r.remountAll();
        assertEquals(List.of(10L, 12L), bound);
        assertEquals(List.of(new LxcfsRemounter.Result("a", "OK"),
                new LxcfsRemounter.Result("b", "enter the mount namespace of process 11: No such process"),
                new LxcfsRemounter.Result("c", "OK")), results);
        bound.clear();
        assertEquals(List.of(new LxcfsRemounter.Result("c", "OK")), r.remountStale());
        assertEquals(List.of(12L), bound);
        LxcfsRemounter off = new LxcfsRemounter(lxcfs(false, true), List::of, (pid, binds) -> { }, t -> true);
        assertEquals(400, assertThrows(PouchException.class, off::remountAll).status());
    }

    @Test
    void configKeysAndFlags() {
        Path none = dir.resolve("missing.json");
        LxcfsConfig d = ConfigLoader.loadLxcfs(Map.of(), none);
        assertEquals(new LxcfsConfig(false, Path.of("/usr/bin/lxcfs"), Path.of("/var/lib/lxcfs")), d);
        LxcfsConfig on = ConfigLoader.loadLxcfs(Map.of("enable-lxcfs", true, "lxcfs", "/opt/lxcfs",
                "lxcfs-home", "/tmp/lx/"), none);
        assertEquals(new LxcfsConfig(true, Path.of("/opt/lxcfs"), Path.of("/tmp/lx")), on);
        assertTrue(assertThrows(PouchException.class, () -> ConfigLoader.loadLxcfs(Map.of("lxcfs-home", "rel"), none))
                .getMessage().contains("lxcfs-home"));
        assertTrue(assertThrows(PouchException.class, () -> ConfigLoader.loadLxcfs(Map.of("enable-lxcfs", "yes"),
                none)).getMessage().contains("enable-lxcfs"));
    }

    @Test
    void configFileKeysAreKnown() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"enable-lxcfs\": true, \"lxcfs\": \"/usr/bin/lxcfs\", \"lxcfs-home\": \"/x\"}");
        ConfigLoader.load(Map.of(), file); // unknown keys would be refused here
        assertEquals(Path.of("/x"), ConfigLoader.loadLxcfs(Map.of(), file).home());
        assertThrows(PouchException.class, () -> ConfigLoader.load(Map.of("enable-lxcfs", false), file));
    }

    @Test
    void podAndContainerAnnotations() {
        String k = LxcfsAnnotation.KEY;
        assertEquals("io.kubernetes.lxcfs.enabled", k);
        assertFalse(LxcfsAnnotation.enabled(Map.of(), Map.of()));
        assertTrue(LxcfsAnnotation.enabled(Map.of(k, "true"), Map.of()));
        assertFalse(LxcfsAnnotation.enabled(Map.of(k, "true"), Map.of(k, "false")));
        assertTrue(LxcfsAnnotation.enabled(Map.of(), Map.of(k, "1")));
        PouchException e = assertThrows(PouchException.class, () -> LxcfsAnnotation.enabled(Map.of(k, "yes"), Map.of()));
        assertTrue(e.getMessage().contains("pod sandbox annotation io.kubernetes.lxcfs.enabled=\"yes\""),
                e.getMessage());
    }
}
