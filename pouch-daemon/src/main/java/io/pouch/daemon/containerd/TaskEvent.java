package io.pouch.daemon.containerd;

import java.time.Instant;

/** What containerd's task event stream reports about our namespace's tasks and their processes. */
public sealed interface TaskEvent {
    /**
     * A process ended: the task's init process ({@code processId} equals {@code containerId}) or an exec process.
     *
     * @param exitedAt when containerd recorded the exit, or when the event arrived if it recorded none
     */
    record Exit(String containerId, String processId, int pid, int exitStatus, Instant exitedAt) implements TaskEvent {
    }

    /** The kernel's OOM killer killed a process of the container's cgroup. */
    record Oom(String containerId) implements TaskEvent {
    }
}
