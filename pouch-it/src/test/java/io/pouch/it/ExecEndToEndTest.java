package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pouch.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** exec, TTY, top, stats, cp, export, diff through the real docker CLI (and the pouch CLI where it has them). */
@Tag("e2e")
class ExecEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PouchdHarness d;
    private static String running;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
        running = name("exec");
        d.docker("run", "-d", "--name", running, "busybox", "sleep", "1000").ok();
    }

    @AfterAll
    static void cleanup() {
        d.docker("rm", "-f", running);
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void execOutputAndExitCodes() {
        Cmd.Result r = d.docker("exec", running, "sh", "-c", "echo out; echo err >&2; exit 5");
        assertEquals(5, r.exit(), r.toString());
        assertEquals("out", r.out().trim());
        assertEquals("err", r.err().trim());
        Cmd.Result missing = d.docker("exec", running, "no-such-command");
        // dockerd's exec ends with 126 for a command not found too (docker run's 127 is the CLI's reading), and
        // the runtime's message comes in the stream, so the CLI prints it on stdout, as with dockerd
        assertEquals(126, missing.exit(), missing.toString());
        assertTrue(missing.out().contains("OCI runtime exec failed: exec failed: unable to start container process: "
                + "exec: \"no-such-command\": executable file not found in $PATH"), missing.toString());
        assertEquals("x=1 /tmp 65534", d.docker("exec", "-e", "x=1", "-w", "/tmp", "-u", "nobody", running, "sh",
                "-c", "echo x=$x $(pwd) $(id -u)").ok().trimmed());
    }

    /** As dockerd: ExecIDs lists the execs that run, and is null once none does (an exec that ended is gone). */
    @Test
    void execIdsListOnlyRunningExecs() {
        String c = name("execids");
        d.docker("run", "-d", "--name", c, "busybox", "sleep", "300").ok();
        for (int i = 0; i < 5; i++) {
            d.docker("exec", c, "true").ok();
            assertEquals("null", d.docker("inspect", "-f", "{{json .ExecIDs}}", c).ok().trimmed(),
                    "right after exec " + i + " ended");
        }
        d.docker("exec", "-d", c, "sleep", "2").ok();
        String listed = d.docker("inspect", "-f", "{{json .ExecIDs}}", c).ok().trimmed();
        assertTrue(listed.matches("\\[\"[0-9a-f]{64}\"\\]"), listed);
        Await.until(Duration.ofSeconds(15),
                () -> d.docker("inspect", "-f", "{{json .ExecIDs}}", c).ok().trimmed().equals("null"),
                "ExecIDs null once the detached exec ended");
        d.docker("rm", "-f", c).ok();
    }

    /** Exec records are written off the request path: removing the container right after execs must not race them. */
    @Test
    void removeRightAfterExecs() {
        for (int i = 0; i < 5; i++) {
            String c = name("rmx");
            d.docker("run", "-d", "--name", c, "busybox", "sleep", "100").ok();
            d.docker("exec", c, "true").ok();
            d.docker("exec", "-d", c, "sleep", "5").ok();
            Cmd.Result rm = d.docker("rm", "-f", c);
            assertEquals(0, rm.exit(), rm.toString());
            assertNotEquals(0, d.docker("inspect", c).exit());
        }
    }

    @Test
    void execStdin() {
        Cmd.Result r = d.dockerWithInput("line one\nline two\n".getBytes(StandardCharsets.UTF_8), "exec", "-i",
                running, "wc", "-l");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("2", r.trimmed());
    }

    @Test
    void runInteractiveWithPipedStdinEnds() {
        Cmd.Result r = d.dockerWithInput("a\nb\nc\n".getBytes(StandardCharsets.UTF_8), "run", "-i", "--rm",
                "busybox", "wc", "-l");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("3", r.trimmed());
    }

    /**
     * The FIFOs of an exec are made while containerd registers the process: when they cannot be made (an immutable
     * FIFO directory: even root cannot add to it) the exec ends with 126 and says why, nothing hangs, and the next
     * exec works once the directory is writable again.
     */
    @Test
    void anExecWhoseFifosCannotBeMadeFailsClearly() {
        String id = d.docker("inspect", "-f", "{{.Id}}", running).ok().trimmed();
        Path fifos = d.base().resolve("run").resolve("fifo").resolve(id);
        Assumptions.assumeTrue(Files.isDirectory(fifos), "no FIFO directory at " + fifos);
        Cmd.Result lock = Cmd.run(List.of("chattr", "+i", fifos.toString()), Map.of(), null, Duration.ofSeconds(10));
        Assumptions.assumeTrue(lock.exit() == 0, "this filesystem has no immutable flag: " + lock);
        try {
            Cmd.Result r = d.docker("exec", running, "true");
            assertEquals(126, r.exit(), r.toString());
            assertTrue((r.out() + r.err()).contains("cannot create the FIFOs"), r.toString());
        } finally {
            Cmd.run(List.of("chattr", "-i", fifos.toString()), Map.of(), null, Duration.ofSeconds(10));
        }
        assertEquals("again", d.docker("exec", running, "echo", "again").ok().trimmed());
    }

    @Test
    void execInspectAndErrors() throws Exception {
        Cmd.Result c = d.curl("/containers/" + running + "/exec", "-XPOST", "-H", "Content-Type: application/json",
                "-d", "{\"Cmd\":[\"sh\",\"-c\",\"exit 7\"]}");
        assertTrue(c.out().endsWith("201"), c.toString());
        String id = JSON.readTree(c.out().substring(0, c.out().lastIndexOf('\n'))).get("Id").asText();
        assertTrue(d.curl("/exec/" + id + "/start", "-XPOST", "-H", "Content-Type: application/json", "-d",
                "{\"Detach\":true}").out().endsWith("200"));
        JsonNode in = Await.until(Duration.ofSeconds(5), () -> {
            String o = d.curl("/exec/" + id + "/json").out();
            try {
                return JSON.readTree(o.substring(0, o.lastIndexOf('\n')));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, j -> !j.get("Running").asBoolean() && j.get("ExitCode").isInt(), "the exit of exec " + id);
        assertEquals(7, in.get("ExitCode").asInt(), in.toString());
        assertEquals("sh", in.get("ProcessConfig").get("entrypoint").asText());
        // resize of a non-TTY exec: a clear conflict; starting it again: a conflict too
        assertTrue(d.curl("/exec/" + id + "/resize?h=10&w=10", "-XPOST").out().endsWith("409"));
        assertTrue(d.curl("/exec/" + id + "/start", "-XPOST", "-H", "Content-Type: application/json", "-d",
                "{\"Detach\":true}").out().endsWith("409"));
        assertTrue(d.curl("/exec/nope/json").out().endsWith("404"));

        String stopped = name("stopped");
        d.docker("create", "--name", stopped, "busybox", "true").ok();
        try {
            Cmd.Result r = d.docker("exec", stopped, "ls");
            assertNotEquals(0, r.exit());
            assertTrue(r.err().contains("is not running"), r.toString());
        } finally {
            d.docker("rm", "-f", stopped);
        }
        Cmd.Result attach = d.docker("attach", "no-such-container-x");
        assertNotEquals(0, attach.exit());
        assertTrue(attach.err().contains("No such container"), attach.toString());
        d.docker("version").ok(); // still healthy
    }

    @Test
    void topAndStats() {
        String top = d.docker("top", running).ok().out();
        assertTrue(top.contains("PID") && top.contains("sleep 1000"), top);
        String stats = d.docker("stats", "--no-stream", running).ok().out();
        assertTrue(stats.contains("CPU %") && stats.contains("MEM USAGE"), stats);
        String line = stats.lines().filter(l -> !l.startsWith("CONTAINER")).findFirst().orElseThrow();
        assertTrue(line.matches(".*\\d+\\.\\d+%.*[KMG]iB / .*"), line);
        assertTrue(d.pouch("top", running).ok().out().contains("sleep 1000"));
        assertTrue(d.pouch("stats", "--no-stream", running).ok().out().contains("%"));
    }

    @Test
    void cpBothWaysAndHostileLinks() throws Exception {
        Path dir = Files.createTempDirectory(d.base(), "cp-");
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "SECRET");
        Files.writeString(dir.resolve("in.txt"), "hostdata");
        String c = name("cp");
        d.docker("run", "-d", "--name", c, "busybox", "sh", "-c",
                "ln -s " + victim + " /tmp/vlink; ln -s ../../../../../../" + dir + " /tmp/up; "
                        + "ln -s /etc /tmp/etclink; sleep 1000").ok();
        try {
            Await.until(Duration.ofSeconds(10), () -> d.docker("exec", c, "test", "-L", "/tmp/etclink").exit() == 0,
                    "the symlink made by " + c);
            d.docker("cp", dir.resolve("in.txt").toString(), c + ":/tmp/").ok();
            assertEquals("hostdata", d.docker("exec", c, "cat", "/tmp/in.txt").ok().trimmed());
            d.docker("cp", c + ":/tmp/etclink/passwd", dir.resolve("pw").toString()).ok();
            assertTrue(Files.readString(dir.resolve("pw")).startsWith("root:"));
            // writing through links that point at the host path: host files stay untouched
            Files.writeString(dir.resolve("evil.txt"), "evil");
            d.docker("cp", dir.resolve("evil.txt").toString(), c + ":/tmp/up/");
            d.docker("cp", dir.resolve("evil.txt").toString(), c + ":/tmp/vlink");
            assertEquals("SECRET", Files.readString(victim));
            try (var s = Files.list(dir)) {
                assertEquals(List.of("evil.txt", "in.txt", "pw", "victim.txt"),
                        s.map(p -> p.getFileName().toString()).sorted().toList());
            }
            // reading through them: never the host's file
            Cmd.Result r = d.docker("cp", c + ":/tmp/up/victim.txt", dir.resolve("got").toString());
            assertNotEquals(0, r.exit());
            Cmd.Result missing = d.docker("cp", c + ":/no/such/path", dir.resolve("x").toString());
            assertNotEquals(0, missing.exit());
            assertTrue(missing.err().contains("Could not find the file"), missing.toString());
            // a stopped container
            d.docker("stop", "-t", "0", c).ok();
            d.docker("cp", dir.resolve("in.txt").toString(), c + ":/stopped.txt").ok();
            d.docker("cp", c + ":/stopped.txt", dir.resolve("back.txt").toString()).ok();
            assertEquals("hostdata", Files.readString(dir.resolve("back.txt")));
            String diff = d.docker("diff", c).ok().out();
            assertTrue(diff.contains("A /stopped.txt") && diff.contains("C /tmp"), diff);
            Cmd.Result export = Cmd.run(List.of("sh", "-c", "docker -H " + d.host() + " export " + c + " | tar t"),
                    Map.of("DOCKER_CONFIG", d.base().resolve("docker-config").toString()), null, Duration.ofSeconds(60));
            assertTrue(export.out().lines().anyMatch(l -> l.equals("stopped.txt")), export.toString());
            assertTrue(export.out().lines().anyMatch(l -> l.equals("bin/busybox")), export.toString());
        } finally {
            d.docker("rm", "-f", c);
        }
    }

    @Test
    void commitThenRunTheNewImage() {
        String c = name("commit");
        String repo = "committed-" + UUID.randomUUID().toString().substring(0, 6);
        d.docker("run", "-d", "--name", c, "busybox", "sleep", "1000").ok();
        try {
            d.docker("exec", c, "sh", "-c", "echo made-in-container > /newfile; rm /bin/vi").ok();
            String id = d.docker("commit", "-c", "CMD [\"cat\", \"/newfile\"]", "-m", "msg", c, repo + ":v1").ok()
                    .trimmed();
            assertTrue(id.startsWith("sha256:"), id);
            assertEquals("made-in-container", d.docker("run", "--rm", repo + ":v1").ok().trimmed());
            assertNotEquals(0, d.docker("run", "--rm", repo + ":v1", "ls", "/bin/vi").exit());
            String p = d.pouch("commit", c, repo + ":v2").ok().trimmed();
            assertTrue(p.startsWith("sha256:"), p);
            assertTrue(d.pouch("exec", c, "cat", "/newfile").ok().trimmed().equals("made-in-container"));
        } finally {
            d.docker("rm", "-f", c);
            d.docker("rmi", repo + ":v1", repo + ":v2");
        }
    }

    /**
     * As dockerd: an exec runs with the identity the container's process got, resolved in the container's own
     * /etc/passwd and /etc/group (a numeric USER too: its primary group from passwd, its supplementary groups from
     * group) plus GroupAdd; so does an exec that names the same user.
     */
    @Test
    void execGetsTheGroupsOfTheContainersProcess() {
        String maker = name("groups-src");
        String image = "groups-" + UUID.randomUUID().toString().substring(0, 6);
        String c = name("groups");
        try {
            d.docker("run", "--name", maker, "busybox", "sh", "-c",
                    "echo default-user:x:1000:50000::/home:/bin/sh >> /etc/passwd"
                            + " && echo group-defined-in-image:x:50000:default-user >> /etc/group").ok();
            d.docker("commit", "--change", "USER 1000", maker, image).ok();
            d.docker("run", "-d", "--name", c, "--group-add", "1234", image, "sh", "-c",
                    "id; id -G; exec sleep 300").ok();
            List<String> main = Await.until(Duration.ofSeconds(15),
                    () -> d.docker("logs", c).ok().out().lines().toList(), l -> l.size() == 2,
                    "the container's id and id -G in its log");
            assertEquals("uid=1000(default-user) gid=50000(group-defined-in-image)",
                    main.get(0).substring(0, main.get(0).indexOf(" groups=")), main.toString());
            assertEquals(List.of("1234", "50000"), List.of(main.get(1).split(" ")).stream().sorted().toList(),
                    "the main process's groups: " + main);
            assertEquals(main.get(0), d.docker("exec", c, "id").ok().trimmed(), "exec without a user");
            assertEquals(main.get(1), d.docker("exec", c, "id", "-G").ok().trimmed(), "exec without a user");
            assertEquals(main.get(1), d.docker("exec", "-u", "1000", c, "id", "-G").ok().trimmed(), "exec -u 1000");
            assertEquals(main.get(1), d.docker("exec", "-u", "default-user", c, "id", "-G").ok().trimmed(),
                    "exec -u default-user");
            // a number the container's passwd does not know: group 0, GroupAdd's groups
            assertEquals("0 1234", d.docker("exec", "-u", "4242", c, "id", "-G").ok().trimmed());
            assertEquals("7 1234", d.docker("exec", "-u", "4242:7", c, "id", "-G").ok().trimmed());
        } finally {
            d.docker("rm", "-f", c, maker);
            d.docker("rmi", image);
        }
    }

    @Test
    void ttyInARealTerminal() throws Exception {
        Assumptions.assumeTrue(Cmd.run(List.of("sh", "-c", "command -v tmux"), Map.of(), null,
                Duration.ofSeconds(5)).exit() == 0, "tmux is not installed");
        String s = "pouch-exec-" + UUID.randomUUID().toString().substring(0, 6);
        String docker = "DOCKER_CONFIG=" + d.base().resolve("docker-config") + " docker -H " + d.host();
        tmux("new-session", "-d", "-s", s, "-x", "100", "-y", "30", docker + " exec -it " + running + " sh");
        try {
            awaitPane(s, "#");
            tmux("send-keys", "-t", s, "echo hi-$((1+2)); stty size", "Enter");
            awaitPane(s, "hi-3");
            awaitPane(s, "30 100");
            tmux("send-keys", "-t", s, "exit", "Enter");
            Await.until(Duration.ofSeconds(10), () -> tmux("has-session", "-t", s).exit() != 0,
                    "the end of tmux session " + s);
        } finally {
            tmux("kill-session", "-t", s);
        }
        // run -it, then detach with ctrl-p ctrl-q: the container keeps running
        String c = name("tty");
        tmux("new-session", "-d", "-s", s, "-x", "80", "-y", "24", docker + " run -it --name " + c + " busybox sh");
        try {
            awaitPane(s, "#");
            tmux("send-keys", "-t", s, "C-p", "C-q");
            Await.until(Duration.ofSeconds(10), () -> tmux("has-session", "-t", s).exit() != 0,
                    "the end of tmux session " + s);
            assertEquals("true", d.docker("inspect", "-f", "{{.State.Running}}", c).ok().trimmed());
        } finally {
            tmux("kill-session", "-t", s);
            d.docker("rm", "-f", c);
        }
    }

    private static Cmd.Result tmux(String... args) {
        List<String> c = new ArrayList<>(List.of("tmux"));
        c.addAll(List.of(args));
        return Cmd.run(c, Map.of(), null, Duration.ofSeconds(10));
    }

    /** Waits until the tmux pane of session {@code s} shows {@code text}; fails with the pane's content. */
    private static void awaitPane(String s, String text) {
        Await.until(Duration.ofSeconds(10), () -> tmux("capture-pane", "-p", "-t", s).out(), p -> p.contains(text),
                "\"" + text + "\" in tmux pane " + s);
    }
}
