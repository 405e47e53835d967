package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pouch.daemon.volume.TestVolumePlugin;
import io.pouch.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Volumes and mounts through the real docker CLI (issue 6). */
@Tag("e2e")
class VolumeEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PouchdHarness d;
    private static final List<String> containers = new ArrayList<>();
    private static final List<String> volumes = new ArrayList<>();

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    @AfterAll
    static void cleanUp() {
        for (String c : containers) {
            d.docker("rm", "-fv", c);
        }
        for (String v : volumes) {
            d.docker("volume", "rm", "-f", v);
        }
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String volume(String prefix) {
        String v = name(prefix);
        volumes.add(v);
        return v;
    }

    private static String container(String prefix) {
        String c = name(prefix);
        containers.add(c);
        return c;
    }

    private static String volumeNames() {
        return d.docker("volume", "ls", "-q").ok().out();
    }

    @Test
    void namedVolumeKeepsDataAcrossContainersAndRoIsEnforced() throws Exception {
        String v = volume("data");
        assertEquals(v, d.docker("volume", "create", v).ok().trimmed());
        d.docker("run", "--rm", "-v", v + ":/data", "busybox", "sh", "-c", "echo persisted > /data/f").ok();
        assertEquals("persisted", d.docker("run", "--rm", "-v", v + ":/data", "busybox", "cat", "/data/f").ok()
                .trimmed());
        Cmd.Result ro = d.docker("run", "--rm", "-v", v + ":/data:ro", "busybox", "sh", "-c", "echo x > /data/g");
        assertNotEquals(0, ro.exit(), ro.toString());
        assertTrue(ro.err().contains("Read-only file system"), ro.toString());
        JsonNode vi = JSON.readTree(d.docker("volume", "inspect", v).ok().out()).get(0);
        assertEquals("local", vi.get("Driver").asText());
        assertEquals(v, vi.get("Name").asText());
        assertTrue(Files.isRegularFile(Path.of(vi.get("Mountpoint").asText(), "f")));
        d.docker("volume", "rm", v).ok();
        assertFalse(volumeNames().contains(v));
    }

    @Test
    void volumeInUseCannotBeRemovedAndInspectShowsMounts() throws Exception {
        String v = volume("inuse");
        String c = container("user");
        Path host = Files.createTempDirectory(d.base(), "bind");
        String id = d.docker("create", "--name", c, "-v", v + ":/data", "-v", host + ":/h:ro",
                "--tmpfs", "/t:size=1m", "busybox", "true").ok().trimmed();
        Cmd.Result r = d.docker("volume", "rm", v);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("remove " + v + ": volume is in use - [" + id + "]"), r.toString());
        JsonNode mounts = JSON.readTree(d.docker("inspect", "-f", "{{json .Mounts}}", c).ok().out());
        assertEquals(3, mounts.size(), mounts.toString());
        for (JsonNode m : mounts) {
            switch (m.get("Type").asText()) {
                case "volume" -> {
                    assertEquals(v, m.get("Name").asText());
                    assertEquals("/data", m.get("Destination").asText());
                    assertEquals("local", m.get("Driver").asText());
                    assertTrue(m.get("RW").asBoolean());
                }
                case "bind" -> {
                    assertEquals(host.toString(), m.get("Source").asText());
                    assertFalse(m.get("RW").asBoolean());
                    assertEquals("rprivate", m.get("Propagation").asText());
                }
                default -> assertEquals("/t", m.get("Destination").asText());
            }
        }
        String ps = d.docker("ps", "-a", "--filter", "name=" + c, "--format", "{{.Mounts}}").ok().trimmed();
        assertTrue(ps.contains(v), ps);
        d.docker("rm", c).ok();
        d.docker("volume", "rm", v).ok();
    }

    @Test
    void volumesFromSharesVolumesWithModeOverride() {
        String v = volume("shared");
        String src = container("src");
        d.docker("create", "--name", src, "-v", v + ":/shared", "-v", "/anon", "busybox", "true").ok();
        d.docker("run", "--rm", "--volumes-from", src, "busybox", "sh", "-c",
                "echo from-other > /shared/x && touch /anon/y").ok();
        assertEquals("from-other", d.docker("run", "--rm", "--volumes-from", src + ":ro", "busybox", "cat",
                "/shared/x").ok().trimmed());
        Cmd.Result w = d.docker("run", "--rm", "--volumes-from", src + ":ro", "busybox", "touch", "/shared/z");
        assertNotEquals(0, w.exit(), w.toString());
        Cmd.Result missing = d.docker("run", "--rm", "--volumes-from", "no-such-" + UUID.randomUUID(), "busybox",
                "true");
        assertEquals(125, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("No such container"), missing.toString());
        d.docker("rm", "-v", src).ok();
    }

    @Test
    void tmpfsSizeLimitIsEnforced() {
        Cmd.Result r = d.docker("run", "--rm", "--tmpfs", "/t:size=1m", "busybox", "sh", "-c",
                "dd if=/dev/zero of=/t/big bs=1k count=2048");
        assertNotEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("No space left on device"), r.toString());
        Cmd.Result m = d.docker("run", "--rm", "--mount", "type=tmpfs,destination=/t,tmpfs-size=1m", "busybox",
                "sh", "-c", "dd if=/dev/zero of=/t/big bs=1k count=2048");
        assertNotEquals(0, m.exit(), m.toString());
        assertEquals("ok", d.docker("run", "--rm", "--tmpfs", "/t:size=1m", "busybox", "sh", "-c",
                "dd if=/dev/zero of=/t/small bs=1k count=512 2>/dev/null && echo ok").ok().trimmed());
    }

    @Test
    void emptyNamedVolumeIsFilledFromTheImageUnlessNocopy() {
        String v = volume("etc");
        String out = d.docker("run", "--rm", "-v", v + ":/etc", "busybox", "cat", "/etc/passwd").ok().out();
        assertTrue(out.contains("root:"), out);
        String nc = volume("nocopy");
        // (runc creates the mount points of /etc/hostname, hosts and resolv.conf in it, as with docker)
        assertEquals("none", d.docker("run", "--rm", "-v", nc + ":/etc:nocopy", "busybox", "sh", "-c",
                "test -e /etc/passwd || echo none").ok().trimmed());
        // --mount too, and a filled volume is not filled again
        String m = volume("mnt");
        d.docker("run", "--rm", "--mount", "source=" + m + ",target=/etc", "busybox", "rm", "/etc/group").ok();
        assertEquals("gone", d.docker("run", "--rm", "-v", m + ":/etc", "busybox", "sh", "-c",
                "test -e /etc/group || echo gone").ok().trimmed());
    }

    @Test
    void anonymousVolumesAreRemovedByRmV() throws Exception {
        String c = container("anon");
        d.docker("run", "--name", c, "-v", "/scratch", "busybox", "sh", "-c", "echo x > /scratch/f").ok();
        JsonNode mounts = JSON.readTree(d.docker("inspect", "-f", "{{json .Mounts}}", c).ok().out());
        String anon = mounts.get(0).get("Name").asText();
        assertEquals(64, anon.length());
        assertTrue(volumeNames().contains(anon));
        d.docker("rm", "-v", c).ok();
        assertFalse(volumeNames().contains(anon));
        // --rm removes them too; plain rm keeps them
        String c2 = container("anon-keep");
        d.docker("run", "--name", c2, "-v", "/scratch", "busybox", "true").ok();
        String kept = JSON.readTree(d.docker("inspect", "-f", "{{json .Mounts}}", c2).ok().out()).get(0)
                .get("Name").asText();
        d.docker("rm", c2).ok();
        assertTrue(volumeNames().contains(kept));
        d.docker("volume", "rm", kept).ok();
    }

    @Test
    void imageVolumesBecomeAnonymousVolumesWithTheImagesContent() throws Exception {
        Path rootfs = Files.createTempDirectory(d.base(), "volimg");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        Files.createSymbolicLink(rootfs.resolve("bin/sh"), Path.of("busybox"));
        Files.createDirectories(rootfs.resolve("data"));
        Files.writeString(rootfs.resolve("data/seed.txt"), "seeded\n");
        String tag = "e2e-volimg:" + UUID.randomUUID().toString().substring(0, 6);
        importImage(rootfs, tag, "VOLUME /data");
        try {
            String c = container("imgvol");
            assertEquals("seeded", d.docker("run", "--name", c, tag, "/bin/busybox", "cat", "/data/seed.txt").ok()
                    .trimmed());
            JsonNode mounts = JSON.readTree(d.docker("inspect", "-f", "{{json .Mounts}}", c).ok().out());
            assertEquals("/data", mounts.get(0).get("Destination").asText());
            assertEquals("volume", mounts.get(0).get("Type").asText());
            String anon = mounts.get(0).get("Name").asText();
            d.docker("rm", "-v", c).ok();
            assertFalse(volumeNames().contains(anon));
        } finally {
            d.docker("rmi", tag);
        }
    }

    @Test
    void mountTargetsThatAreSymlinksStayInsideTheContainer() throws Exception {
        String marker = "vol-escape-" + UUID.randomUUID().toString().substring(0, 8);
        Path rootfs = Files.createTempDirectory(d.base(), "symimg");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        Files.createSymbolicLink(rootfs.resolve("bin/sh"), Path.of("busybox"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createDirectories(rootfs.resolve("tmp"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.createSymbolicLink(rootfs.resolve("abs"), Path.of("/tmp/" + marker));
        // (a relative link climbing out with ".." is refused by the image loader itself; LayeredRootTest covers it)
        Files.createSymbolicLink(rootfs.resolve("nested"), Path.of("/abs/deeper"));
        Files.createSymbolicLink(rootfs.resolve("toetc"), Path.of("/etc"));
        String tag = "e2e-symimg:" + UUID.randomUUID().toString().substring(0, 6);
        importImage(rootfs, tag, null);
        try {
            String v1 = volume("abs");
            String v2 = volume("up");
            String v3 = volume("toetc");
            d.docker("run", "--rm", "-v", v1 + ":/abs", tag, "/bin/busybox", "touch", "/abs/inside").ok();
            d.docker("run", "--rm", "-v", v2 + ":/nested", tag, "/bin/busybox", "touch", "/nested/inside").ok();
            assertFalse(Files.exists(Path.of("/tmp/" + marker)), "a mount escaped to the host's /tmp");
            // the volume went to the container's own /tmp/<marker>
            String listed = d.docker("run", "--rm", "-v", v1 + ":/tmp/" + marker, "busybox", "ls",
                    "/tmp/" + marker).ok().out();
            assertTrue(listed.lines().anyMatch("inside"::equals), listed);
            // copy-up through a symlinked target reads the image's /etc, never the host's
            d.docker("run", "--rm", "-v", v3 + ":/toetc", tag, "/bin/busybox", "true").ok();
            String mp = JSON.readTree(d.docker("volume", "inspect", v3).ok().out()).get(0).get("Mountpoint")
                    .asText();
            List<String> names;
            try (var s = Files.list(Path.of(mp))) {
                names = s.map(p -> p.getFileName().toString()).toList();
            }
            // the image's one file (besides runc's mount points for hostname, hosts, resolv.conf), not the host's
            assertTrue(names.contains("passwd"), names.toString());
            assertFalse(names.contains("shadow") || names.contains("group"), names.toString());
        } finally {
            d.docker("rmi", tag);
        }
    }

    @Test
    void pluginRoundTrip() throws Exception {
        String plugin = "pouchtest" + UUID.randomUUID().toString().substring(0, 6);
        Path sock = Path.of("/run/docker/plugins", plugin + ".sock");
        Path root = Files.createTempDirectory(d.base(), "plugin");
        try (TestVolumePlugin p = new TestVolumePlugin(sock, root)) {
            String v = volume("pv");
            d.docker("volume", "create", "-d", plugin, "-o", "size=1", v).ok();
            JsonNode vi = JSON.readTree(d.docker("volume", "inspect", v).ok().out()).get(0);
            assertEquals(plugin, vi.get("Driver").asText());
            assertEquals(root.resolve(v).toString(), vi.get("Mountpoint").asText());
            d.docker("run", "--rm", "-v", v + ":/p", "busybox", "sh", "-c", "echo via-plugin > /p/f").ok();
            assertEquals("via-plugin\n", Files.readString(root.resolve(v).resolve("f")));
            // the container's volume driver creates named volumes through the plugin too
            String v2 = volume("pv2");
            d.docker("run", "--rm", "--volume-driver", plugin, "-v", v2 + ":/p", "busybox", "true").ok();
            assertTrue(Files.isDirectory(root.resolve(v2)));
            d.docker("volume", "rm", v, v2).ok();
            assertFalse(Files.exists(root.resolve(v)));
            List<String> calls = List.copyOf(p.calls);
            assertTrue(calls.contains("VolumeDriver.Create " + v), calls.toString());
            assertTrue(calls.stream().anyMatch(c -> c.startsWith("VolumeDriver.Mount " + v + " ")), calls.toString());
            assertTrue(calls.stream().anyMatch(c -> c.startsWith("VolumeDriver.Unmount " + v + " ")),
                    calls.toString());
            assertTrue(calls.contains("VolumeDriver.Remove " + v), calls.toString());
        } finally {
            Files.deleteIfExists(sock);
        }
        Cmd.Result missing = d.docker("volume", "create", "-d", "no-such-plugin", name("x"));
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("plugin \"no-such-plugin\" not found"), missing.toString());
    }

    @Test
    void badInputIsRefusedAndLeavesNothing() {
        String before = volumeNames();
        String c = name("bad");
        for (List<String> args : List.of(
                List.of("-v", "bad/name:/x"),
                List.of("-v", "ok-vol:relative"),
                List.of("-v", "okvol:/x:bogus"),
                List.of("--mount", "type=bind,source=/no/such/dir/" + c + ",target=/x"),
                List.of("--mount", "type=weird,target=/x"),
                List.of("-v", "fresh-" + c + ":/a", "--volume-driver", "no-such-plugin"),
                List.of("-v", "fresh-" + c + ":/x", "--tmpfs", "/x"))) {
            List<String> cmd = new ArrayList<>(List.of("run", "--rm", "--name", c));
            cmd.addAll(args);
            cmd.addAll(List.of("busybox", "true"));
            Cmd.Result r = d.docker(cmd.toArray(String[]::new));
            assertEquals(125, r.exit(), r.toString());
            assertTrue(r.err().contains("Error response from daemon"), r.toString());
            assertFalse(r.err().contains("Unable to find image"), r.toString());
        }
        // the docker CLI makes "..:/x" an absolute host path; the API itself refuses ".." as a volume name
        String api = d.curl("/containers/create?name=" + c, "-X", "POST", "-H", "Content-Type: application/json",
                "-d", "{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"..:/x\"]}}").out();
        assertTrue(api.contains("includes invalid characters for a local volume name") && api.endsWith("400"), api);
        assertEquals("", d.docker("ps", "-aq", "--filter", "name=" + c).ok().trimmed());
        assertEquals(before, volumeNames(), "no volume was created by a refused container");
        Cmd.Result badName = d.docker("volume", "create", "a/b");
        assertEquals(1, badName.exit());
        assertTrue(badName.err().contains("includes invalid characters for a local volume name"), badName.toString());
        Cmd.Result badOpt = d.docker("volume", "create", "-o", "nope=1", name("opt"));
        assertTrue(badOpt.err().contains("invalid option key: \"nope\""), badOpt.toString());
        assertEquals(before, volumeNames());
        Cmd.Result missing = d.docker("volume", "inspect", "no-such-volume-x");
        assertEquals(1, missing.exit());
    }

    @Test
    void pouchCliVolumeCommands() {
        String v = volume("pcli");
        assertEquals(v, d.pouch("volume", "create", "--label", "k=v", v).ok().trimmed());
        assertTrue(d.pouch("volume", "ls", "-q").ok().out().contains(v));
        assertEquals(v, d.pouch("volume", "ls", "-f", "label=k=v", "--format", "{{.Name}}").ok().out().lines()
                .filter(l -> l.equals(v)).findFirst().orElse(""));
        assertTrue(d.pouch("volume", "inspect", "-f", "{{.Driver}}", v).ok().trimmed().equals("local"));
        d.pouch("run", "--rm", "--mount", "type=volume,source=" + v + ",target=/d", "--tmpfs", "/t:size=1m",
                "busybox", "sh", "-c", "echo p > /d/f").ok();
        assertEquals(v, d.pouch("volume", "rm", v).ok().trimmed());
        Cmd.Result r = d.pouch("run", "--rm", "--mount", "bogus=1", "busybox", "true");
        assertEquals(125, r.exit(), r.toString());
    }

    /**
     * Mount propagation as dockerd: a mount the container makes under an rshared bind reaches the host, a mount the
     * host makes under an rslave bind reaches the container; a source not on a shared (or slave) mount is refused
     * with dockerd's message.
     */
    @Test
    void mountsPropagateThroughSharedAndSlaveBinds() throws Exception {
        Path dir = Files.createTempDirectory(d.base(), "propagation-");
        Path plain = Files.createTempDirectory(d.base(), "private-");
        String shared = container("rshared");
        String slave = container("rslave");
        try {
            host("mount", "--bind", dir.toString(), dir.toString());
            host("mount", "--make-rshared", dir.toString());
            d.docker("run", "-d", "--name", shared, "--privileged", "-v", dir + ":/mnt:rshared", "busybox", "sh", "-c",
                    "mkdir -p /mnt/sub && mount -t tmpfs none /mnt/sub && touch /mnt/sub/x && exec sleep 300").ok();
            Path sub = dir.resolve("sub");
            Await.until(Duration.ofSeconds(15), () -> isMountPoint(sub, "tmpfs") && Files.exists(sub.resolve("x")),
                    "the container's tmpfs at " + sub + " on the host, with its file");
            assertEquals("rshared", d.docker("inspect", "-f", "{{range .Mounts}}{{.Propagation}}{{end}}", shared).ok()
                    .trimmed());

            d.docker("run", "-d", "--name", slave, "-v", dir + ":/mnt:rslave", "busybox", "sleep", "300").ok();
            Path late = dir.resolve("late");
            Files.createDirectories(late);
            host("mount", "-t", "tmpfs", "none", late.toString());
            Await.until(Duration.ofSeconds(15), () -> d.docker("exec", slave, "cat", "/proc/self/mountinfo").ok().out()
                    .lines().anyMatch(l -> l.split(" ")[4].equals("/mnt/late")), "the host's mount in the container");

            Cmd.Result r = d.docker("run", "--rm", "-v", plain + ":/mnt:rshared", "busybox", "true");
            assertEquals(125, r.exit(), r.toString());
            assertTrue(r.err().contains("path " + plain + " is mounted on ") && r.err().contains(
                    " but it is not a shared mount"), r.toString());
            r = d.docker("run", "--rm", "-v", plain + ":/mnt:slave", "busybox", "true");
            assertEquals(125, r.exit(), r.toString());
            assertTrue(r.err().contains(" but it is not a shared or slave mount"), r.toString());
        } finally {
            d.docker("rm", "-f", shared, slave);
            // the container's tmpfs stays on the host once it is gone (as with dockerd): everything under dir goes
            Cmd.run(List.of("umount", "-R", "-l", dir.toString()), Map.of(), null, Duration.ofSeconds(30));
            Cmd.run(List.of("rm", "-rf", dir.toString(), plain.toString()), Map.of(), null, Duration.ofSeconds(30));
        }
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(dir.toString()), "mounts left");
    }

    private static void host(String... command) {
        Cmd.run(List.of(command), Map.of(), null, Duration.ofSeconds(30)).ok();
    }

    private static boolean isMountPoint(Path p, String fstype) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .anyMatch(l -> l.split(" ")[4].equals(p.toString())
                            && l.substring(l.indexOf(" - ") + 3).startsWith(fstype + " "));
        } catch (IOException e) {
            return false;
        }
    }

    private static void importImage(Path rootfs, String tag, String change) throws Exception {
        Path tar = d.base().resolve("img-" + UUID.randomUUID() + ".tar");
        Cmd.run(List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), "."), Map.of(), null,
                Duration.ofSeconds(30)).ok();
        List<String> args = new ArrayList<>(List.of("import"));
        if (change != null) {
            args.addAll(List.of("--change", change));
        }
        args.addAll(List.of(tar.toString(), tag));
        d.docker(args.toArray(String[]::new)).ok();
        Files.delete(tar);
    }
}
