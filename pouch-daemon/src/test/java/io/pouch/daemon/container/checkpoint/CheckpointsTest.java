package io.pouch.daemon.container.checkpoint;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerState;
import io.pouch.daemon.container.ContainerBrief;
import io.pouch.daemon.container.ContainerService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointsTest {
    private static final String ID = "c".repeat(64);
    private static final String CRIU_OUTPUT = """
            Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds
            Error (criu/kerndat.c:1615): kerndat_vdso_fill_symtable failed when initializing kerndat.
            """;

    @TempDir
    Path dir;

    private final AtomicInteger probes = new AtomicInteger();
    private boolean running = true;

    private Checkpoints checkpoints() {
        ContainerService containers = (ContainerService) Proxy.newProxyInstance(
                ContainerService.class.getClassLoader(), new Class<?>[]{ContainerService.class}, (p, m, args) -> {
                    if (!m.getName().equals("brief")) {
                        throw new AssertionError(m.getName());
                    }
                    if (!args[0].equals("box")) {
                        throw PouchException.notFound("No such container: " + args[0]);
                    }
                    ContainerState s = new ContainerState(running ? "running" : "exited", running, false, false,
                            false, false, 1, 0, "", ContainerState.ZERO_TIME, ContainerState.ZERO_TIME);
                    return new ContainerBrief(ID, "", "", s, null, Map.of());
                });
        return new Checkpoints(containers, dir, new CriuProbe(() -> {
            probes.incrementAndGet();
            return new CriuProbe.Result("`criu check` fails: " + CriuProbe.reason(CRIU_OUTPUT));
        }));
    }

    private static int status(Runnable r) {
        return assertThrows(PouchException.class, r::run).status();
    }

    @Test
    void createIsRefusedWithWhatTheHostLacksAndTheProbeRunsOnce() {
        Checkpoints c = checkpoints();
        PouchException e = assertThrows(PouchException.class, () -> c.create("box", "cp1", "", true));
        assertEquals(501, e.status());
        assertTrue(e.getMessage().contains("lacks a working CRIU"), e.getMessage());
        assertTrue(e.getMessage().contains("kerndat_vdso_fill_symtable failed"), e.getMessage());
        assertEquals(501, status(() -> c.create("box", "cp2", "", false)));
        assertEquals(1, probes.get());
        assertFalse(Files.exists(dir.resolve(ID).resolve("checkpoints/cp1")), "nothing is left behind");
    }

    @Test
    void badRequestsAreAnsweredBeforeTheProbe() {
        Checkpoints c = checkpoints();
        assertEquals(404, status(() -> c.create("nobox", "cp1", "", true)));
        assertEquals(400, status(() -> c.create("box", "", "", true)));
        assertEquals(400, status(() -> c.create("box", "../etc", "", true)));
        assertEquals(400, status(() -> c.create("box", "cp1", "relative/dir", true)));
        running = false;
        assertEquals(409, status(() -> c.create("box", "cp1", "", true)));
        assertEquals(0, probes.get());
    }

    @Test
    void listAndRemoveWorkOnTheCheckpointDirectories() throws IOException {
        Checkpoints c = checkpoints();
        assertEquals(List.of(), c.list("box", null));
        Files.createDirectories(dir.resolve(ID).resolve("checkpoints/b2"));
        Files.writeString(Files.createDirectories(dir.resolve(ID).resolve("checkpoints/a1")).resolve("img"), "x");
        assertEquals(List.of(Map.of("Name", "a1"), Map.of("Name", "b2")), c.list("box", ""));
        c.delete("box", "a1", null);
        assertEquals(List.of(Map.of("Name", "b2")), c.list("box", null));
        assertEquals(404, status(() -> c.delete("box", "a1", null)));
        assertEquals(404, status(() -> c.list("nobox", null)));
        Path custom = Files.createDirectories(dir.resolve("custom/x9"));
        assertEquals(List.of(Map.of("Name", "x9")), c.list("box", custom.getParent().toString()));
    }

    @Test
    void startFromACheckpointNeedsItAndThenCriu() throws IOException {
        Checkpoints c = checkpoints();
        assertEquals(404, status(() -> c.startFrom("box", "cp1", null)));
        Files.createDirectories(dir.resolve(ID).resolve("checkpoints/cp1"));
        PouchException e = assertThrows(PouchException.class, () -> c.startFrom("box", "cp1", null));
        assertEquals(501, e.status());
        assertTrue(e.getMessage().startsWith("cannot restore from a checkpoint: this host lacks a working CRIU"),
                e.getMessage());
    }

    @Test
    void criusReasonLosesItsSourcePositions() {
        assertEquals("vdso: Unexpected rt vDSO area bounds; kerndat_vdso_fill_symtable failed when initializing"
                + " kerndat.", CriuProbe.reason(CRIU_OUTPUT));
        assertEquals("no output", CriuProbe.reason("\n"));
    }
}
