package io.pouch.it;

import io.pouch.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

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

/**
 * LXCFS: a container run with {@code --enableLxcfs} on a daemon with {@code --enable-lxcfs} reads its own memory
 * limit and cpuset from /proc and /sys; when lxcfs dies and comes back, pouchd puts the new mount's files back into
 * the running container by itself. The lxcfs is the test's own, on a private directory, so it can be killed.
 */
@Tag("e2e")
class LxcfsEndToEndTest {
    private static PrivateLxcfs lxcfs;
    private static PouchdHarness d;

    @BeforeAll
    static void start() throws Exception {
        lxcfs = PrivateLxcfs.start();
        try {
            d = PouchdHarness.startPrivate("plx", base -> { },
                    List.of("--enable-lxcfs", "--lxcfs-home", lxcfs.mount().toString()));
        } catch (RuntimeException | Error e) {
            lxcfs.close();
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
            lxcfs.close();
        }
    }

    private static String name(String what) {
        return "lx-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Cmd.Result exec(String c, String... cmd) {
        List<String> args = new ArrayList<>(List.of("exec", c));
        args.addAll(List.of(cmd));
        return d.pouch(args.toArray(String[]::new));
    }

    /**
     * procps' {@code free} (in the systemd test image) reads /proc/meminfo, so with LXCFS it shows the limit;
     * busybox's asks sysinfo(2), which no file system can change.
     */
    @Test
    void freeShowsTheMemoryLimit() {
        Path tar = Cmd.repoRoot().resolve("target/systemd.tar");
        if (!Files.exists(tar)) {
            Cmd.run(List.of(Cmd.repoRoot().resolve("scripts/build-systemd-image").toString(), tar.toString()),
                    Map.of(), null, Duration.ofMinutes(2)).ok();
        }
        d.docker("load", "-i", tar.toString()).ok();
        Cmd.Result with = d.pouch("run", "--rm", "-m", "256m", "--enableLxcfs", "pouch-test/systemd", "free", "-m");
        assertEquals("256", memTotal(with.ok().out()), with.toString());
        Cmd.Result without = d.pouch("run", "--rm", "-m", "256m", "pouch-test/systemd", "free", "-m");
        assertNotEquals("256", memTotal(without.ok().out()), without.toString());
    }

    /** The total column of free's Mem: line. */
    private static String memTotal(String free) {
        return free.lines().filter(l -> l.startsWith("Mem:")).map(l -> l.trim().split("\\s+")[1]).findFirst()
                .orElseThrow(() -> new AssertionError("no Mem: line in " + free));
    }

