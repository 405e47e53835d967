package io.pouch.daemon.container.exec;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.TestExchange;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.api.StdCopy;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.events.Event;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.pouch.daemon.api.TestExchange.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exec endpoints over an exec manager whose containerd processes are played by {@link FakeProcesses}. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExecRoutesTest {
    @TempDir
    Path dir;
    ExecFixture fx;
    ExecManager manager;
    Router router;

    @BeforeEach
    void setUp() throws Exception {
        fx = new ExecFixture(dir);
        manager = fx.manager();
        router = new Router();
        new ExecRoutes(manager).register(router);
    }

    private String create(String body) throws Exception {
        TestExchange ex = request("POST", "/containers/web/exec").body(body).run(router);
        assertEquals(201, ex.status());
        return ex.json().get("Id").asText();
    }

    private JsonNode inspect(String id) throws Exception {
        return request("GET", "/exec/" + id + "/json").run(router).json();
    }

    private static List<StdCopy.Frame> frames(byte[] stream) throws Exception {
        List<StdCopy.Frame> out = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(stream);
        for (StdCopy.Frame f = StdCopy.read(in); f != null; f = StdCopy.read(in)) {
            out.add(f);
        }
        return out;
    }

    @Test
    void createAnswersTheIdAndInspectShowsTheExecAsDocker() throws Exception {
        String id = create("{\"Cmd\":[\"ls\",\"-l\"],\"AttachStdout\":true,\"Tty\":true,\"User\":\"nobody\"}");
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        JsonNode i = inspect(id);
        assertEquals(id, i.get("ID").asText());
        assertFalse(i.get("Running").asBoolean());
        assertFalse(i.has("ExitCode"), "no exit code until the process exited");
        assertEquals("ls", i.get("ProcessConfig").get("entrypoint").asText());
        assertEquals("-l", i.get("ProcessConfig").get("arguments").get(0).asText());
        assertEquals("nobody", i.get("ProcessConfig").get("user").asText());
        assertTrue(i.get("ProcessConfig").get("tty").asBoolean());
        assertTrue(i.get("OpenStdout").asBoolean());
        assertFalse(i.get("CanRemove").asBoolean());
        assertEquals(ExecFixture.CID, i.get("ContainerID").asText());
        assertEquals("", i.get("DetachKeys").asText());
        assertEquals(0, i.get("Pid").asInt());
        assertEquals(List.of(id), manager.execIds(ExecFixture.CID));
        Event created = fx.events.getFirst();
        assertEquals("exec_create: ls -l", created.action());
        assertEquals(id, created.actor().attributes().get("execID"));
        assertEquals("front", created.actor().attributes().get("tier"));
        assertEquals("web", created.actor().attributes().get("name"));
        // the process prepared in the background is awaited and given back: nothing of it outlives the test
        manager.awaitPrepared(manager.claim(manager.get(id))).close();
    }

    @Test
    void createIsRefusedWithoutACommandOrARunningContainer() throws Exception {
        PouchException noCmd = assertThrows(PouchException.class,
                () -> request("POST", "/containers/web/exec").body("{\"Cmd\":[]}").run(router));
        assertEquals(400, noCmd.status());
        assertEquals("No exec command specified", noCmd.getMessage());
        assertEquals(404, assertThrows(PouchException.class,
                () -> request("POST", "/containers/nope/exec").body("{\"Cmd\":[\"sh\"]}").run(router)).status());
        fx.container(false, false, 0);
        PouchException stopped = assertThrows(PouchException.class,
                () -> request("POST", "/containers/" + ExecFixture.CID + "/exec").body("{\"Cmd\":[\"sh\"]}")
                        .run(router));
        assertEquals(409, stopped.status());
        assertEquals("Container " + ExecFixture.CID + " is not running", stopped.getMessage());
    }

    @Test
    void anAttachedStartStreamsTheOutputAndEndsOnceTheExitCodeIsKnown() throws Exception {
        fx.processes.program = (in, out, err) -> {
            out.write("out\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            err.write("err\n".getBytes(StandardCharsets.UTF_8));
            return 3;
        };
        String id = create("{\"Cmd\":[\"sh\",\"-c\",\"x\"],\"AttachStdout\":true,\"AttachStderr\":true}");
        TestExchange start = request("POST", "/exec/" + id + "/start").body("{\"Detach\":false}").run(router);
        assertTrue(start.hijacked());
        assertTrue(start.closed());
        assertEquals(StdCopy.MULTIPLEXED_STREAM, start.contentType());
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        for (StdCopy.Frame f : frames(start.bytes())) {
            (f.stream() == StdCopy.STDOUT ? stdout : stderr).write(f.payload());
        }
        assertEquals("out\n", stdout.toString(StandardCharsets.UTF_8));
        assertEquals("err\n", stderr.toString(StandardCharsets.UTF_8));
        // the stream ended after the exit code was set: the inspect the CLI sends next sees it
        JsonNode i = inspect(id);
        assertEquals(3, i.get("ExitCode").asInt());
        assertFalse(i.get("Running").asBoolean());
        assertTrue(i.get("CanRemove").asBoolean());
        assertEquals(4242, i.get("Pid").asInt());
        assertTrue(fx.processes.calls.indexOf("wait " + id) < fx.processes.calls.indexOf("start " + id),
                "Tasks.Wait is sent before Tasks.Start: " + fx.processes.calls);
        ExecFixture.await(() -> fx.processes.calls.contains("delete " + id), "the exited process's deletion");
        ExecFixture.await(() -> fx.events.stream().anyMatch(e -> e.action().equals("exec_die")), "exec_die");
        assertEquals(List.of(), manager.execIds(ExecFixture.CID));
    }

    @Test
    void theClientsInputReachesTheProcessAndItsEndClosesStdin() throws Exception {
        fx.processes.program = (in, out, err) -> {
            in.transferTo(out);
            return 0;
        };
        String id = create("{\"Cmd\":[\"cat\"],\"AttachStdin\":true,\"AttachStdout\":true}");
        TestExchange start = request("POST", "/exec/" + id + "/start").body("{}")
                .clientInput(new ByteArrayInputStream("ping\n".getBytes(StandardCharsets.UTF_8))).run(router);
        List<StdCopy.Frame> frames = frames(start.bytes());
        assertEquals(1, frames.size());
        assertEquals("ping\n", new String(frames.getFirst().payload(), StandardCharsets.UTF_8));
        // the input's end reaches the process through the shim: CloseIO may still be on its way as the output ends
        ExecFixture.await(() -> fx.processes.calls.contains("closeStdin " + id),
                "the shim is told to close its stdin writer");
        assertEquals(0, inspect(id).get("ExitCode").asInt());
    }

    @Test
    void theDetachKeysEndTheStreamAndLeaveATtyExecRunning() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        fx.processes.program = runsUntil(release);
        String id = create("{\"Cmd\":[\"sh\"],\"AttachStdin\":true,\"AttachStdout\":true,\"Tty\":true,"
                + "\"DetachKeys\":\"ctrl-x\"}");
        TestExchange start = request("POST", "/exec/" + id + "/start").body("{}")
                .clientInput(new ByteArrayInputStream(new byte[] {0x18})).run(router);
        assertTrue(start.closed());
        assertEquals(StdCopy.RAW_STREAM, start.contentType(), "a TTY's output is raw");
        assertTrue(inspect(id).get("Running").asBoolean());
        release.countDown();
        assertEquals(0, manager.get(id).exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aDetachedStartAnswersOnceStarted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        fx.processes.program = runsUntil(release);
        String id = create("{\"Cmd\":[\"sleep\",\"1\"],\"Tty\":true}");
        TestExchange start = request("POST", "/exec/" + id + "/start").body("{\"Detach\":true,\"Tty\":true}")
                .run(router);
        assertEquals(200, start.status());
        assertFalse(start.hijacked());
        assertTrue(inspect(id).get("Running").asBoolean());
        assertEquals(List.of(id), manager.execIds(ExecFixture.CID));

        assertEquals(200, request("POST", "/exec/" + id + "/resize?h=24&w=80").run(router).status());
        assertTrue(fx.processes.calls.contains("resize " + id + " 80x24"), fx.processes.calls.toString());

        PouchException again = assertThrows(PouchException.class,
                () -> request("POST", "/exec/" + id + "/start").body("{\"Detach\":true}").run(router));
        assertEquals(409, again.status());
        assertEquals("Error: Exec command " + id + " is already running", again.getMessage());

        release.countDown();
        assertEquals(0, manager.get(id).exit.get(10, TimeUnit.SECONDS));
        PouchException ended = assertThrows(PouchException.class,
                () -> request("POST", "/exec/" + id + "/resize?h=24&w=80").run(router));
        assertEquals(409, ended.status());
        assertEquals("Exec " + id + " is not running", ended.getMessage());
    }

    @Test
    void aCommandThatIsNotFoundIsReportedInTheStreamAndEndsWith126() throws Exception {
        fx.processes.startFailure = new ContainerdException(ContainerdException.Code.OTHER,
                "exec: \"nope\": executable file not found in $PATH", null);
        String id = create("{\"Cmd\":[\"nope\"],\"AttachStdout\":true,\"Tty\":true}");
        TestExchange start = request("POST", "/exec/" + id + "/start").body("{}").run(router);
        assertEquals("OCI runtime exec failed: exec: \"nope\": executable file not found in $PATH\r\n", start.text());
        assertEquals(126, inspect(id).get("ExitCode").asInt());
        assertTrue(fx.processes.calls.contains("delete " + id));

        String detached = create("{\"Cmd\":[\"nope\"]}");
        PouchException e = assertThrows(PouchException.class,
                () -> request("POST", "/exec/" + detached + "/start").body("{\"Detach\":true}").run(router));
        assertEquals(400, e.status());
        assertEquals(126, inspect(detached).get("ExitCode").asInt());
    }

    @Test
    void unknownExecsAre404() {
        for (TestExchange ex : List.of(request("GET", "/exec/nope/json"), request("POST", "/exec/nope/start"),
                request("POST", "/exec/nope/resize?h=1&w=1"))) {
            PouchException e = assertThrows(PouchException.class, () -> ex.run(router));
            assertEquals(404, e.status());
            assertEquals("No such exec instance: nope", e.getMessage());
        }
    }

    /** An exec'd program that runs until {@code release} is counted down, then exits 0. */
    private static FakeProcesses.Program runsUntil(CountDownLatch release) {
        return (in, out, err) -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        };
    }
}
