package io.pouch.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pouch cp} with local files and directories, side by side with {@code docker cp} against the same daemon:
 * the same results in the container and on the local disk, the same messages and exit codes; a running container
 * is left running (the daemon freezes it only during the copy), a paused one stays paused.
 */
@Tag("e2e")
class CpEndToEndTest {
    private static PouchdHarness d;
    private static String c;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
        c = "cp-" + UUID.randomUUID().toString().substring(0, 8);
        d.docker("run", "-d", "--name", c, "busybox", "sleep", "1000").ok();
        d.docker("exec", c, "sh", "-c", "mkdir -p /data/sub /emptyd && echo a > /data/a.txt && echo x > /data/sub/x"
                + " && ln -s /data /linkdir && ln -s a.txt /data/la").ok();
    }

    @AfterAll
    static void cleanup() {
        d.docker("rm", "-f", c);
    }

    /** A fresh local work dir with src/{file.txt,sub/s}, existing/file.txt and srclink -> src. */
    private static Path work(String tag) throws Exception {
        Path w = Files.createTempDirectory(d.base(), "cp-" + tag + "-");
        Files.createDirectories(w.resolve("src/sub"));
        Files.writeString(w.resolve("src/file.txt"), "hi\n");
        Files.writeString(w.resolve("src/sub/s"), "s\n");
        Files.createDirectories(w.resolve("existing"));
        Files.writeString(w.resolve("existing/file.txt"), "file\n");
        Files.createSymbolicLink(w.resolve("srclink"), Path.of("src"));
        return w;
    }

    private static String tree(Path w) throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(w)) {
            for (Path p : s.sorted().toList()) {
                out.add(w.relativize(p) + (Files.isSymbolicLink(p) ? "@" : Files.isDirectory(p) ? "/" : ""));
            }
        }
        return String.join(" ", out);
    }

    private static String inContainer() {
        return d.docker("exec", c, "sh", "-c", "find /tmp /emptyd | sort").ok().trimmed().replace('\n', ' ');
    }

    /**
     * Runs {@code cp args} through both CLIs (local paths given relative to a fresh work dir each) and checks
     * they agree on exit code, message, container files and local files. Returns pouch's result.
     */
    private static Cmd.Result same(String... args) throws Exception {
        String[] results = new String[2];
        Cmd.Result pouch = null;
        for (int i = 0; i < 2; i++) {
            d.docker("exec", c, "sh", "-c", "rm -rf /tmp/* /emptyd/*").ok();
            Path w = work(i == 0 ? "docker" : "pouch");
            Function<String, String> local = a -> a.startsWith(c + ":") || a.startsWith("-") ? a
                    : w.resolve(a).toString() + (a.endsWith("/") ? "/" : a.endsWith("/.") ? "/." : "");
            List<String> cmd = new ArrayList<>(List.of("cp"));
            for (String a : args) {
                cmd.add(local.apply(a));
            }
            Cmd.Result r = i == 0 ? d.docker(cmd.toArray(String[]::new)) : d.pouch(cmd.toArray(String[]::new));
            String msg = r.err().lines().filter(l -> !l.contains("level=error")).reduce("", (x, y) -> x + y)
                    .replace(w.toString(), "W");
            results[i] = r.exit() + " | " + msg + " | " + inContainer() + " | " + tree(w);
            if (i == 1) {
                pouch = r;
            }
        }
        assertEquals(results[0], results[1], "docker vs pouch for cp " + String.join(" ", args));
        return pouch;
    }

    @Test
    void fromContainerLikeDocker() throws Exception {
        assertEquals(0, same(c + ":/data", ".").exit());
        same(c + ":/data/", "newd");
        same(c + ":/data/.", "existing");
        same(c + ":/data/.", "newcontents");
        same(c + ":/data/a.txt", "existing");
        same(c + ":/data/a.txt", "renamed.txt");
        assertTrue(same(c + ":/data/a.txt", "missingdir/").err().contains("no such directory"));
        assertTrue(same(c + ":/data/a.txt", "nodir/x").err().contains("invalid output path"));
        same(c + ":/linkdir", "lnk");
        same("-L", c + ":/linkdir", "lnkL");
        same(c + ":/linkdir/", "lnkslash");
        same("-L", c + ":/data/la", "laL");
        Cmd.Result missing = same(c + ":/nope", ".");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("Could not find the file /nope in container " + c), missing.toString());
        assertTrue(same(c + ":/data", "existing/file.txt").err().contains("cannot copy directory"));
    }

    @Test
    void toContainerLikeDocker() throws Exception {
        same("src", c + ":/tmp/");
        same("src", c + ":/tmp/newname");
        same("src/.", c + ":/emptyd");
        same("src/file.txt", c + ":/tmp/f1");
        assertTrue(same("src/file.txt", c + ":/tmp/nd/").err().contains("no such directory"));
        assertTrue(same("src/file.txt", c + ":/nonexist/x").err().contains("Could not find the file /nonexist"));
        assertTrue(same("src", c + ":/data/a.txt").err().contains("cannot copy directory"));
        same("srclink", c + ":/tmp/sl");
        same("srclink/", c + ":/tmp/sl2");
        same("-L", "srclink", c + ":/tmp/sl3");
        Cmd.Result missing = same("missing", c + ":/tmp");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("no such file or directory"), missing.toString());
        assertTrue(same("a", "b").err().contains("must specify at least one container source"));
        assertTrue(same(c + ":/a", c + ":/b").err().contains("copying between containers is not supported"));
    }

    @Test
    void copyLeavesARunningContainerRunningAndAPausedOnePaused() throws Exception {
        Path w = work("state");
        d.pouch("cp", w.resolve("src").toString(), c + ":/tmp/state").ok();
        assertEquals("running false", d.docker("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", c).ok()
                .trimmed());
        // the task is not frozen: a new process runs and reads what was copied
        assertEquals("hi", d.docker("exec", c, "cat", "/tmp/state/file.txt").ok().trimmed());
        d.pouch("cp", c + ":/tmp/state/file.txt", w.resolve("back.txt").toString()).ok();
        assertEquals("hi\n", Files.readString(w.resolve("back.txt")));
        assertEquals("running false", d.docker("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", c).ok()
                .trimmed());
        d.docker("pause", c).ok();
        try {
            d.docker("cp", w.resolve("existing/file.txt").toString(), c + ":/tmp/paused.txt").ok();
            d.pouch("cp", c + ":/tmp/paused.txt", w.resolve("paused-back.txt").toString()).ok();
            assertEquals("paused true", d.docker("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", c).ok()
                    .trimmed());
        } finally {
            d.docker("unpause", c).ok();
        }
        assertEquals("file\n", Files.readString(w.resolve("paused-back.txt")));
        assertEquals("file", d.docker("exec", c, "cat", "/tmp/paused.txt").ok().trimmed());
    }

    @Test
    void archiveModeGivesFilesToTheContainersUser() throws Exception {
        String u = "cpu-" + UUID.randomUUID().toString().substring(0, 8);
        d.docker("run", "-d", "--name", u, "-u", "1234:2345", "busybox", "sleep", "1000").ok();
        try {
            Path w = work("owner");
            d.pouch("cp", "-a", w.resolve("src/file.txt").toString(), u + ":/tmp/owned").ok();
            d.pouch("cp", w.resolve("src/file.txt").toString(), u + ":/tmp/plain").ok();
            assertEquals("1234:2345 0:0", d.docker("exec", u, "sh", "-c",
                    "echo $(stat -c %u:%g /tmp/owned) $(stat -c %u:%g /tmp/plain)").ok().trimmed());
        } finally {
            d.docker("rm", "-f", u);
        }
    }

    @Test
    void tarStreamsStillWork() throws Exception {
        Cmd.Result tar = d.pouch("cp", c + ":/data/a.txt", "-").ok();
        assertTrue(tar.out().contains("a.txt"), tar.toString());
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String pouch = javaBin + " -cp " + Cmd.repoRoot().resolve("pouch-cli/target/classes") + ":"
                + Cmd.repoRoot().resolve("pouch-cli/target/lib") + "/'*' io.pouch.cli.Main -H " + d.host();
        Cmd.Result put = Cmd.run(List.of("sh", "-c", "docker -H " + d.host() + " exec " + c
                        + " tar -cf - -C /data sub | " + pouch + " cp - " + c + ":/emptyd"),
                Map.of("DOCKER_CONFIG", d.base().resolve("docker-config").toString()), null,
                Duration.ofSeconds(60));
        assertEquals(0, put.exit(), put.toString());
        assertEquals("x", d.docker("exec", c, "cat", "/emptyd/sub/x").ok().trimmed());
        Cmd.Result notDir = d.pouch("cp", "-", c + ":/data/a.txt");
        assertEquals(1, notDir.exit());
        assertTrue(notDir.err().contains("must be a directory"), notDir.toString());
    }

    @Test
    void fifosAndDevicesTravelAsDockerdCopiesThem() throws Exception {
        d.docker("exec", c, "sh", "-c", "mkdir -p /special && mkfifo -m 640 /special/pipe && mknod -m 600 /special/nul c 1 3")
                .ok();
        // out: the tar lists a FIFO ('p') and a character device ('c', 1,3) as they are, not as empty files
        Path w = work("special");
        Path tarFile = w.resolve("special.tar");
        Cmd.Result out = Cmd.run(List.of("sh", "-c", "docker -H " + d.host() + " cp " + c + ":/special - > " + tarFile),
                Map.of("DOCKER_CONFIG", d.base().resolve("docker-config").toString()), null,
                Duration.ofSeconds(60));
        assertEquals(0, out.exit(), out.toString());
        String listing = Cmd.run(List.of("tar", "-tvf", tarFile.toString()), Map.of(), null,
                Duration.ofSeconds(30)).ok().out();
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("prw-r-----") && l.endsWith("special/pipe")), listing);
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("crw-------") && l.contains("1,3")
                && l.endsWith("special/nul")), listing);
        // in: the same tar into another directory makes the FIFO and the node again
        d.docker("exec", c, "mkdir", "-p", "/special-in").ok();
        Cmd.Result in = Cmd.run(List.of("sh", "-c", "docker -H " + d.host() + " cp - " + c + ":/special-in < " + tarFile),
                Map.of("DOCKER_CONFIG", d.base().resolve("docker-config").toString()), null,
                Duration.ofSeconds(60));
        assertEquals(0, in.exit(), in.toString());
        assertEquals("p 640", d.docker("exec", c, "sh", "-c", "test -p /special-in/special/pipe && echo p $(stat -c %a "
                + "/special-in/special/pipe)").ok().trimmed());
        assertEquals("c 1,3", d.docker("exec", c, "sh", "-c", "test -c /special-in/special/nul && echo c $(stat -c "
                + "%t,%T /special-in/special/nul)").ok().trimmed());
        // the pouch CLI copying out to a local directory leaves them out rather than making empty files
        d.pouch("cp", c + ":/special", w.resolve("local").toString()).ok();
        assertFalse(Files.exists(w.resolve("local/pipe"), LinkOption.NOFOLLOW_LINKS), tree(w));
    }
}
