package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pouch.testing.Await;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Restart policies, update, upgrade, logs -f across restarts and the events of a container's life. */
@Tag("e2e")
class LifecycleEndToEndTest {
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

    private static void await(String what, Duration timeout, BooleanSupplier cond) {
        Await.until(timeout, cond, what);
    }

    private static String state(String n) {
        return d.docker("inspect", "-f", "{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}", n).trimmed();
    }

    @Test
    void onFailureRestartsUpToTheMaximumThenStaysExited() {
        String n = name("onfail");
        d.docker("run", "-d", "--name", n, "--restart", "on-failure:2", "busybox", "sh", "-c", "echo x; exit 3").ok();
        // back-off 100 + 200 ms: the two restarts are over well within 10 s
        await("2 restarts", Duration.ofSeconds(10), () -> state(n).equals("exited 2 3"));
        // a third restart would come 400 ms after the exit
        Await.holds(Duration.ofSeconds(1), () -> state(n).equals("exited 2 3"), "no restart past the maximum");
        assertEquals(3, d.docker("logs", n).ok().out().lines().count());
        d.docker("rm", "-f", n).ok();
    }

    @Test
    void onFailureDoesNotRestartASuccess() {
        String n = name("onok");
        d.docker("run", "-d", "--name", n, "--restart", "on-failure", "busybox", "true").ok();
        await("exit", Duration.ofSeconds(10), () -> state(n).startsWith("exited"));
        // a restart would come 100 ms after the exit
        Await.holds(Duration.ofMillis(500), () -> state(n).equals("exited 0 0"), "no restart after exit 0");
        d.docker("rm", "-f", n).ok();
    }

    @Test
    void alwaysRestartsUntilTheUserStopsIt() {
        String n = name("always");
        d.docker("run", "-d", "--name", n, "--restart", "always", "busybox", "sh", "-c", "sleep 0.2").ok();
        await("restarts", Duration.ofSeconds(15), () -> Integer.parseInt(state(n).split(" ")[1]) >= 3);
        d.docker("stop", "-t", "1", n).ok();
        String after = state(n);
        assertTrue(after.startsWith("exited"), after);
        Await.holds(Duration.ofMillis(1500), () -> state(n).equals(after),
                "a user's stop is never undone by the policy");
        // a user start resets the count
        d.docker("start", n).ok();
        assertEquals("0", state(n).split(" ")[1]);
        d.docker("rm", "-f", n).ok();
    }

    @Test
    void unlessStoppedRestartsAfterACrashButNotAfterKill() throws Exception {
        String n = name("unless");
        d.docker("run", "-d", "--name", n, "--restart", "unless-stopped", "busybox", "sleep", "1000").ok();
        int pid = inspect(n).path("State").path("Pid").asInt();
        // a crash from outside (not the API): the policy brings it back
        new ProcessBuilder("kill", "-9", Integer.toString(pid)).start().waitFor();
        await("restart", Duration.ofSeconds(10), () -> state(n).equals("running 1 0"));
        d.docker("kill", n).ok();
        await("exit", Duration.ofSeconds(10), () -> state(n).startsWith("exited"));
        Await.holds(Duration.ofSeconds(1), () -> state(n).startsWith("exited 1"), "no restart after a kill");
        d.docker("rm", "-f", n).ok();
    }

    @Test
    void aCrashLoopShowsRestartingWithAGrowingBackoffAndStopEndsIt() {
        String n = name("loop");
        d.docker("run", "-d", "--name", n, "--restart", "always", "busybox", "false").ok();
        // 100 + 200 + 400 + 800 ms: then the next wait is 1.6 s, long enough to be seen
        await("restarting", Duration.ofSeconds(10), () -> {
            String[] s = state(n).split(" ");
            return s[0].equals("restarting") && Integer.parseInt(s[1]) >= 4;
        });
        assertTrue(d.docker("ps", "--filter", "name=" + n, "--format", "{{.Status}}").ok().out().startsWith("Restarting (1)"));
        Cmd.Result rm = d.docker("rm", n);
        assertNotEquals(0, rm.exit());
        assertTrue(rm.err().contains("restarting"), rm.toString());
        d.docker("stop", n).ok();
        String stopped = state(n);
        assertTrue(stopped.startsWith("exited"), stopped);
        // the next restart of the loop was due 1.6 s after the last exit
        Await.holds(Duration.ofSeconds(2), () -> state(n).equals(stopped), "no restart after the stop");
        d.docker("rm", n).ok();
    }

