package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pouchd's own execs (healthcheck probes): output captured, not listed, killed past their timeout. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HiddenExecsTest {
    @TempDir
    Path dir;
    ExecFixture fx;
    ExecManager manager;

    @BeforeEach
    void setUp() throws Exception {
        fx = new ExecFixture(dir);
        manager = fx.manager();
    }

    @Test
    void runsToItsExitWithItsOutputAndIsNeverListed() throws Exception {
        fx.processes.program = (in, out, err) -> {
            out.write("out\n".getBytes(StandardCharsets.UTF_8));
            err.write("err\n".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of(), manager.execIds(ExecFixture.CID), "not in ExecIDs while it runs");
            return 3;
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Integer code = manager.runHidden(ExecFixture.CID, List.of("/bin/sh", "-c", "x"), null, null, out,
                Duration.ofSeconds(10));
        assertEquals(3, code);
        String s = out.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("out\n") && s.contains("err\n"), s);
        assertEquals(List.of(), manager.execIds(ExecFixture.CID));
        String id = fx.processes.calls.get(0).substring("exec ".length());
        assertTrue(fx.processes.calls.contains("delete " + id), "released: " + fx.processes.calls);
        assertThrows(PouchException.class, () -> manager.inspect(id), "no exec record is kept");
        List<String> actions = fx.events.stream().map(e -> e.action()).toList();
        assertEquals(List.of("exec_create: /bin/sh -c x", "exec_start: /bin/sh -c x", "exec_die"), actions);
        assertEquals("3", fx.events.get(2).actor().attributes().get("exitCode"));
    }

    @Test
    void oneOverItsTimeoutIsKilled() throws Exception {
        fx.processes.program = (in, out, err) -> {
            out.write("started\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            try {
                Thread.sleep(Duration.ofHours(1));
            } catch (InterruptedException e) {
                return 137;
            }
            return 0;
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Integer code = manager.runHidden(ExecFixture.CID, List.of("sleep"), null, null, out, Duration.ofMillis(200));
        assertNull(code, "timed out");
        String id = fx.processes.calls.get(0).substring("exec ".length());
        assertTrue(fx.processes.calls.contains("kill " + id + " 9"), fx.processes.calls.toString());
        assertTrue(fx.processes.calls.contains("delete " + id), fx.processes.calls.toString());
        ExecFixture.await(() -> out.toString(StandardCharsets.UTF_8).contains("started"), "the output so far");
    }

    @Test
    void aContainerThatIsNotRunningOrPausedIsRefused() {
        fx.container(true, true, 100);
        assertEquals(409, assertThrows(PouchException.class, () -> manager.runHidden(ExecFixture.CID, List.of("x"),
                null, null, new ByteArrayOutputStream(), Duration.ofSeconds(1))).status());
        fx.container(false, false, 0);
        assertEquals(409, assertThrows(PouchException.class, () -> manager.runHidden(ExecFixture.CID, List.of("x"),
                null, null, new ByteArrayOutputStream(), Duration.ofSeconds(1))).status());
    }
}
