package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Processes;
import io.pouch.daemon.containerd.TaskProcess;
import io.pouch.daemon.sys.Trace;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** An exec's process in containerd: one containerd call per method, with what exec makes of its failures. */
final class ExecProcesses {
    private static final Logger LOG = Logger.getLogger(ExecProcesses.class.getName());

    private final Processes processes;

    ExecProcesses(Processes processes) {
        this.processes = processes;
    }

    /**
     * Registers the process with its FIFOs (null: none) and spec; it is not started. One the shim has already (made
     * by a pouchd that died before the start, or a preparation given back, with other FIFOs) is replaced.
     */
    void register(Exec e, Path stdin, Path stdout, Path stderr, byte[] spec) {
        String in = stdin == null ? null : stdin.toString();
        String err = stderr == null ? null : stderr.toString();
        try {
            processes.exec(e.containerId, e.id, in, stdout.toString(), err, e.config.tty(), spec);
        } catch (ContainerdException x) {
            if (!x.isAlreadyExists()) {
                throw x;
            }
            release(e);
            processes.exec(e.containerId, e.id, in, stdout.toString(), err, e.config.tty(), spec);
        }
        Trace.mark("exec", e.id, "execd");
    }

    /** Starts the registered process; its pid. */
    int start(Exec e) {
        return processes.start(e.containerId, e.id);
    }

    /** Asks containerd for the exit; {@code onExit} gets its status (a wait that ends without one is logged). */
    void awaitExit(Exec e, IntConsumer onExit) {
        processes.awaitExit(e.containerId, e.id, new Processes.ExitObserver() {
            @Override
            public void exited(int exitStatus) {
                onExit.accept(exitStatus);
            }

            @Override
            public void failed(Throwable cause) {
                LOG.log(Level.FINE, "Tasks.Wait of exec " + e.id + " ended without the exit", cause);
            }
        });
    }

    /** Signals the process; a failure is containerd's (NOT_FOUND: it is gone). */
    void kill(Exec e, int signal) {
        processes.kill(e.containerId, e.id, signal);
    }

    /** Removes the process from the shim; never throws (one already gone is what was wanted). */
    void release(Exec e) {
        try {
            processes.delete(e.containerId, e.id);
        } catch (ContainerdException x) {
            LOG.log(Level.FINE, "cannot delete exec process " + e.id, x);
        }
    }

    /**
     * The process reads EOF on stdin. Closing our end of the FIFO is not enough: the shim holds a writer on it too
     * until told with CloseIO.
     */
    void closeStdin(Exec e) {
        try {
            processes.closeStdin(e.containerId, e.id);
        } catch (ContainerdException x) {
            LOG.log(Level.FINE, "CloseIO of exec " + e.id + " failed", x);
        }
    }

    /** 409 with containerd's words when the console cannot be resized. */
    void resize(Exec e, int height, int width) {
        try {
            processes.resize(e.containerId, e.id, width, height);
        } catch (ContainerdException x) {
            throw PouchException.conflict("cannot resize exec " + e.id + ": " + x.description());
        }
    }

    /** The process's state in containerd, or empty when containerd does not know it. */
    Optional<TaskProcess> lookup(Exec e) {
        return processes.get(e.containerId, e.id);
    }
}