    @Test
    void restartPolicyValidation() {
        Cmd.Result r = d.docker("run", "-d", "--restart", "on-failure:-1", "busybox", "true");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("maximum retry count cannot be negative"), r.toString());
        Cmd.Result rm = d.curl("/containers/create", "-X", "POST", "-H", "Content-Type: application/json", "-d",
                "{\"Image\":\"busybox\",\"HostConfig\":{\"AutoRemove\":true,\"RestartPolicy\":{\"Name\":\"always\"}}}");
        assertTrue(rm.out().contains("Conflicting options: --restart and --rm"), rm.toString());
        assertTrue(rm.out().strip().endsWith("400"), rm.toString());
        Cmd.Result max = d.curl("/containers/create", "-X", "POST", "-H", "Content-Type: application/json", "-d",
                "{\"Image\":\"busybox\",\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"always\",\"MaximumRetryCount\":2}}}");
        assertTrue(max.out().strip().endsWith("400"), max.toString());
    }

    @Test
    void logsFollowAcrossPolicyRestartsAndEndsWhenStoppedForGood() {
        String n = name("follow");
        d.docker("run", "-d", "--name", n, "--restart", "on-failure:2", "busybox", "sh", "-c", "echo run; exit 1").ok();
        Cmd.Result r = d.docker("logs", "-f", n);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(3, r.out().lines().filter("run"::equals).count(), r.toString());
        d.docker("rm", "-f", n).ok();
    }

    @Test
    void updateChangesTheCgroupOfARunningContainer() throws Exception {
        String n = name("update");
        String id = d.docker("run", "-d", "--name", n, "-m", "32m", "busybox", "sleep", "1000").ok().trimmed();
        d.docker("update", "--memory", "64m", "--memory-swap", "128m", "--cpus", "0.5", "--pids-limit", "40",
                "--restart", "on-failure:3", n).ok();
        assertEquals("67108864", Files.readString(Path.of("/sys/fs/cgroup/memory/pouch/" + id + "/memory.limit_in_bytes")).strip());
        assertEquals("50000", Files.readString(Path.of("/sys/fs/cgroup/cpu/pouch/" + id + "/cpu.cfs_quota_us")).strip());
        assertEquals("40", Files.readString(Path.of("/sys/fs/cgroup/pids/pouch/" + id + "/pids.max")).strip());
        JsonNode hc = inspect(n).path("HostConfig");
        assertEquals(67108864, hc.path("Memory").asLong());
        assertEquals(500000000, hc.path("NanoCpus").asLong());
        assertEquals("on-failure", hc.path("RestartPolicy").path("Name").asText());
        assertEquals(3, hc.path("RestartPolicy").path("MaximumRetryCount").asInt());
        // kept for the next start
        d.docker("restart", "-t", "1", n).ok();
        assertEquals("67108864", Files.readString(Path.of("/sys/fs/cgroup/memory/pouch/" + id + "/memory.limit_in_bytes")).strip());
        // Pouch's env and labels
        d.pouch("update", "-e", "FOO=bar", "-l", "tier=web", n).ok();
        JsonNode cfg = inspect(n).path("Config");
        assertTrue(cfg.path("Env").toString().contains("FOO=bar"), cfg.toString());
        assertEquals("web", cfg.path("Labels").path("tier").asText());
        Cmd.Result raw = d.curl("/containers/" + n + "/update", "-X", "POST", "-H", "Content-Type: application/json",
                "-d", "{\"CpuShares\":512}");
        assertTrue(raw.out().startsWith("{\"Warnings\":[]}"), raw.toString());
        d.docker("rm", "-f", n).ok();
    }

    @Test
    void upgradeSwapsTheImageAndRollsBackOnFailure() throws Exception {
        String n = name("upgrade");
        d.docker("tag", "busybox:latest", "busybox:upgrade-e2e").ok();
        String id = d.docker("run", "-d", "--name", n, "busybox", "sh", "-c", "echo v1; sleep 1000").ok().trimmed();
        d.pouch("upgrade", "--image", "busybox:upgrade-e2e", n, "sh", "-c", "echo v2; sleep 1000").ok();
        JsonNode c = inspect(n);
        assertEquals(id, c.path("Id").asText());
        assertEquals("busybox:upgrade-e2e", c.path("Config").path("Image").asText());
        assertTrue(c.path("State").path("Running").asBoolean());
        await("v2 output", Duration.ofSeconds(5), () -> d.docker("logs", n).out().contains("v2"));
        // a command that cannot start: the container runs on as it was
        Cmd.Result bad = d.pouch("upgrade", "--image", "busybox", n, "/nonexistent");
        assertNotEquals(0, bad.exit());
        c = inspect(n);
        assertEquals("busybox:upgrade-e2e", c.path("Config").path("Image").asText());
        assertTrue(c.path("State").path("Running").asBoolean(), c.toString());
        Cmd.Result missing = d.pouch("upgrade", "--image", "no-such-image:1", n);
        assertNotEquals(0, missing.exit());
        assertTrue(inspect(n).path("State").path("Running").asBoolean());
        d.docker("rm", "-f", n).ok();
        d.docker("rmi", "busybox:upgrade-e2e").ok();
    }

    @Test
    void eventsShowOneContainersLife() {
        String since = Long.toString(System.currentTimeMillis() / 1000 - 1);
        String n = name("events");
        String id = d.docker("create", "--name", n, "busybox", "sleep", "1000").ok().trimmed();
        d.docker("start", n).ok();
        d.docker("pause", n).ok();
        d.docker("unpause", n).ok();
        d.docker("update", "--cpu-shares", "256", n).ok();
        d.docker("rename", n, n + "-2").ok();
        d.docker("restart", "-t", "1", n + "-2").ok();
        d.docker("stop", "-t", "1", n + "-2").ok();
        d.docker("rm", n + "-2").ok();
        String until = Long.toString(System.currentTimeMillis() / 1000 + 1);
        List<String> actions = d.docker("events", "--since", since, "--until", until, "--filter", "type=container",
                "--filter", "container=" + id, "--format", "{{.Action}}").ok().out().lines().toList();
        // sleep as pid 1 ignores SIGTERM: each stop sends 15, then 9 after the timeout (dockerd's two kill events)
        List<String> expected = List.of("create", "start", "pause", "unpause", "update", "rename", "kill", "kill",
                "die", "stop", "start", "restart", "kill", "kill", "die", "stop", "destroy");
        assertEquals(expected, actions, actions.toString());
        assertFalse(actions.isEmpty());
    }

    /** State, exit code and finish time, as inspect shows them. */
    private static String exitState(String n) {
        return d.docker("inspect", "-f", "{{.State.Status}} {{.State.Running}} {{.State.ExitCode}} {{.State.FinishedAt}}",
                n).ok().trimmed();
    }

    private static void assertExitedWith(int code, String n, String after) {
        String s = exitState(n);
        assertTrue(s.startsWith("exited false " + code + " ") && !s.endsWith("0001-01-01T00:00:00Z"),
                "right after " + after + ": " + s);
    }

    @Test
    void killStopRestartAndWaitAnswerOnlyOnceTheExitIsRecorded() throws Exception {
        String n = name("visible");
        d.docker("run", "-d", "--name", n, "busybox", "sleep", "300").ok();
        for (int i = 0; i < 10; i++) {
            d.docker("kill", n).ok();
            assertExitedWith(137, n, "kill " + i);
            d.docker("start", n).ok();
            d.docker("stop", "-t", "0", n).ok();
            assertExitedWith(137, n, "stop " + i);
            d.docker("start", n).ok();
        }
        // a restart's stop is recorded before its start: FinishedAt of the killed run, running again
        String before = inspect(n).at("/State/FinishedAt").asText();
        d.docker("restart", "-t", "0", n).ok();
        String[] after = d.docker("inspect", "-f", "{{.State.Status}} {{.State.FinishedAt}}", n).ok().trimmed()
                .split(" ");
        assertEquals("running", after[0]);
        assertNotEquals(before, after[1], "the restart's exit is recorded");
        d.docker("rm", "-f", n).ok();
        // wait answers with the exit already recorded
        String w = name("waited");
        d.docker("run", "-d", "--name", w, "busybox", "sh", "-c", "sleep 0.5; exit 42").ok();
        assertEquals("42", d.docker("wait", w).ok().trimmed());
        assertExitedWith(42, w, "wait");
        d.docker("rm", w).ok();
    }

    @Test
    void containerPruneRemovesTheStoppedContainersItsFiltersKeep() throws Exception {
        String suite = UUID.randomUUID().toString().substring(0, 8);
        String since = Long.toString(System.currentTimeMillis() / 1000 - 1);
        String keep = d.docker("create", "--label", "suite=" + suite, "--label", "keep=1", "busybox", "true").ok()
                .trimmed();
        String gone1 = d.docker("create", "--label", "suite=" + suite, "busybox", "true").ok().trimmed();
        assertEquals(3, d.docker("run", "--label", "suite=" + suite, "busybox", "sh", "-c", "exit 3").exit());
        String gone2 = d.docker("ps", "-aq", "--no-trunc", "--filter", "label=suite=" + suite, "--filter", "exited=3").ok()
                .trimmed();
        String live = d.docker("run", "-d", "--label", "suite=" + suite, "busybox", "sleep", "300").ok().trimmed();

        // bad filters: a 400 naming them, nothing removed
        Cmd.Result bad = d.docker("container", "prune", "-f", "--filter", "color=red");
        assertNotEquals(0, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("invalid filter 'color'"), bad.toString());
        Cmd.Result badUntil = d.docker("container", "prune", "-f", "--filter", "until=soon");
        assertTrue(badUntil.err().contains("failed to parse value as time or duration: \"soon\""), badUntil.toString());
        JsonNode raw = JSON.readTree(d.curl("/containers/prune?filters=%7B%22until%22%3A%5B%221h%22%2C%222h%22%5D%7D",
                "-X", "POST").out().lines().findFirst().orElseThrow());
        assertEquals("more than one until filter specified", raw.get("message").asText());
        // until: only containers created before it; these were created just now
        String none = d.docker("container", "prune", "-f", "--filter", "until=1h", "--filter", "label=suite=" + suite)
                .ok().out();
        assertFalse(none.contains(gone1), none);

        String out = d.docker("container", "prune", "-f", "--filter", "label=suite=" + suite, "--filter",
                "label!=keep").ok().out();
        assertTrue(out.contains("Deleted Containers:") && out.contains(gone1) && out.contains(gone2), out);
        assertFalse(out.contains(keep) || out.contains(live), out);
        List<String> left = d.docker("ps", "-aq", "--no-trunc", "--filter", "label=suite=" + suite).ok().out()
                .lines().sorted().toList();
        assertEquals(List.of(keep, live).stream().sorted().toList(), left);

        // the API's answer, and the events
        String raw2 = d.curl("/containers/prune?filters=" + java.net.URLEncoder.encode(
                "{\"label\":[\"suite=" + suite + "\"]}", java.nio.charset.StandardCharsets.UTF_8), "-X", "POST").out();
        JsonNode answer = JSON.readTree(raw2.lines().findFirst().orElseThrow());
        assertEquals(List.of(keep), List.of(answer.get("ContainersDeleted").get(0).asText()), raw2);
        assertEquals(1, answer.get("ContainersDeleted").size(), raw2);
        assertTrue(answer.get("SpaceReclaimed").isNumber(), raw2);
        String until = Long.toString(System.currentTimeMillis() / 1000 + 1);
        List<String> destroyed = d.docker("events", "--since", since, "--until", until, "--filter", "type=container",
                "--filter", "event=destroy", "--filter", "label=suite=" + suite, "--format", "{{.ID}}").ok().out()
                .lines().sorted().toList();
        assertEquals(List.of(keep, gone1, gone2).stream().sorted().toList(), destroyed);
        d.docker("rm", "-f", live).ok();
    }
}
