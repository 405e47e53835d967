package io.pouch.daemon.container.exec;

import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.ProcessViews;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.sys.Trace;

import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Starts an exec's prepared process: the claim, the wait for its IO, Tasks.Wait then Tasks.Start. */
final class ExecStarter {
    private static final Logger LOG = Logger.getLogger(ExecStarter.class.getName());

    private final ExecPreparer preparer;
    private final ExecProcesses processes;
    private final ExecExits exits;
    private final ExecTable table;
    private final ProcessViews containers;
    private final ExecEvents events;

    ExecStarter(ExecPreparer preparer, ExecProcesses processes, ExecExits exits, ExecTable table,
                ProcessViews containers, ExecEvents events) {
        this.preparer = preparer;
        this.processes = processes;
        this.exits = exits;
        this.table = table;
        this.containers = containers;
        this.events = events;
    }

    /**
     * Claims {@code e} for a start: 409 when it already started or its container is not running (then nothing
     * changed). Cheap, so the start request can answer those before it hijacks the connection.
     */
    ExecClaim claim(Exec e) {
        return new ExecClaim(e, e.claim(() -> ExecChecks.requireRunning(containers.processView(e.containerId))));
    }

    /**
     * The claimed process's IO, made before anything is started so that an attached client can subscribe first and
     * sees the output from the first byte: the one prepared at create, else made now. When its FIFOs could not be
     * made the exec ends with 126 and the error is thrown.
     */
    ContainerIO awaitPrepared(ExecClaim c) {
        Exec e = c.exec();
        PreparedProcess p = c.preparation() == null ? preparer.prepare(e) : c.preparation().join();
        if (p.io() == null) {
            exits.finish(e, 126);
            throw p.error();
        }
        e.prepared(p);
        return p.io();
    }

    /**
     * Starts the prepared process. On failure the exit code is set as dockerd does (126, a command not found too)
     * and the OCI runtime's message is thrown.
     */
    void start(Exec e) {
        ContainerManager.ProcessView c = containers.processView(e.containerId);
        ContainerIO io = e.io();
        RuntimeException pending = e.takePendingError();
        try {
            Trace.mark("exec", e.id, "start");
            if (pending != null) {
                throw pending;
            }
            // the exit may arrive before Start returns: running first, so that the exit finds it
            e.running(true);
            int pid;
            try {
                try {
                    pid = startProcess(e);
                } catch (ContainerdException x) {
                    if (!x.isNotFound() || !containers.processView(e.containerId).running()) {
                        throw x;
                    }
                    // the container's task was replaced (restarted) since the exec was prepared: register again
                    preparer.register(e, io.stdinPath(), io.stdoutPath(), io.stderrPath());
                    pid = startProcess(e);
                }
            } catch (RuntimeException ex) {
                e.running(false);
                throw ex;
            }
            Exec.Started started;
            synchronized (e) {
                started = e.started(pid);
                table.save(e);
            }
            int[] size = started.pendingSize();
            if (size != null) {
                try {
                    processes.resize(e, size[0], size[1]);
                } catch (RuntimeException ex) { // the process may already be gone: its size no longer matters
                    LOG.log(Level.FINE, "late resize of exec " + e.id + " failed", ex);
                }
            }
            if (started.earlyExit() != null) {
                exits.exited(e, started.earlyExit());
            }
            Trace.mark("exec", e.id, "started");
            events.publish(c, "exec_start: " + String.join(" ", e.config.cmd()), Map.of("execID", e.id));
        } catch (ContainerdException x) {
            processes.release(e);
            io.close();
            StartFailure failure = StartFailure.of(e.containerId, x);
            exits.finish(e, failure.exitCode());
            throw failure.error();
        } catch (RuntimeException ex) {
            processes.release(e);
            io.close();
            exits.finish(e, 126);
            throw ex;
        }
    }

    /** Tasks.Wait on the exec id first (as ctr does: the exit is learnt from it), then Tasks.Start; the pid. */
    private int startProcess(Exec e) {
        exits.watch(e);
        return processes.start(e);
    }
}
