package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pouch's disk quota on a private pouchd whose home (containerd's snapshots, the volumes) is a loop-mounted btrfs
 * with quotas enabled: the rootfs limit stops a write with EDQUOT, update raises it, a volume's size stops a
 * write, and the subvolumes and qgroups go with their container or volume. On the shared daemon, whose home is on
 * ext4 without project quota, the same requests are refused naming the field and the filesystem.
 */
@Tag("e2e")
class DiskQuotaEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path image;
    private static Path home;
    private static PouchdHarness d;

    @BeforeAll
    static void daemonOnBtrfs() throws IOException {
        image = Files.createTempFile(Path.of("/tmp"), "pouch-quota-", ".btrfs");
        sh("truncate", "-s", "600M", image.toString());
        sh("mkfs.btrfs", "-q", image.toString());
        try {
            d = PouchdHarness.startPrivate("pqb", base -> {
                try {
                    home = Files.createDirectories(base.resolve("home"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                sh("mount", "-o", "loop", image.toString(), home.toString());
                sh("btrfs", "quota", "enable", home.toString());
            }, List.of());
        } catch (RuntimeException | AssertionError e) {
            releaseFilesystem();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        try {
            if (d != null) {
                d.close();
            }
        } finally {
            releaseFilesystem();
        }
    }

    /** The mount, the loop device and the image file go whatever happened before. */
    private static void releaseFilesystem() {
        if (home != null && mounted(home)) {
            run("umount", home.toString());
        }
        if (image != null) {
            for (String line : run("losetup", "-j", image.toString()).out().split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    run("losetup", "-d", line.substring(0, colon));
                }
            }
            run("rm", "-f", image.toString());
        }
    }

    private static boolean mounted(Path p) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .anyMatch(l -> l.split(" ")[4].equals(p.toString()));
        } catch (IOException e) {
            return false;
        }
    }

    private static Cmd.Result run(String... cmd) {
        return Cmd.run(List.of(cmd), Map.of(), null, Duration.ofSeconds(60));
    }

    private static Cmd.Result sh(String... cmd) {
        return run(cmd).ok();
    }

    private static String name(String prefix) {
        return prefix + "-" + Long.toHexString(System.nanoTime());
    }

    private JsonNode inspect(String ref) throws IOException {
        String out = d.curl("/containers/" + ref + "/json").out();
        return JSON.readTree(out.substring(0, out.lastIndexOf('\n')));
    }

    /** The limits of the level-0 qgroups, by subvolume id ("none" for none). */
    private static String qgroups() {
        return sh("btrfs", "qgroup", "show", "-re", "--raw", home.toString()).out();
    }

    @Test
    void theRootfsQuotaStopsAWriteAndGoesWithTheContainer() throws IOException {
        String n = name("dq");
        Cmd.Result r = d.pouch("run", "--name", n, "--disk-quota", "10m", "busybox",
                "dd", "if=/dev/zero", "of=/big", "bs=1M", "count=20");
        assertNotEquals(0, r.exit(), r.toString());
        assertTrue((r.out() + r.err()).contains("Disk quota exceeded"), r.toString());
        JsonNode cfg = inspect(n).path("Config");
        assertEquals("10m", cfg.path("DiskQuota").path(".*").asText(), cfg.toString());
        // QuotaID -1 (the CLI's for a bare size) became the id the limit is kept under: the subvolume's qgroup
        String id = cfg.path("QuotaID").asText();
        assertTrue(id.matches("\\d+") && Long.parseLong(id) >= 256, cfg.toString());
        assertTrue(qgroups().lines().anyMatch(l -> l.startsWith("0/" + id + " ") && l.contains(" 10485760 ")),
                qgroups());
        d.docker("rm", n).ok();
        assertFalse(sh("btrfs", "subvolume", "list", home.toString()).out().contains("ID " + id + " "));
        assertFalse(qgroups().lines().anyMatch(l -> l.startsWith("0/" + id + " ")), qgroups());
    }

    @Test
    void updateRaisesTheRootfsQuota() throws IOException {
        String n = name("dqu");
        d.pouch("create", "--name", n, "--disk-quota", "/=10m", "busybox", "sh", "-c",
                "dd if=/dev/zero of=/big bs=1M count=20 && echo wrote-20m").ok();
        try {
            d.pouch("update", "--disk-quota", "/=40m", n).ok();
            Cmd.Result r = d.docker("start", "-a", n);
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().contains("wrote-20m"), r.toString());
            assertEquals("40m", inspect(n).path("Config").path("DiskQuota").path("/").asText());
            assertTrue(qgroups().contains(" 41943040 "), qgroups());
        } finally {
            d.docker("rm", "-f", n);
        }
    }

    @Test
    void anUpgradeKeepsTheRootfsQuota() {
        String n = name("dqg");
        String tag = "busybox:" + n;
        d.docker("tag", "busybox", tag).ok();
        d.pouch("run", "-d", "--name", n, "--disk-quota", "/=10m", "busybox", "sleep", "1000").ok();
        try {
            d.pouch("upgrade", "--image", tag, n, "sh", "-c",
                    "dd if=/dev/zero of=/big bs=1M count=20; echo dd-ended; sleep 1000").ok();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Cmd.Result logs;
            do {
                logs = d.docker("logs", n);
            } while (!(logs.out() + logs.err()).contains("dd-ended") && System.nanoTime() < deadline);
            assertTrue((logs.out() + logs.err()).contains("Disk quota exceeded"), logs.toString());
        } finally {
            d.docker("rm", "-f", n);
            d.docker("rmi", tag);
        }
    }

    @Test
    void aVolumesSizeStopsAWriteAndGoesWithTheVolume() {
        String v = name("dqv");
        d.docker("volume", "create", "-o", "size=10m", v).ok();
        try {
            Cmd.Result r = d.docker("run", "--rm", "-v", v + ":/v", "busybox",
                    "dd", "if=/dev/zero", "of=/v/big", "bs=1M", "count=20");
            assertNotEquals(0, r.exit(), r.toString());
            assertTrue((r.out() + r.err()).contains("Disk quota exceeded"), r.toString());
            assertTrue(sh("btrfs", "subvolume", "list", home.toString()).out().contains("volume/" + v + "/_data"));
            // a rule on the rootfs leaves the sized volume alone
            d.pouch("run", "--rm", "--disk-quota", "20m", "-v", v + ":/v", "busybox", "true").ok();
        } finally {
            d.docker("volume", "rm", v).ok();
        }
        assertFalse(sh("btrfs", "subvolume", "list", home.toString()).out().contains("volume/" + v + "/"));
    }

    @Test
    void aRuleThatWouldReachAMountWithoutQuotaIsRefusedByName() {
        Cmd.Result r = d.pouch("run", "--rm", "--disk-quota", "10m", "-v", "/tmp:/data", "busybox", "true");
        assertNotEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("DiskQuota \".*\"") && r.err().contains("/data"), r.toString());
        Cmd.Result u = d.pouch("create", "--disk-quota", "/=lots", "busybox", "true");
        assertNotEquals(0, u.exit(), u.toString());
        assertTrue(u.err().contains("DiskQuota \"/\"") && u.err().contains("lots"), u.toString());
    }

    @Test
    void aFilesystemWithoutQuotaRefusesNamingTheFieldAndTheFilesystem() {
        PouchdHarness shared = PouchdHarness.shared();
        Cmd.Result r = shared.pouch("run", "--rm", "--disk-quota", "10m", "busybox", "true");
        assertNotEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("DiskQuota") && r.err().contains("ext4"), r.toString());
        String v = name("dqx");
        Cmd.Result vol = shared.docker("volume", "create", "-o", "size=10m", v);
        assertNotEquals(0, vol.exit(), vol.toString());
        assertTrue(vol.err().contains("size=10m") && vol.err().contains("ext4"), vol.toString());
        assertFalse(shared.docker("volume", "ls", "-q").out().contains(v));
    }
}
