package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ProcessViews;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.sys.Trace;

import java.time.Instant;
import java.util.Map;

/**
 * How an exec ends. The exit is learnt from Tasks.Wait on the exec id ({@link #watch}), with the task event stream
 * ({@link #onExit}) as the fallback: whichever reports first ends the exec; the exit code is set as soon as the
 * output is drained, then the process is deleted from the shim, its IO closed and {@code exec_die} published.
 */
final class ExecExits {
    /** Exit code of a process whose end pouchd could not learn (containerd forgot it while pouchd was down). */
    static final int UNKNOWN_EXIT = 255;
    /** How long the exit code waits for output still in the FIFOs. */
    private static final long DRAIN_MILLIS = 2000;

    private final ExecTable table;
    private final ExecProcesses processes;
    private final ProcessViews containers;
    private final ExecEvents events;

    ExecExits(ExecTable table, ExecProcesses processes, ProcessViews containers, ExecEvents events) {
        this.table = table;
        this.processes = processes;
        this.containers = containers;
        this.events = events;
    }

    /** The exec ended with {@code code}: saved, then {@link Exec#exit} completes. */
    void finish(Exec e, int code) {
        synchronized (e) {
            e.finish(code, System.currentTimeMillis());
            table.save(e);
        }
        e.exit.complete(code);
    }

    /** Asks containerd for the exec's exit; the task event stream stays the fallback. */
    void watch(Exec e) {
        processes.awaitExit(e, status -> {
            Trace.mark("exec", e.id, "wait returned");
            exited(e, status);
        });
    }

    /** Exit of an exec'd process, from the task event stream. */
    void onExit(String containerId, String execId, int pid, int status, Instant at) {
        Exec e = table.find(execId);
        if (e == null || !e.containerId.equals(containerId)) {
            return;
        }
        Trace.mark("exec", execId, "exit event");
        exited(e, status);
    }

    /** A report of the exit (Wait, event, or one kept while the start was under way). */
    void exited(Exec e, int status) {
        if (e.reportExit(status) != Exec.ExitReport.ENDS) {
            return;
        }
        ContainerIO io = e.io();
        int code = status < 0 ? UNKNOWN_EXIT : status;
        // the exit code first: the attached client is waiting for it to end its stream (the latency of docker exec).
        // Output drained already (the usual order: the shim closes the FIFOs before it reports the exit): set here,
        // without a hop to another thread.
        boolean drained = io == null || io.isDrained();
        if (drained) {
            finish(e, code);
        }
        Thread.ofVirtual().name("exec-exit-" + e.id.substring(0, Math.min(12, e.id.length()))).start(() -> {
            if (!drained) {
                try {
                    io.awaitDrained(DRAIN_MILLIS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                Trace.mark("exec", e.id, "drained");
                finish(e, code);
            }
            processes.release(e);
            if (io != null) {
                io.close();
            }
            try {
                events.publish(containers.processView(e.containerId), "exec_die",
                        Map.of("execID", e.id, "exitCode", Integer.toString(status)));
            } catch (PouchException gone) {
                // the container was removed meanwhile
            }
        });
    }
}
