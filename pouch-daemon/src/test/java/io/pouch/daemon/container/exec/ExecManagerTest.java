package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.TaskProcess;
import io.pouch.daemon.containerd.TaskStatus;
import io.pouch.daemon.sys.AtomicFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exec lifecycles the routes cannot steer: exits from the event stream, restarts of the task and of pouchd. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExecManagerTest {
    @TempDir
    Path dir;
    ExecFixture fx;
    ExecManager manager;

    @BeforeEach
    void setUp() throws Exception {
        fx = new ExecFixture(dir);
        manager = fx.manager();
    }

    /** Creates and starts an exec detached, as {@code docker exec -d} does. */
    private Exec startDetached(ExecConfig cfg) {
        Exec e = manager.get(manager.create(ExecFixture.CID, cfg));
        manager.awaitPrepared(manager.claim(e));
        manager.start(e);
        return e;
    }

    @Test
    void theTaskEventStreamEndsAnExecWhenWaitSaysNothing() throws Exception {
        fx.processes.waitReports = false;
        Exec e = startDetached(ExecFixture.config(false, false, "true"));
        manager.onExit("another-container", e.id, 1, 9, Instant.now());
        assertTrue(e.inspect().running(), "an exit of another container's process is not this exec's");
        manager.onExit(ExecFixture.CID, e.id, 4242, 5, Instant.now());
        assertEquals(5, e.exit.get(10, TimeUnit.SECONDS));
        assertFalse(e.inspect().running());
    }

    @Test
    void anExitBeforeTheStartReturnedEndsTheExecOnceItHas() throws Exception {
        fx.processes.exitsBeforeStartReturns = 6;
        Exec e = startDetached(ExecFixture.config(false, false, "true"));
        assertEquals(6, e.exit.get(10, TimeUnit.SECONDS));
        assertEquals(4242, e.inspect().pid());
    }

    @Test
    void aProcessPreparedForATaskThatWasReplacedIsRegisteredAgain() throws Exception {
        Exec e = manager.get(manager.create(ExecFixture.CID, ExecFixture.config(false, false, "true")));
        ExecClaim claim = manager.claim(e);
        manager.awaitPrepared(claim);
        fx.processes.registered.clear(); // the container restarted: its new task has no such process
        manager.start(e);
        assertEquals(0, e.exit.get(10, TimeUnit.SECONDS));
        assertEquals(2, fx.processes.count("exec " + e.id), fx.processes.calls.toString());
    }

    @Test
    void aStartOnAPausedContainerIsRefusedAndLeavesTheExecStartable() throws Exception {
        Exec e = manager.get(manager.create(ExecFixture.CID, ExecFixture.config(false, false, "true")));
        fx.container(true, true, 100);
        PouchException paused = assertThrows(PouchException.class, () -> manager.claim(e));
        assertEquals(409, paused.status());
        fx.container(true, false, 100);
        manager.awaitPrepared(manager.claim(e));
        manager.start(e);
        assertEquals(0, e.exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void theExecsOfARemovedContainerAreForgotten() throws Exception {
        Exec e = startDetached(ExecFixture.config(false, false, "true"));
        e.exit.get(10, TimeUnit.SECONDS);
        fx.removeContainer();
        assertEquals(404, assertThrows(PouchException.class, () -> manager.inspect(e.id)).status());
        assertEquals(404, assertThrows(PouchException.class, () -> manager.get(e.id)).status());
        fx.container(true, false, 100); // even when the container came back, the exec went with it
        assertEquals(404, assertThrows(PouchException.class, () -> manager.inspect(e.id)).status());
    }

    private void record(String id, boolean started, boolean running, Integer exit) throws Exception {
        ExecRecord r = new ExecRecord(id, ExecFixture.CID, ExecFixture.config(false, false, "sleep", "9"), started,
                running, exit, 77, exit == null ? 0 : System.currentTimeMillis());
        AtomicFiles.writeJson(new ExecStore(fx.containersDir).file(ExecFixture.CID, id), r);
    }

    private static String id(char c) {
        return String.valueOf(c).repeat(64);
    }

    @Test
    void afterARestartEachRecordShowsWhatContainerdStillKnows() throws Exception {
        record(id('a'), true, true, null);      // still running in containerd
        record(id('b'), true, true, null);      // ended while pouchd was down
        record(id('c'), true, true, null);      // containerd forgot it
        record(id('d'), true, false, null);     // died between its start and its record
        record(id('e'), true, false, 2);        // finished before the restart
        record(id('f'), false, false, null);    // created, never started
        Path orphan = fx.containersDir.resolve("gone".repeat(16)).resolve("execs");
        Files.createDirectories(orphan);
        AtomicFiles.writeJson(orphan.resolve(id('9') + ".json"), new ExecRecord(id('9'), "gone".repeat(16),
                ExecFixture.config(false, false, "sh"), true, false, 0, 1, 1));
        fx.processes.known.put(id('a'), new TaskProcess(500, TaskStatus.RUNNING, 0, null));
        fx.processes.known.put(id('b'), new TaskProcess(501, TaskStatus.STOPPED, 9, Instant.now()));

        manager.restore();

        Exec a = manager.get(id('a'));
        assertTrue(a.inspect().running());
        assertEquals(500, a.inspect().pid());
        assertTrue(fx.processes.waiting.containsKey(id('a')), "its exit is learnt with Tasks.Wait");
        fx.processes.waiting.remove(id('a')).exited(1);
        assertEquals(1, a.exit.get(10, TimeUnit.SECONDS));

        assertEquals(9, manager.get(id('b')).exit.get(10, TimeUnit.SECONDS));
        assertTrue(fx.processes.calls.contains("delete " + id('b')));
        assertEquals(ExecExits.UNKNOWN_EXIT, manager.get(id('c')).exit.get(10, TimeUnit.SECONDS));
        assertEquals(ExecExits.UNKNOWN_EXIT, manager.get(id('d')).exit.get(10, TimeUnit.SECONDS));
        assertEquals(2, manager.get(id('e')).exit.get(10, TimeUnit.SECONDS));
        Exec f = manager.get(id('f'));
        assertFalse(f.exit.isDone());
        assertEquals(List.of(id('f')), manager.execIds(ExecFixture.CID), "only the unstarted one is listed");
        assertFalse(Files.exists(orphan.resolve(id('9') + ".json")), "a removed container's record is dropped");

        // the unstarted one is prepared when it is started
        manager.awaitPrepared(manager.claim(f));
        manager.start(f);
        assertEquals(0, f.exit.get(10, TimeUnit.SECONDS));
    }
}
