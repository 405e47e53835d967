package io.pouch.it;

import io.pouch.testing.Await;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rich containers (pouch run --rich): the init each mode puts at PID 1, seen from inside the container; the user's
 * command as its child, after the init script; orphans reaped; a systemd image reaching "running" and stopping at
 * once on SIGRTMIN+3; Pouch's refusals of bad mode settings through the raw API and the pouch CLI.
 */
@Tag("e2e")
class RichContainerEndToEndTest {
    /** An orphan (its parent shell exits at once) that lives 0.2 s: reaped by PID 1 or left a zombie. */
    private static final String ORPHAN_CHECK = """
            sh -c 'sleep 0.2 & echo $! > /tmp/orphan'
            pid=$(cat /tmp/orphan); i=0
            while [ $i -lt 50 ]; do
              [ -e /proc/$pid ] || { echo reaped; exit 0; }
              i=$((i+1)); sleep 0.1
            done
            grep '^State:' /proc/$pid/status""";
    /** The user's command: it records whether the init script had run before it, then waits. */
    private static final String USER_CMD = "if [ -f /tmp/init-ran ]; then echo after-init; else echo no-init; fi"
            + " > /tmp/cmd-ran; exec sleep 1000";

    private static PouchdHarness d;

    @TempDir
    static Path scripts;

    @BeforeAll
    static void daemon() throws Exception {
        d = PouchdHarness.shared();
        script("init.sh", "#!/bin/sh\necho \"$1\" >> /tmp/init-ran\n");
        script("fail.sh", "#!/bin/sh\nexit 3\n");
    }

