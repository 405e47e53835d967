package io.pouch.daemon.containerd;

import java.util.Optional;

/**
 * containerd's exec processes: extra processes run inside a container's task, each named by an exec id. A process is
 * registered in the task's shim ({@link #exec}), started, and deleted once it has exited; its exit is learnt with
 * {@link #awaitExit}. Failures are {@link ContainerdException}s.
 */
public interface Processes {
    /** The processes of the tasks of this containerd connection. */
    static Processes of(Containerd ctd) {
        return new GrpcProcesses(ctd);
    }

    /**
     * Registers the process in the shim with its stdio FIFOs (null: none) and its OCI process spec (JSON); it is not
     * started. The shim opens the FIFOs only at {@link #start}. ALREADY_EXISTS when the shim has a process of that id.
     */
    void exec(String containerId, String execId, String stdin, String stdout, String stderr, boolean terminal,
              byte[] processSpec);

    /** Starts the registered process; its pid. NOT_FOUND when the task no longer has it. */
    int start(String containerId, String execId);

    /** Deletes the process (exited, or never started); one already gone is fine. */
    void delete(String containerId, String execId);

    /** Sends {@code signal} to the process; NOT_FOUND when the task no longer has it. */
    void kill(String containerId, String execId, int signal);

    /** The process reads EOF on stdin: the shim keeps a writer on the FIFO until told. */
    void closeStdin(String containerId, String execId);

    void resize(String containerId, String execId, int width, int height);

    /** The process's state, or empty when containerd does not know it. */
    Optional<TaskProcess> get(String containerId, String execId);

    /**
     * Asks containerd for the process's exit (Tasks.Wait) and returns at once: {@code observer} hears of the exit,
     * or of the wait ending without one.
     */
    void awaitExit(String containerId, String execId, ExitObserver observer);

    /** Where {@link #awaitExit} reports; called on a gRPC thread. */
    interface ExitObserver {
        void exited(int exitStatus);

        /** The wait ended without the exit (containerd went away, the task was deleted...). */
        void failed(Throwable cause);
    }
}