    @Test
    void memoryLimitAndCpusetShowInProcAndSysAndSurviveAnLxcfsRestart() throws Exception {
        String n = name("view");
        String plain = name("plain");
        try {
            d.pouch("run", "-d", "--name", n, "-m", "256m", "--cpuset-cpus", "0", "--enableLxcfs", "busybox",
                    "sleep", "3600").ok();
            d.pouch("run", "-d", "--name", plain, "-m", "256m", "busybox", "sleep", "3600").ok();
            assertEquals("true", d.pouch("inspect", "-f", "{{.HostConfig.EnableLxcfs}}", n).ok().trimmed());

            assertTrue(exec(n, "cat", "/proc/meminfo").ok().out().matches("(?s)MemTotal:\\s+262144 kB\n.*"),
                    exec(n, "cat", "/proc/meminfo").out());
            // what free(1) of procps shows as total, in MiB (busybox's free asks sysinfo(2), which no FUSE file
            // can change; its "available" column is the one it reads from /proc/meminfo)
            assertEquals("256", exec(n, "awk", "/^MemTotal:/ { print $2 / 1024 }", "/proc/meminfo").ok().trimmed());
            assertEquals("1", exec(n, "nproc").ok().trimmed());
            assertEquals("0", exec(n, "cat", "/sys/devices/system/cpu/online").ok().trimmed());
            assertEquals("1", exec(n, "grep", "-c", "^processor", "/proc/cpuinfo").ok().trimmed());
            // without --enableLxcfs the same limit does not show: it is lxcfs that makes the difference
            assertFalse(exec(plain, "cat", "/proc/meminfo").ok().out().contains(" 262144 kB"));

            lxcfs.kill();
            Await.until(Duration.ofSeconds(30), () -> exec(n, "cat", "/proc/meminfo").err()
                    .contains("Transport endpoint is not connected"), "the dead lxcfs mount seen in the container");
            // while lxcfs is down, asking for it is refused, not ignored
            Cmd.Result refused = d.pouch("create", "--enableLxcfs", "busybox", "true");
            assertEquals(125, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("lxcfs is not mounted at " + lxcfs.mount()), refused.err());

            lxcfs.restart();
            try {
                Await.until(Duration.ofSeconds(60), () -> exec(n, "cat", "/proc/meminfo"),
                        r -> r.exit() == 0 && r.out().matches("(?s)MemTotal:\\s+262144 kB\n.*"),
                        "the container reads the new lxcfs mount without a restart of its own");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\npouchd's lxcfs lines:\n" + d.log().lines()
                        .filter(l -> l.toLowerCase(java.util.Locale.ROOT).contains("lxcfs"))
                        .collect(java.util.stream.Collectors.joining("\n")), e);
            }
            assertEquals("0", exec(n, "cat", "/sys/devices/system/cpu/online").ok().trimmed());
            // one layer per file: the stale bind was replaced, not covered
            String mounts = exec(n, "cat", "/proc/self/mountinfo").ok().out();
            assertEquals(1, mounts.lines().filter(l -> l.contains(" /proc/meminfo ")).count(), mounts);

            Cmd.Result remount = d.pouch("remount-lxcfs").ok();
            String id = d.pouch("inspect", "-f", "{{.Id}}", n).ok().trimmed();
            assertTrue(remount.out().lines().anyMatch(l -> l.matches(id.substring(0, 12) + "\\s+OK")), remount.out());
            assertFalse(remount.out().contains(d.pouch("inspect", "-f", "{{.Id}}", plain).ok().trimmed()
                    .substring(0, 12)), remount.out());
            assertTrue(exec(n, "head", "-1", "/proc/meminfo").ok().out().matches("MemTotal:\\s+262144 kB\n"));
        } finally {
            d.pouch("rm", "-f", n, plain);
        }
    }

    @Test
    void aDaemonWithLxcfsOffRefusesEnableLxcfs() {
        PouchdHarness shared = PouchdHarness.shared();
        String n = name("off");
        Cmd.Result r = shared.curl("/v1.47/containers/create?name=" + n, "-X", "POST", "-H",
                "Content-Type: application/json", "-d", "{\"Image\":\"busybox\",\"HostConfig\":{\"EnableLxcfs\":true}}");
        assertTrue(r.out().endsWith("\n400"), r.toString());
        assertTrue(r.out().contains("HostConfig.EnableLxcfs true (--enableLxcfs): lxcfs is not enabled in pouchd"),
                r.out());
        Cmd.Result cli = shared.pouch("run", "--enableLxcfs", "busybox", "true");
        assertEquals(125, cli.exit(), cli.toString());
        assertTrue(cli.err().contains("lxcfs is not enabled in pouchd"), cli.err());
        assertNotEquals(0, shared.pouch("remount-lxcfs").exit());
        assertEquals("", shared.docker("ps", "-aq", "--filter", "name=" + n).ok().trimmed());
    }

    @Test
    void pouchdWillNotStartWithLxcfsEnabledAndNothingMounted() {
        Path root = Cmd.repoRoot();
        String cp = root.resolve("pouch-daemon/target/classes") + ":" + root.resolve("pouch-daemon/target/lib/*");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path nowhere = Path.of("/tmp", "pouch-it-no-lxcfs-" + UUID.randomUUID());
        Cmd.Result r = Cmd.run(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, "io.pouch.daemon.Pouchd",
                "--config-file", nowhere + ".json", "--enable-lxcfs", "--lxcfs-home", nowhere.toString()), Map.of(),
                null, Duration.ofSeconds(60));
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains(nowhere + " is not a live lxcfs mount point: run \"/usr/bin/lxcfs " + nowhere
                + "\" before pouchd"), r.toString());
    }
}
