package io.pouch.daemon.cri.runtime;

import java.io.OutputStream;
import java.time.Duration;
import java.util.List;

/** What the CRI asks of the engine beyond the container lifecycle: processes in containers, logs, readings. */
public interface CriProcesses {
    /** Runs {@code cmd} in the running container; its exit code, or null when it ran past {@code timeout}. */
    Integer execSync(String containerId, List<String> cmd, OutputStream stdout, OutputStream stderr, Duration timeout)
            throws InterruptedException;

    /** Reopens the container's CRI log file at its path (kubelet rotated it). */
    void reopenLog(String containerId);
}