    private static void script(String name, String text) throws Exception {
        Path p = Files.writeString(scripts.resolve(name), text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(scripts, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String exec(String c, String script) {
        return d.pouch("exec", c, "sh", "-c", script).ok().trimmed();
    }

    /** The parent pid of the user's {@code sleep 1000}. */
    private static String parentOfUserCommand(String c) {
        return exec(c, "for s in /proc/[0-9]*/cmdline; do if [ \"$(tr '\\0' ' ' < $s)\" = 'sleep 1000 ' ]; then"
                + " p=${s%/cmdline}; grep '^PPid:' $p/status | cut -f2; fi; done");
    }

    private void richBusybox(String mode, String comm) {
        String c = name("rich-" + mode);
        try {
            d.pouch("run", "-d", "--name", c, "--rich", "--rich-mode", mode, "--initscript", "/rich/init.sh hello",
                    "-v", scripts + ":/rich:ro", "busybox", "sh", "-c", USER_CMD).ok();
            Await.until(Duration.ofSeconds(20), () -> d.pouch("exec", c, "cat", "/tmp/cmd-ran").exit() == 0,
                    "the user command has run");
            assertEquals(comm, exec(c, "cat /proc/1/comm"));
            assertEquals("after-init", exec(c, "cat /tmp/cmd-ran"));
            assertEquals("hello", exec(c, "cat /tmp/init-ran"));
            assertEquals("1", parentOfUserCommand(c));
            assertTrue(exec(c, "env").lines().toList().containsAll(List.of("rich_mode=true",
                    "rich_mode_launch_manner=" + mode)));
            assertEquals("reaped", exec(c, ORPHAN_CHECK));
            long t0 = System.nanoTime();
            d.pouch("stop", c).ok();
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(8).toNanos(), "stop took the whole timeout");
            d.pouch("start", c).ok(); // the init script runs again at every start
            Await.until(Duration.ofSeconds(20), () -> d.pouch("exec", c, "cat", "/tmp/init-ran").out()
                    .equals("hello\nhello\n"), "the init script has run twice");
        } finally {
            d.pouch("rm", "-f", c);
        }
    }

    @Test
    void dumbInitIsPid1AndRunsTheInitScriptThenTheCommand() {
        richBusybox("dumb-init", "dumb-init");
    }

    @Test
    void sbinInitIsTheImagesInitWithTheCommandAsItsChild() {
        richBusybox("sbin-init", "init");
    }

    @Test
    void theOrphanCheckFailsWhenPid1DoesNotReap() {
        String c = name("rich-plain");
        try {
            d.pouch("run", "-d", "--name", c, "busybox", "sleep", "1000").ok();
            assertEquals("State:\tZ (zombie)", exec(c, ORPHAN_CHECK));
        } finally {
            d.pouch("rm", "-f", c);
        }
    }

    @Test
    void aFailingInitScriptEndsTheStartWithItsCode() {
        String c = name("rich-fail");
        try {
            d.pouch("run", "-d", "--name", c, "--rich", "--initscript", "/rich/fail.sh", "-v", scripts + ":/rich:ro",
                    "busybox", "touch", "/cmd-ran").ok();
            assertEquals("3", d.pouch("wait", c).ok().trimmed());
        } finally {
            d.pouch("rm", "-f", c);
        }
    }

    @Test
    void hostConfigFieldsThroughTheRawApi() {
        String c = name("rich-api");
        try {
            Cmd.Result r = d.curl("/containers/create?name=" + c, "-H", "Content-Type: application/json", "-d",
                    "{\"Image\":\"busybox\",\"Cmd\":[\"cat\",\"/proc/1/comm\"],"
                            + "\"HostConfig\":{\"Rich\":true,\"RichMode\":\"dumb-init\"}}");
            assertTrue(r.out().strip().endsWith("201"), r.toString());
            assertEquals("dumb-init", d.docker("start", "-a", c).ok().trimmed());
            assertEquals("true dumb-init", d.pouch("inspect", "-f", "{{.Config.Rich}} {{.Config.RichMode}}", c)
                    .ok().trimmed());
        } finally {
            d.pouch("rm", "-f", c);
        }
    }

    @Test
    void badModeSettingsAreRefusedNamingThem() {
        Map<String, String> cases = Map.of(
                "{\"Image\":\"busybox\",\"Rich\":true,\"RichMode\":\"upstart\"}", "not supported rich mode: upstart",
                "{\"Image\":\"busybox\",\"RichMode\":\"systemd\"}", "must first enable rich mode",
                "{\"Image\":\"busybox\",\"HostConfig\":{\"InitScript\":\"/x.sh\"}}",
                "can only be used along with rich mode");
        cases.forEach((body, message) -> {
            Cmd.Result r = d.curl("/containers/create", "-H", "Content-Type: application/json", "-d", body);
            assertTrue(r.out().strip().endsWith("400") && r.out().contains(message), r.toString());
        });
        Cmd.Result r = d.pouch("run", "--rm", "--rich", "--rich-mode", "upstart", "busybox", "true");
        assertEquals(125, r.exit(), r.toString());
        assertTrue(r.err().contains("not supported rich mode: upstart"), r.toString());
    }

    @Test
    void systemdReachesRunningAndStopsAtOnce() throws Exception {
        Path tar = Cmd.repoRoot().resolve("target/systemd.tar");
        if (!Files.exists(tar)) {
            Cmd.run(List.of(Cmd.repoRoot().resolve("scripts/build-systemd-image").toString(), tar.toString()),
                    Map.of(), null, Duration.ofMinutes(2)).ok();
        }
        d.docker("load", "-i", tar.toString()).ok();
        String c = name("rich-systemd");
        try {
            d.pouch("run", "-d", "--name", c, "--rich", "--rich-mode", "systemd", "--initscript", "/rich/init.sh sd",
                    "-v", scripts + ":/rich:ro", "pouch-test/systemd", "sh", "-c", USER_CMD).ok();
            Cmd.Result state = d.pouch("exec", c, "systemctl", "is-system-running", "--wait");
            assertEquals("running", state.trimmed(), state.toString());
            assertEquals("systemd", exec(c, "cat /proc/1/comm"));
            assertEquals("active", exec(c, "systemctl is-active pouch-demo.service"));
            assertEquals("after-init", exec(c, "cat /tmp/cmd-ran"));
            assertEquals("1", parentOfUserCommand(c));
            assertEquals("reaped", exec(c, ORPHAN_CHECK));
            assertEquals("SIGRTMIN+3", d.pouch("inspect", "-f", "{{.Config.StopSignal}}", c).ok().trimmed());
            // systemd writes its own cgroup hierarchy; the controllers, with the container's limits, stay read-only
            assertTrue(exec(c, "ls /sys/fs/cgroup/systemd").lines().toList().contains("system.slice"));
            String write = exec(c, "{ echo -1 > /sys/fs/cgroup/memory/memory.limit_in_bytes; } 2>&1; true");
            assertTrue(write.contains("Read-only file system"), write);
            String pid = d.pouch("inspect", "-f", "{{.State.Pid}}", c).ok().trimmed();
            Path cgroup = Path.of("/sys/fs/cgroup/systemd" + Files.readAllLines(Path.of("/proc", pid, "cgroup"))
                    .stream().filter(l -> l.contains(":name=systemd:")).findFirst().orElseThrow()
                    .replaceFirst("^[0-9]+:name=systemd:", "").replaceFirst("/init\\.scope$", ""));
            assertTrue(Files.isDirectory(cgroup.resolve("system.slice")), cgroup.toString());
            long t0 = System.nanoTime();
            d.pouch("stop", c).ok();
            long took = System.nanoTime() - t0;
            assertTrue(took < Duration.ofSeconds(5).toNanos(), "stop took " + took / 1_000_000 + " ms");
            assertEquals("0", d.pouch("inspect", "-f", "{{.State.ExitCode}}", c).ok().trimmed());
            d.pouch("rm", c).ok();
            assertTrue(Files.notExists(cgroup), "the units' cgroups outlive the container: " + cgroup);
        } finally {
            d.pouch("rm", "-f", c);
        }
    }
}
