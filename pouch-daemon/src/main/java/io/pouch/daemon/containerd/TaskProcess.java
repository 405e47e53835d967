package io.pouch.daemon.containerd;

import com.google.protobuf.Timestamp;
import containerd.v1.types.Task;

import java.time.Instant;

/**
 * A task's (or exec process's) state.
 *
 * @param exitedAt null unless containerd recorded an exit
 */
public record TaskProcess(int pid, TaskStatus status, int exitStatus, Instant exitedAt) {
    static TaskProcess of(Task.Process p) {
        return new TaskProcess(p.getPid(), TaskStatus.of(p.getStatus()), p.getExitStatus(), instant(p.getExitedAt()));
    }

    /** null for containerd's zero time (no exit recorded). */
    static Instant instant(Timestamp ts) {
        if (ts == null || (ts.getSeconds() <= 0 && ts.getNanos() == 0)) {
            return null;
        }
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }

    public boolean isStopped() {
        return status == TaskStatus.STOPPED;
    }
}
