package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pouch.testing.Await;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real docker CLI against pouchd: what a user of docker would type, and what they would see. */
@Tag("e2e")
class DockerCliEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JsonNode inspect(String ref) throws Exception {
        return JSON.readTree(d.docker("inspect", ref).ok().out()).get(0);
    }

    @Test
    void versionAndInfoShowTheEngine() {
        String v = d.docker("version").ok().out();
        assertTrue(v.contains("Server"), v);
        assertTrue(v.contains("API version:"), v);
        String info = d.docker("info", "--format", "{{json .}}").ok().out();
        assertTrue(info.contains("\"NCPU\""), info);
        assertTrue(info.contains("\"OSType\":\"linux\""), info);
    }

    @Test
    void runRmEchoPrintsAndLeavesNothing() {
        String n = name("echo");
        Cmd.Result r = d.docker("run", "--rm", "--name", n, "busybox", "echo", "hello from pouch");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("hello from pouch", r.trimmed());
        assertEquals("", d.docker("ps", "-aq", "--filter", "name=" + n).ok().trimmed());
    }

    @Test
    void runPassesTheContainersExitCode() {
        assertEquals(3, d.docker("run", "--rm", "busybox", "sh", "-c", "exit 3").exit());
        assertEquals(0, d.docker("run", "--rm", "busybox", "true").exit());
    }

    @Test
    void stdoutAndStderrStayApart() {
        Cmd.Result r = d.docker("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2");
        assertEquals("out", r.trimmed());
        assertTrue(r.err().contains("err"), r.toString());
    }

    @Test
    void commandNotFoundIs127AndNotExecutableIs126() {
        Cmd.Result nf = d.docker("run", "--rm", "busybox", "no-such-binary");
        assertEquals(127, nf.exit(), nf.toString());
        assertTrue(nf.err().contains("exec: \"no-such-binary\": executable file not found in $PATH"), nf.toString());
        Cmd.Result ne = d.docker("run", "--rm", "busybox", "/etc/passwd");
        assertEquals(126, ne.exit(), ne.toString());
    }

    @Test
    void detachedLifecycle() throws Exception {
        String n = name("life");
        String id = d.docker("run", "-d", "--name", n, "-e", "GREETING=hi", "-l", "suite=e2e", "busybox",
                "sh", "-c", "echo started $GREETING; echo to-stderr >&2; sleep 300").ok().trimmed();
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        assertTrue(d.docker("ps", "--no-trunc", "-q").ok().out().contains(id));
        JsonNode j = inspect(n);
        assertEquals(id, j.get("Id").asText());
        assertEquals("/" + n, j.get("Name").asText());
        assertTrue(j.at("/State/Running").asBoolean());
        assertTrue(j.at("/State/Pid").asInt() > 0);
        assertFalse(j.at("/Config/Tty").asBoolean());
        assertEquals("e2e", j.at("/Config/Labels/suite").asText());
        String logs = awaitLogs(n, "started hi");
        assertTrue(logs.contains("started hi"), logs);
        Cmd.Result bothStreams = d.docker("logs", n);
        assertTrue(bothStreams.err().contains("to-stderr"), bothStreams.toString());
        assertEquals("e2e", d.docker("ps", "--filter", "label=suite=e2e", "--filter", "name=" + n,
                "--format", "{{.Label \"suite\"}}").ok().trimmed());

        long t0 = System.nanoTime();
        d.docker("stop", "-t", "1", n).ok();
        assertTrue(System.nanoTime() - t0 < 15_000_000_000L, "stop took too long");
        JsonNode stopped = inspect(n);
        assertFalse(stopped.at("/State/Running").asBoolean());
        assertEquals("exited", stopped.at("/State/Status").asText());
        assertEquals(id, d.docker("ps", "-aq", "--no-trunc", "--filter", "status=exited", "--filter", "name=" + n).ok().trimmed());
        d.docker("rm", n).ok();
        Cmd.Result gone = d.docker("inspect", n);
        assertNotEquals(0, gone.exit());
        assertTrue(gone.err().contains("No such"), gone.toString());
    }

    private static String awaitLogs(String n, String expected) {
        return Await.until(Duration.ofSeconds(10), () -> d.docker("logs", n).out(), logs -> logs.contains(expected),
                "\"" + expected + "\" in the logs of " + n);
    }

    @Test
    void startWaitAndExitCodes() throws Exception {
        String n = name("wait");
        d.docker("create", "--name", n, "busybox", "sh", "-c", "exit 7").ok();
        assertEquals("created", inspect(n).at("/State/Status").asText());
        d.docker("start", n).ok();
        assertEquals("7", d.docker("wait", n).ok().trimmed());
        assertEquals(7, inspect(n).at("/State/ExitCode").asInt());
        d.docker("rm", n).ok();
    }

    @Test
    void renamePauseUnpauseKill() throws Exception {
        String a = name("ren");
        String b = name("renamed");
        d.docker("run", "-d", "--name", a, "busybox", "sleep", "300").ok();
        d.docker("rename", a, b).ok();
        assertEquals("/" + b, inspect(b).get("Name").asText());
        assertNotEquals(0, d.docker("inspect", a).exit());

        d.docker("pause", b).ok();
        assertEquals("paused", inspect(b).at("/State/Status").asText());
        assertTrue(d.docker("ps", "--filter", "name=" + b).ok().out().contains("(Paused)"));
        d.docker("unpause", b).ok();
        assertEquals("running", inspect(b).at("/State/Status").asText());

        d.docker("kill", "-s", "KILL", b).ok();
        assertEquals("137", d.docker("wait", b).ok().trimmed());
        d.docker("rm", b).ok();
    }

    @Test
    void killWithASignalTheProcessHandles() throws Exception {
        String n = name("sig");
        d.docker("run", "-d", "--name", n, "busybox", "sh", "-c",
                "trap 'echo got USR1; exit 42' USR1; while true; do sleep 0.1; done").ok();
        // the signal is sent once the shell has set its trap (SIGUSR1 caught: bit 10 of SigCgt)
        String pid = d.docker("inspect", "-f", "{{.State.Pid}}", n).ok().trimmed();
        Await.until(Duration.ofSeconds(10), () -> (caughtSignals(pid) & 1L << (10 - 1)) != 0,
                "the trap of " + n + " on USR1");
        d.docker("kill", "-s", "USR1", n).ok();
        assertEquals("42", d.docker("wait", n).ok().trimmed());
        assertTrue(d.docker("logs", n).out().contains("got USR1"));
        d.docker("rm", n).ok();
    }

    /** The SigCgt mask of a process: the signals it has a handler for (bit n-1 for signal n). */
    private static long caughtSignals(String pid) {
        try {
            return Files.readAllLines(Path.of("/proc", pid, "status")).stream().filter(l -> l.startsWith("SigCgt:"))
                    .mapToLong(l -> Long.parseUnsignedLong(l.substring(7).strip(), 16)).findFirst().orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    void saveLoadTagRmiRoundTrip() throws Exception {
        String tag = "e2e-copy:" + UUID.randomUUID().toString().substring(0, 6);
        d.docker("tag", "busybox", tag).ok();
        String id = d.docker("image", "inspect", "--format", "{{.Id}}", tag).ok().trimmed();
        assertEquals(d.docker("image", "inspect", "--format", "{{.Id}}", "busybox").ok().trimmed(), id);
        assertTrue(d.docker("images", "--format", "{{.Repository}}:{{.Tag}}").ok().out().contains(tag));

        Path tar = Files.createTempFile(d.base(), "save", ".tar");
        d.docker("save", "-o", tar.toString(), tag).ok();
        assertTrue(Files.size(tar) > 100_000);
        d.docker("rmi", tag).ok();
        assertNotEquals(0, d.docker("image", "inspect", tag).exit());
        String loaded = d.docker("load", "-i", tar.toString()).ok().out();
        assertTrue(loaded.contains("Loaded image: " + tag), loaded);
        assertEquals(id, d.docker("image", "inspect", "--format", "{{.Id}}", tag).ok().trimmed());
        assertEquals("ok", d.docker("run", "--rm", tag, "echo", "ok").ok().trimmed());
        d.docker("rmi", tag).ok();
        Files.delete(tar);
    }

    @Test
    void rmiRefusedWhileAContainerUsesTheImage() throws Exception {
        // an image with a single reference: removing that reference would orphan the container's image
        Path rootfs = Files.createTempDirectory(d.base(), "rootfs");
        Files.writeString(rootfs.resolve("hello.txt"), "hi\n");
        Path tar = d.base().resolve("rootfs-" + UUID.randomUUID() + ".tar");
        Cmd.run(List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), "."), Map.of(),
                null, Duration.ofSeconds(30)).ok();
        String tag = "e2e-inuse:" + UUID.randomUUID().toString().substring(0, 6);
        d.docker("import", tar.toString(), tag).ok();
        String n = name("inuse");
        d.docker("create", "--name", n, tag, "/hello.txt").ok();
        Cmd.Result r = d.docker("rmi", tag);
        assertNotEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("is using its referenced image"), r.toString());
        d.docker("image", "inspect", tag).ok();
        d.docker("rm", n).ok();
        d.docker("rmi", tag).ok();
        assertNotEquals(0, d.docker("image", "inspect", tag).exit());
    }

    /** A fresh image only this test uses: busybox plus a file /m, committed and tagged. */
    private static String committedImage(String prefix) {
        String maker = name(prefix + "-mk");
        d.docker("run", "--name", maker, "busybox", "sh", "-c", "echo marker > /m").ok();
        String tag = prefix + ":" + UUID.randomUUID().toString().substring(0, 6);
        d.docker("commit", maker, tag).ok();
        d.docker("rm", maker).ok();
        return tag;
    }

    private static String imageId(String ref) {
        return d.docker("image", "inspect", "--format", "{{.Id}}", ref).ok().trimmed();
    }

    private static boolean imageExists(String id) {
        return d.docker("images", "-a", "-q", "--no-trunc").ok().out().lines().anyMatch(id::equals);
    }

    @Test
    void rmiOfTheLastTagDeletesTheImageUnlessARunningContainerNeedsIt() {
        // no container: untagged and deleted
        String free = committedImage("e2e-last");
        String freeId = imageId(free);
        String out = d.docker("rmi", free).ok().out();
        assertTrue(out.contains("Untagged: " + free) && out.contains("Deleted: " + freeId), out);
        assertFalse(imageExists(freeId), "no <none>:<none> left behind");

        // a stopped container: refused without force; forced, untagged and deleted, the container still starts
        String used = committedImage("e2e-stopped");
        String usedId = imageId(used);
        String stopped = name("stopped");
        String cid = d.docker("create", "--name", stopped, used, "cat", "/m").ok().trimmed();
        Cmd.Result refused = d.docker("rmi", used);
        assertNotEquals(0, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("conflict: unable to remove repository reference \"" + used
                + "\" (must force) - container " + cid.substring(0, 12) + " is using its referenced image "
                + usedId.substring(7, 19)), refused.toString());
        String forced = d.docker("rmi", "-f", used).ok().out();
        assertTrue(forced.contains("Untagged: " + used) && forced.contains("Deleted: " + usedId), forced);
        assertFalse(imageExists(usedId));
        assertEquals("marker", d.docker("start", "-a", stopped).ok().trimmed());
        d.docker("rm", stopped).ok();

        // a running container: forced, only untagged (the image stays, dangling); by id not even forced
        String live = committedImage("e2e-running");
        String liveId = imageId(live);
        String running = name("running");
        String rid = d.docker("run", "-d", "--name", running, live, "sleep", "300").ok().trimmed();
        String untagged = d.docker("rmi", "-f", live).ok().out();
        assertTrue(untagged.contains("Untagged: " + live) && !untagged.contains("Deleted:"), untagged);
        assertTrue(imageExists(liveId));
        Cmd.Result cannot = d.docker("rmi", "-f", liveId);
        assertNotEquals(0, cannot.exit(), cannot.toString());
        assertTrue(cannot.err().contains("conflict: unable to delete " + liveId.substring(7, 19)
                + " (cannot be forced) - image is being used by running container " + rid.substring(0, 12)),
                cannot.toString());
        d.docker("rm", "-f", running).ok();
        d.docker("rmi", liveId).ok();
        assertFalse(imageExists(liveId));
    }

    @Test
    void runPassesTheExitCodeEveryTime() {
        for (int i = 0; i < 20; i++) {
            Cmd.Result r = d.docker("run", "busybox", "sh", "-c", "exit 101");
            assertEquals(101, r.exit(), "run " + i + ": " + r);
        }
    }

    @Test
    void anAttachEndsOnlyOnceTheExitIsRecorded() throws Exception {
        for (int i = 0; i < 5; i++) {
            String n = name("attach");
            // the attach starts long before the exit; an attach after it would wait for the next start
            d.docker("run", "-d", "--name", n, "busybox", "sh", "-c", "echo out; sleep 1; exit 101").ok();
            Cmd.Result a = d.curl("/containers/" + n + "/attach?stream=1&stdout=1&stderr=1", "-X", "POST",
                    "-o", "/dev/null");
            assertTrue(a.out().endsWith("200"), a.toString());
            JsonNode st = inspect(n).get("State");
            assertEquals("exited", st.get("Status").asText(), "inspect right after the attach's end, run " + i);
            assertEquals(101, st.get("ExitCode").asInt());
            assertNotEquals("0001-01-01T00:00:00Z", st.get("FinishedAt").asText());
            d.docker("rm", n).ok();
        }
    }

    @Test
    void removingOneOfSeveralTagsOnlyUntags() {
        String tag = "e2e-extra:" + UUID.randomUUID().toString().substring(0, 6);
        d.docker("tag", "busybox", tag).ok();
        String out = d.docker("rmi", tag).ok().out();
        assertTrue(out.contains("Untagged: " + tag), out);
        d.docker("image", "inspect", "busybox").ok();
    }

    @Test
    void badInputGetsClearErrorsAndLeavesNothing() {
        Cmd.Result badName = d.docker("create", "--name", "bad/name!", "busybox");
        assertNotEquals(0, badName.exit());
        assertTrue(badName.err().contains("Invalid container name"), badName.toString());

        String n = name("dup");
        d.docker("create", "--name", n, "busybox", "true").ok();
        Cmd.Result dup = d.docker("create", "--name", n, "busybox", "true");
        assertNotEquals(0, dup.exit());
        assertTrue(dup.err().contains("is already in use"), dup.toString());
        d.docker("rm", n).ok();

        Cmd.Result noImage = d.docker("run", "--name", name("noimg"), "no-such-image-anywhere:1");
        assertEquals(125, noImage.exit(), noImage.toString());
        assertTrue(noImage.err().contains("Unable to find image") || noImage.err().contains("No such image"),
                noImage.toString());

        Cmd.Result noContainer = d.docker("stop", "no-such-container-xyz");
        assertNotEquals(0, noContainer.exit());
        assertTrue(noContainer.err().contains("No such container"), noContainer.toString());

        Cmd.Result badRuntime = d.docker("create", "--runtime", "no-such-runtime", "busybox", "true");
        assertNotEquals(0, badRuntime.exit());
        assertTrue(badRuntime.err().toLowerCase().contains("runtime"), badRuntime.toString());

        // none of the refused creates left a container behind
        String all = d.docker("ps", "-a", "--format", "{{.Names}}").ok().out();
        assertFalse(all.contains("noimg"), all);
    }

    @Test
    void anEmptyEntrypointWithoutCmdRunsTheImagesCmd() {
        // Pouch's Go CLI sends "Entrypoint": [] on every create; dockerd then keeps the image's Cmd (busybox: sh)
        String name = "ep-empty-" + Long.toHexString(System.nanoTime());
        Cmd.Result r = d.curl("/v1.41/containers/create?name=" + name, "-X", "POST", "-H",
                "Content-Type: application/json", "-d", "{\"Image\":\"busybox\",\"Entrypoint\":[]}");
        assertTrue(r.out().strip().endsWith("201"), r.toString());
        assertEquals("[] [sh]", d.docker("inspect", "-f", "{{json .Config.Entrypoint}} {{json .Config.Cmd}}", name)
                .ok().trimmed().replace("\"", ""));
        d.docker("rm", name).ok();
    }

    @Test
    void malformedJsonIs400WithAMessage() {
        Cmd.Result r = d.curl("/v1.41/containers/create", "-X", "POST", "-H", "Content-Type: application/json",
                "-d", "{not json");
        assertTrue(r.out().strip().endsWith("400"), r.toString());
        assertTrue(r.out().contains("\"message\""), r.toString());
    }

    @Test
    void tooNewApiVersionIsRefusedWithDockersWording() {
        Cmd.Result r = d.curl("/v9.99/version");
        assertTrue(r.out().strip().endsWith("400"), r.toString());
        assertTrue(r.out().contains("is too new"), r.toString());
    }
}
