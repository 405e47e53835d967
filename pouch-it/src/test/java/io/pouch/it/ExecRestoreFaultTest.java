package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

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

    private static JsonNode body(Cmd.Result r, int status) throws Exception {
        String out = r.out();
        int nl = out.lastIndexOf('\n');
        assertEquals(Integer.toString(status), out.substring(nl + 1), r.toString());
        return nl <= 0 ? null : JSON.readTree(out.substring(0, nl));
    }

    private static String create(String container, String script) throws Exception {
        return body(d.curl("/containers/" + container + "/exec", "-XPOST", "-H", "Content-Type: application/json",
                "-d", "{\"AttachStdout\":true,\"Cmd\":[\"sh\",\"-c\",\"" + script + "\"]}"), 201).get("Id").asText();
    }

    private static Cmd.Result start(String id, boolean detach) {
        return d.curl("/exec/" + id + "/start", "-XPOST", "-H", "Content-Type: application/json", "-d",
                "{\"Detach\":" + detach + "}");
    }

    private static JsonNode inspect(String id) throws Exception {
        return body(d.curl("/exec/" + id + "/json"), 200);
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
        int pid = 0;
        for (int i = 0; i < 50 && pid == 0; i++) {
            pid = inspect(running).get("Pid").asInt();
            Thread.sleep(50);
        }
        assertTrue(pid > 0);
        assertEquals(4, inspect(finished).get("ExitCode").asInt());
        Thread.sleep(500); // records are written within 100 ms of a change

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
        for (int i = 0; i < 150 && inspect(running).get("Running").asBoolean(); i++) {
            Thread.sleep(100);
        }
        r = inspect(running);
        assertFalse(r.get("Running").asBoolean(), r.toString());
        assertEquals(9, r.get("ExitCode").asInt(), r.toString());
        // exec works as before after the restart
        assertEquals("ok", d.docker("exec", c, "echo", "ok").ok().trimmed());
        System.out.println("exec restore: 3 exec records before kill -9, running one back as running (pid " + pid
                + "), exit codes after: " + r.get("ExitCode") + ", " + f.get("ExitCode") + ", "
                + inspect(created).get("ExitCode"));

        Path records = d.base().resolve("home/containers/" + cid + "/execs");
        assertTrue(Files.isRegularFile(records.resolve(running + ".json")));
        d.docker("rm", "-f", c).ok();
        assertTrue(d.curl("/exec/" + running + "/json").out().endsWith("404"));
        assertFalse(Files.exists(records));
    }
}
