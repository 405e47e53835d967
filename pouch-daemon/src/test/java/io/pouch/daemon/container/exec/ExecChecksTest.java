package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.containerd.ContainerdException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What an exec is refused for, and how a refused start is reported, with dockerd's codes and words. */
class ExecChecksTest {
    private static ExecConfig cmd(List<String> cmd, String keys) {
        return new ExecConfig(false, true, true, keys, false, null, cmd, false, null, null);
    }

    private static ContainerManager.ProcessView view(boolean running, boolean paused) {
        return new ContainerManager.ProcessView("c1", "web", "busybox", "sha256:1", Map.of(), running, paused, 1, "",
                false);
    }

    @Test
    void anExecNeedsACommandAndValidDetachKeys() {
        for (ExecConfig bad : new ExecConfig[] {null, cmd(null, null), cmd(List.of(), null)}) {
            PouchException e = assertThrows(PouchException.class, () -> ExecChecks.validate(bad));
            assertEquals(400, e.status());
            assertEquals("No exec command specified", e.getMessage());
        }
        assertEquals(400, assertThrows(PouchException.class,
                () -> ExecChecks.validate(cmd(List.of("sh"), "ctrl-"))).status());
        assertDoesNotThrow(() -> ExecChecks.validate(cmd(List.of("sh"), "ctrl-p,ctrl-q")));
        assertDoesNotThrow(() -> ExecChecks.validate(cmd(List.of("sh"), "")));
    }

    @Test
    void theContainerMustRunAndNotBePaused() {
        assertDoesNotThrow(() -> ExecChecks.requireRunning(view(true, false)));
        PouchException stopped = assertThrows(PouchException.class, () -> ExecChecks.requireRunning(view(false, false)));
        assertEquals(409, stopped.status());
        assertEquals("Container c1 is not running", stopped.getMessage());
        PouchException paused = assertThrows(PouchException.class, () -> ExecChecks.requireRunning(view(true, true)));
        assertEquals(409, paused.status());
        assertEquals("Container c1 is paused, unpause the container before exec", paused.getMessage());
    }

    @Test
    void aRefusedStartEndsWith126AsDockerdsExecEvenWhenTheCommandWasNotFound() {
        StartFailure notFound = StartFailure.of("c1", new ContainerdException(ContainerdException.Code.OTHER,
                "OCI runtime exec failed: exec failed: unable to start container process: exec: \"nope\": "
                        + "executable file not found in $PATH: unknown", null));
        assertEquals(126, notFound.exitCode());
        assertEquals(400, notFound.error().status());
        assertEquals("OCI runtime exec failed: exec failed: unable to start container process: exec: \"nope\": "
                + "executable file not found in $PATH: unknown", notFound.error().getMessage());

        StartFailure noFile = StartFailure.of("c1", new ContainerdException(ContainerdException.Code.OTHER,
                "exec: \"/x\": stat /x: no such file or directory", null));
        assertEquals(126, noFile.exitCode());
        assertEquals("OCI runtime exec failed: exec: \"/x\": stat /x: no such file or directory",
                noFile.error().getMessage());

        StartFailure denied = StartFailure.of("c1", new ContainerdException(ContainerdException.Code.OTHER,
                "exec: \"/etc\": permission denied", null));
        assertEquals(126, denied.exitCode());

        StartFailure gone = StartFailure.of("c1", new ContainerdException(ContainerdException.Code.NOT_FOUND,
                "task c1 not found", null));
        assertEquals(126, gone.exitCode());
        assertEquals(409, gone.error().status());
        assertEquals("Container c1 is not running", gone.error().getMessage());
    }
}
