package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pouch.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Healthchecks through the real docker CLI, on a pouchd of its own (one test restarts it): the states, ps, the
 * health filter, the events, timeouts, the image's HEALTHCHECK and the merge with the container's, persistence.
 */
@Tag("e2e")
class HealthEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.startPrivate();
    }

    @AfterAll
    static void stop() {
        if (d != null) {
            d.close();
        }
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JsonNode health(String ref) throws Exception {
        return JSON.readTree(d.docker("inspect", "-f", "{{json .State.Health}}", ref).ok().out());
    }

    private static String status(String ref) {
        return d.docker("inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}", ref)
                .ok().trimmed();
    }

    private static void awaitStatus(String ref, String expected) {
        Await.until(Duration.ofSeconds(30), () -> status(ref).equals(expected), ref + " turns " + expected);
    }

    private static String psStatus(String ref) {
        return d.docker("ps", "-a", "--filter", "name=" + ref + "$", "--format", "{{.Status}}").ok().trimmed();
    }

    @Test
    void aFailingCheckTurnsUnhealthyThenHealthyOnceItPasses() throws Exception {
        String since = Long.toString(System.currentTimeMillis() / 1000 - 1);
        String n = name("hc");
        String id = d.docker("run", "-d", "--name", n, "--health-cmd", "test -f /tmp/ok", "--health-interval", "1s",
                "--health-retries", "2", "busybox", "sleep", "1000").ok().trimmed();
        JsonNode h = health(n);
        assertEquals("starting", h.path("Status").asText(), h.toString());
        assertEquals(0, h.path("FailingStreak").asInt());
        assertTrue(h.path("Log").isArray() && h.path("Log").isEmpty(), h.toString());
        assertTrue(psStatus(n).endsWith("(health: starting)"), psStatus(n));
        JsonNode cfg = JSON.readTree(d.docker("inspect", "-f", "{{json .Config.Healthcheck}}", n).ok().out());
        assertEquals("[\"CMD-SHELL\",\"test -f /tmp/ok\"]", cfg.path("Test").toString());

        awaitStatus(n, "unhealthy");
        h = health(n);
        assertTrue(h.path("FailingStreak").asInt() >= 2, h.toString());
        JsonNode first = h.path("Log").get(0);
        assertEquals(1, first.path("ExitCode").asInt(), h.toString());
        assertTrue(psStatus(n).endsWith("(unhealthy)"), psStatus(n));
        assertTrue(d.docker("ps", "-q", "--no-trunc", "--filter", "health=unhealthy").ok().out().contains(id));
        assertFalse(d.docker("ps", "-q", "--no-trunc", "--filter", "health=healthy").ok().out().contains(id));
        // the probes are pouchd's own execs: never listed in ExecIDs
        Await.holds(Duration.ofMillis(1500), () -> d.docker("inspect", "-f", "{{json .ExecIDs}}", n).ok().trimmed()
                .equals("null"), "no probe in ExecIDs");

        d.docker("exec", n, "touch", "/tmp/ok").ok();
        awaitStatus(n, "healthy");
        h = health(n);
        assertEquals(0, h.path("FailingStreak").asInt());
        assertTrue(h.path("Log").size() <= 5, h.toString());
        assertTrue(psStatus(n).endsWith("(healthy)"), psStatus(n));
        String pouchPs = d.pouch("ps").ok().out();
        assertTrue(pouchPs.lines().anyMatch(l -> l.contains(n) && l.contains("(healthy)")), pouchPs);
        assertTrue(d.docker("ps", "-q", "--no-trunc", "--filter", "health=healthy").ok().out().contains(id));
        assertFalse(d.docker("ps", "-q", "--no-trunc", "--filter", "health=none").ok().out().contains(id));

        // five more probes: the log keeps the last five
        Await.until(Duration.ofSeconds(30), () -> {
            try {
                return health(n).path("Log").size() == 5 && health(n).path("Log").get(0).path("ExitCode").asInt() == 0;
            } catch (Exception e) {
                return false;
            }
        }, "five successful probes in the log");

        String until = Long.toString(System.currentTimeMillis() / 1000 + 1);
        List<String> actions = d.docker("events", "--since", since, "--until", until, "--filter",
                "container=" + id, "--format", "{{.Action}}").ok().out().lines()
                .filter(a -> a.startsWith("health_status")).toList();
        assertEquals(List.of("health_status: unhealthy", "health_status: healthy"), actions);
        d.docker("rm", "-f", n).ok();
    }

    @Test
    void pauseAndStopEndTheProbesAndAStartBeginsAgain() throws Exception {
        String n = name("hcstop");
        d.docker("run", "-d", "--name", n, "--health-cmd", "echo probed >> /tmp/count", "--health-interval", "300ms",
                "busybox", "sleep", "1000").ok();
        awaitStatus(n, "healthy");
        d.docker("pause", n).ok();
        // dockerd reports unhealthy while its monitor is stopped
        assertEquals("unhealthy", status(n));
        assertTrue(psStatus(n).endsWith("(Paused)"), psStatus(n));
        int logSize = health(n).path("Log").size();
        String lastEnd = health(n).path("Log").get(logSize - 1).path("End").asText();
        Await.holds(Duration.ofSeconds(1), () -> {
            try {
                JsonNode log = health(n).path("Log");
                return log.get(log.size() - 1).path("End").asText().equals(lastEnd);
            } catch (Exception e) {
                return false;
            }
        }, "no probe while paused");
        d.docker("unpause", n).ok();
        awaitStatus(n, "healthy");

        d.docker("stop", "-t", "0", n).ok();
        assertEquals("unhealthy", status(n), "the last Health stays in inspect after a stop, as dockerd's");
        assertTrue(d.docker("ps", "-a", "-q", "--filter", "name=" + n, "--filter", "health=unhealthy").ok().trimmed()
                .length() > 0);
        assertTrue(psStatus(n).startsWith("Exited"), psStatus(n));
        String stoppedEnd = lastProbeEnd(n);
        Await.holds(Duration.ofSeconds(1), () -> lastProbeEnd(n).equals(stoppedEnd), "no probe while stopped");

        d.docker("start", n).ok();
        JsonNode h = health(n);
        assertEquals("starting", h.path("Status").asText());
        assertEquals(0, h.path("FailingStreak").asInt());
        assertFalse(h.path("Log").isEmpty(), "the log of the earlier run is kept");
        awaitStatus(n, "healthy");
        d.docker("rm", "-f", n).ok();
    }

    private static String lastProbeEnd(String n) {
        try {
            JsonNode log = health(n).path("Log");
            return log.isEmpty() ? "" : log.get(log.size() - 1).path("End").asText();
        } catch (Exception e) {
            return "error " + e;
        }
    }

    @Test
    void aProbeOverItsTimeoutIsKilledAndFailsWithDockersWords() throws Exception {
        String n = name("hcto");
        d.docker("run", "-d", "--name", n, "--health-cmd", "echo out; exec sleep 30", "--health-timeout", "300ms",
                "--health-interval", "500ms", "--health-retries", "1", "busybox", "sleep", "1000").ok();
        awaitStatus(n, "unhealthy");
        JsonNode r = health(n).path("Log").get(0);
        assertEquals(-1, r.path("ExitCode").asInt(), r.toString());
        assertEquals("Health check exceeded timeout (300ms): out\n", r.path("Output").asText());
        // the timed-out probe was killed: no sleep 30 left in the container
        Await.until(Duration.ofSeconds(5), () -> d.containerProcesses("sleep 30").isEmpty(), "probes killed");
        d.docker("rm", "-f", n).ok();
    }

    @Test
    void outputIsKeptUpTo4096BytesAndExitCodesAreRecorded() throws Exception {
        String n = name("hcout");
        d.docker("run", "-d", "--name", n, "--health-cmd",
                "for i in $(seq 1 2000); do echo 0123456789; done; exit 3", "--health-interval", "300ms",
                "busybox", "sleep", "1000").ok();
        Await.until(Duration.ofSeconds(20), () -> !lastProbeEnd(n).isEmpty(), "a probe");
        JsonNode r = health(n).path("Log").get(0);
        assertEquals(3, r.path("ExitCode").asInt());
        assertEquals(4099, r.path("Output").asText().length());
        assertTrue(r.path("Output").asText().endsWith("..."));
        d.docker("rm", "-f", n).ok();
    }

    @Test
    void theImagesHealthcheckIsInheritedFieldByFieldAndNoHealthcheckTurnsItOff() throws Exception {
        String base = name("hcbase");
        d.docker("create", "--name", base, "busybox", "true").ok();
        String img = name("hcimg");
        // docker commit --change has no HEALTHCHECK: the API's config body sets it, as a Dockerfile's would
        Cmd.Result commit = d.curl("/commit?container=" + base + "&repo=" + img + "&tag=v1", "-X", "POST", "-H",
                "Content-Type: application/json", "-d", "{\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"exit 0\"],"
                        + "\"Interval\":2000000000,\"Retries\":7,\"StartPeriod\":3000000000}}");
        assertTrue(commit.out().strip().endsWith("201"), commit.toString());
        assertEquals("{\"Test\":[\"CMD-SHELL\",\"exit 0\"],\"Interval\":2000000000,\"StartPeriod\":3000000000,"
                + "\"Retries\":7}", d.docker("image", "inspect", "-f", "{{json .Config.Healthcheck}}", img + ":v1")
                .ok().trimmed());

        String m1 = name("m1");
        d.docker("create", "--name", m1, "--health-interval", "300ms", img + ":v1", "sleep", "1000").ok();
        assertEquals("{\"Test\":[\"CMD-SHELL\",\"exit 0\"],\"Interval\":300000000,\"StartPeriod\":3000000000,"
                + "\"Retries\":7}", d.docker("inspect", "-f", "{{json .Config.Healthcheck}}", m1).ok().trimmed());
        String m2 = name("m2");
        d.docker("create", "--name", m2, "--health-cmd", "true", img + ":v1").ok();
        assertEquals("{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":2000000000,\"StartPeriod\":3000000000,"
                + "\"Retries\":7}", d.docker("inspect", "-f", "{{json .Config.Healthcheck}}", m2).ok().trimmed());
        String m3 = name("m3");
        d.docker("run", "-d", "--name", m3, "--no-healthcheck", img + ":v1", "sleep", "1000").ok();
        assertEquals("[\"NONE\"]", d.docker("inspect", "-f", "{{json .Config.Healthcheck.Test}}", m3).ok().trimmed());
        assertEquals("none", status(m3));
        assertFalse(psStatus(m3).contains("health"), psStatus(m3));
        assertTrue(d.docker("ps", "-q", "--filter", "name=" + m3, "--filter", "health=none").ok().trimmed()
                .length() > 0);

        d.docker("start", m1).ok();
        awaitStatus(m1, "healthy"); // the image's test, at the container's interval
        for (String c : List.of(m1, m2, m3, base)) {
            d.docker("rm", "-f", c).ok();
        }
        d.docker("rmi", img + ":v1").ok();
    }

    @Test
    void badHealthchecksAreRefusedWithDockerdsWords() {
        assertRefused("{\"Image\":\"busybox\",\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":500000}}",
                "Interval in Healthcheck cannot be less than 1ms");
        assertRefused("{\"Image\":\"busybox\",\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Timeout\":5}}",
                "Timeout in Healthcheck cannot be less than 1ms");
        assertRefused("{\"Image\":\"busybox\",\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"StartPeriod\":-1}}",
                "StartPeriod in Healthcheck cannot be less than 1ms");
        assertRefused("{\"Image\":\"busybox\",\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"StartInterval\":9}}",
                "StartInterval in Healthcheck cannot be less than 1ms");
        assertRefused("{\"Image\":\"busybox\",\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Retries\":-1}}",
                "Retries in Healthcheck cannot be negative");
        Cmd.Result r = d.docker("ps", "--filter", "health=x");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("Unrecognised filter value for health: x"), r.toString());
    }

    private static void assertRefused(String body, String message) {
        Cmd.Result r = d.curl("/containers/create", "-X", "POST", "-H", "Content-Type: application/json", "-d", body);
        assertTrue(r.out().contains(message), r.toString());
        assertTrue(r.out().strip().endsWith("400"), r.toString());
    }

    @Test
    void theHealthSurvivesAPouchdRestartAndProbesResume() throws Exception {
        String n = name("hcrestart");
        d.docker("run", "-d", "--name", n, "--health-cmd", "test -f /tmp/ok", "--health-interval", "500ms",
                "--health-retries", "1", "busybox", "sleep", "1000").ok();
        awaitStatus(n, "unhealthy");
        d.stopDaemon();
        d.restartDaemon();
        assertEquals("unhealthy", status(n), "the state was saved");
        assertFalse(health(n).path("Log").isEmpty());
        d.docker("exec", n, "touch", "/tmp/ok").ok();
        awaitStatus(n, "healthy"); // the probes resumed
        d.docker("rm", "-f", n).ok();
    }
}
