package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pouch.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exec records across a {@code kill -9} of pouchd (its own daemon): an exec still running comes back running with
 * its pid and later shows its exit code, a finished one keeps its exit code, a created one can still be started;
 * the records go with the container. Prints its counts.
 */
@Tag("e2e")
class ExecRestoreFaultTest {
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

    private static JsonNode body(Cmd.Result r, int status) {
        String out = r.out();
        int nl = out.lastIndexOf('\n');
        assertEquals(Integer.toString(status), out.substring(nl + 1), r.toString());
        try {
            return nl <= 0 ? null : JSON.readTree(out.substring(0, nl));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String create(String container, String script) throws Exception {
        return body(d.curl("/containers/" + container + "/exec", "-XPOST", "-H", "Content-Type: application/json",
                "-d", "{\"AttachStdout\":true,\"Cmd\":[\"sh\",\"-c\",\"" + script + "\"]}"), 201).get("Id").asText();
    }

    private static Cmd.Result start(String id, boolean detach) {
        return d.curl("/exec/" + id + "/start", "-XPOST", "-H", "Content-Type: application/json", "-d",
                "{\"Detach\":" + detach + "}");
    }

    private static JsonNode inspect(String id) {
        return body(d.curl("/exec/" + id + "/json"), 200);
    }

    /** The exec record of {@code id} as pouchd wrote it (an empty node while there is none). */
    private static JsonNode record(Path records, String id) {
        try {
            return JSON.readTree(records.resolve(id + ".json").toFile());
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    @Test
    void execRecordsSurviveKillNine() throws Exception {
        String c = "er-a";
        d.docker("run", "-d", "--name", c, "busybox", "sleep", "1000").ok();
        String cid = d.docker("inspect", "-f", "{{.Id}}", c).ok().trimmed();
        // runs until told (however long the restart takes on a loaded machine), then exits 9
        String running = create(c, "while [ ! -e /tmp/stop ]; do sleep 0.1; done; exit 9");
        assertTrue(start(running, true).out().endsWith("200"));
        String finished = create(c, "echo done; exit 4");
        assertTrue(start(finished, false).out().contains("done"));
        String created = create(c, "echo late; exit 3");
        int pid = Await.until(Duration.ofSeconds(5), () -> inspect(running).get("Pid").asInt(), p -> p > 0,
                "the pid of exec " + running);
        assertEquals(4, inspect(finished).get("ExitCode").asInt());
        // the records are written off the request's path, shortly after each change: kill once they are on disk
        Path records = d.base().resolve("home/containers/" + cid + "/execs");
        Await.until(Duration.ofSeconds(5), () -> record(records, running).path("Running").asBoolean()
                        && record(records, running).path("Pid").asInt() == pid
                        && record(records, finished).path("ExitCode").asInt(-1) == 4
                        && record(records, created).path("ID").asText().equals(created),
                "the three exec records on disk");

        d.killDaemon9();
        d.restartDaemon();

        JsonNode r = inspect(running);
        assertTrue(r.get("Running").asBoolean(), r.toString());
        assertEquals(pid, r.get("Pid").asInt());
        assertTrue(d.docker("inspect", "-f", "{{.ExecIDs}}", c).ok().trimmed().contains(running));
        JsonNode f = inspect(finished);
        assertFalse(f.get("Running").asBoolean());
        assertEquals(4, f.get("ExitCode").asInt(), f.toString());
        JsonNode n = inspect(created);
        assertFalse(n.get("Running").asBoolean());
        assertTrue(n.get("ExitCode") == null || n.get("ExitCode").isNull(), n.toString()); // not started: none
        Cmd.Result late = start(created, false);
        assertTrue(late.out().contains("late"), late + "\n" + d.log());
        assertEquals(3, inspect(created).get("ExitCode").asInt());
        // the exit of the process that ran across the restart is learnt from containerd
        d.docker("exec", c, "touch", "/tmp/stop").ok();
        r = Await.until(Duration.ofSeconds(15), () -> inspect(running), j -> !j.get("Running").asBoolean(),
                "the exit of exec " + running + " after the restart");
        assertFalse(r.get("Running").asBoolean(), r.toString());
        assertEquals(9, r.get("ExitCode").asInt(), r.toString());
        // exec works as before after the restart
        assertEquals("ok", d.docker("exec", c, "echo", "ok").ok().trimmed());
        System.out.println("exec restore: 3 exec records before kill -9, running one back as running (pid " + pid
                + "), exit codes after: " + r.get("ExitCode") + ", " + f.get("ExitCode") + ", "
                + inspect(created).get("ExitCode"));

        assertTrue(Files.isRegularFile(records.resolve(running + ".json")));
        d.docker("rm", "-f", c).ok();
        assertTrue(d.curl("/exec/" + running + "/json").out().endsWith("404"));
        assertFalse(Files.exists(records));
    }
}
