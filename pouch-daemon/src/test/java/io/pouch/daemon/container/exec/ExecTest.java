package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state transitions of one exec and the views of it (inspect, ExecIDs, its record). */
class ExecTest {
    private static final ExecConfig TTY = new ExecConfig(true, true, false, "ctrl-x", true, List.of("A=1"),
            List.of("sh", "-c", "echo hi"), true, "nobody", "/tmp");

    private static Exec created(ExecConfig cfg, CompletableFuture<PreparedProcess> prep, long at) {
        return Exec.created("e1", "c1", cfg, prep, at);
    }

    private static Exec startedExec() {
        Exec e = created(TTY, new CompletableFuture<>(), 0);
        e.claim(() -> { });
        e.running(true);
        e.started(77);
        return e;
    }

    @Test
    void aNewExecInspectsAsDockerShowsIt() {
        Exec e = created(ExecFixture.config(false, false, "ls", "-l", "/"), new CompletableFuture<>(), 0);
        ExecInspect i = e.inspect();
        assertEquals("e1", i.id());
        assertEquals("c1", i.containerId());
        assertFalse(i.running());
        assertNull(i.exitCode());
        assertFalse(i.canRemove());
        assertEquals("ls", i.processConfig().entrypoint());
        assertEquals(List.of("-l", "/"), i.processConfig().arguments());
        assertEquals("", i.processConfig().user());
        assertEquals("", i.detachKeys());
        assertTrue(e.listed(), "not started yet: in the container's ExecIDs");

        ExecInspect t = created(TTY, null, 0).inspect();
        assertEquals("nobody", t.processConfig().user());
        assertTrue(t.processConfig().privileged());
        assertTrue(t.processConfig().tty());
        assertTrue(t.openStdin());
        assertTrue(t.openStdout());
        assertFalse(t.openStderr());
        assertEquals("ctrl-x", t.detachKeys());
    }

    @Test
    void aClaimHandsOverThePreparationOnceAndNothingChangesWhenThePreconditionFails() {
        CompletableFuture<PreparedProcess> prep = new CompletableFuture<>();
        Exec e = created(TTY, prep, 0);
        PouchException notRunning = PouchException.conflict("Container c1 is not running");
        assertSame(notRunning, assertThrows(PouchException.class, () -> e.claim(() -> {
            throw notRunning;
        })));
        assertSame(prep, e.claim(() -> { }), "the failed claim left the exec unclaimed");
        PouchException again = assertThrows(PouchException.class, () -> e.claim(() -> { }));
        assertEquals(409, again.status());
        assertEquals("Error: Exec command e1 is already running", again.getMessage());
    }

    @Test
    void anExitReportedBeforeTheStartReturnedWaitsForIt() {
        Exec e = created(TTY, null, 0);
        assertEquals(Exec.ExitReport.IGNORED, e.reportExit(0), "not running yet");
        e.claim(() -> { });
        e.running(true);
        assertEquals(Exec.ExitReport.DEFERRED, e.reportExit(3));
        Exec.Started s = e.started(42);
        assertEquals(3, s.earlyExit());
        assertEquals(42, e.inspect().pid());
        assertEquals(Exec.ExitReport.ENDS, e.reportExit(3));
        assertEquals(Exec.ExitReport.IGNORED, e.reportExit(3), "Wait and the event both report it: the first ends it");
    }

    @Test
    void finishingShowsTheExitCodeAndLeavesTheContainersExecIds() {
        Exec e = startedExec();
        assertTrue(e.listed());
        assertTrue(e.inspect().running());
        e.finish(7, 1000);
        ExecInspect i = e.inspect();
        assertFalse(i.running());
        assertEquals(7, i.exitCode());
        assertTrue(i.canRemove());
        assertFalse(e.listed());
        assertFalse(e.expired(1000 + ExecPruner.KEEP_MILLIS, ExecPruner.KEEP_MILLIS));
        assertTrue(e.expired(1001 + ExecPruner.KEEP_MILLIS, ExecPruner.KEEP_MILLIS));
        ExecRecord r = e.record();
        assertEquals(7, r.exitCode());
        assertEquals(1000, r.finishedAt());
        assertEquals(77, r.pid());
    }

    @Test
    void aResizeBeforeTheStartReturnedIsKeptForIt() {
        Exec e = created(TTY, null, 0);
        assertEquals("Exec e1 is not running", assertThrows(PouchException.class, () -> e.resize(10, 20)).getMessage());
        e.claim(() -> { });
        e.running(true);
        assertFalse(e.resize(0, 20), "a zero size is nothing to resize");
        assertFalse(e.resize(30, 100));
        assertArrayEquals(new int[] {30, 100}, e.started(5).pendingSize());
        assertTrue(e.resize(31, 101), "started: resized at once");

        Exec plain = created(ExecFixture.config(false, false, "sh"), null, 0);
        plain.claim(() -> { });
        plain.running(true);
        PouchException noTty = assertThrows(PouchException.class, () -> plain.resize(10, 20));
        assertEquals(409, noTty.status());
        assertEquals("Exec e1 has no TTY: cannot resize it", noTty.getMessage());
    }

    @Test
    void anUnstartedPreparationIsGivenBackWhenStaleOrItsContainerWent() {
        CompletableFuture<PreparedProcess> prep = new CompletableFuture<>();
        Exec e = created(TTY, prep, 1000);
        assertNull(e.releaseUnstarted(false, 1000 + ExecPruner.PREPARED_MILLIS, ExecPruner.PREPARED_MILLIS));
        assertSame(prep, e.releaseUnstarted(true, 1001, ExecPruner.PREPARED_MILLIS));
        assertNull(e.releaseUnstarted(true, 1002, ExecPruner.PREPARED_MILLIS), "given back once");
        assertNull(e.claim(() -> { }), "a start then prepares the process again");

        Exec claimed = created(TTY, new CompletableFuture<>(), 0);
        claimed.claim(() -> { });
        assertNull(claimed.releaseUnstarted(true, Long.MAX_VALUE, ExecPruner.PREPARED_MILLIS));
    }

    @Test
    void aRestoredRecordKeepsItsState() {
        ExecRecord running = new ExecRecord("e2", "c1", TTY, true, true, null, 99, 0);
        Exec e = Exec.restored(running);
        assertTrue(e.inspect().running());
        assertEquals(99, e.inspect().pid());
        e.pid(0);
        assertEquals(99, e.inspect().pid(), "containerd knew no pid: the recorded one stays");
        e.pid(123);
        assertEquals(123, e.inspect().pid());
        assertEquals(Exec.ExitReport.ENDS, e.reportExit(0), "its start returned before the restart");
        assertEquals(running.config(), e.record().config());

        Exec ended = Exec.restored(new ExecRecord("e3", "c1", TTY, true, false, 4, 99, 5));
        assertEquals(4, ended.inspect().exitCode());
        assertEquals(Exec.ExitReport.IGNORED, ended.reportExit(0));
    }
}
