package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.io.ContainerIO;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One exec instance and its state transitions: created (its process prepared speculatively), claimed by a start,
 * running, exited. Mutable state is guarded by the instance's monitor; a caller that must save the new state
 * together with a transition holds the monitor across both (the store keeps the newest record it is given).
 */
final class Exec {
    final String id;
    final String containerId;
    final ExecConfig config;
    /** Completes with the exit code once the exec ended. */
    final CompletableFuture<Integer> exit = new CompletableFuture<>();

    private boolean started;
    private boolean running;
    private Integer exitCode;
    private int pid;
    private ContainerIO io;
    private long finishedAt;
    /** The speculative preparation made at create (null when none, claimed or given back). */
    private CompletableFuture<PreparedProcess> prepared;
    private long preparedAt;
    /** The exit was seen (by Wait or by the event): the first report ends the exec. */
    private boolean exitSeen;
    /** Start returned the pid: an exit reported earlier waits in {@code earlyExit} until then. */
    private boolean startDone;
    private Integer earlyExit;
    /** A resize that came while the start was under way ({height, width}), applied once it returns. */
    private int[] pendingSize;
    /** Why the prepared process cannot be started (thrown by start, after the client subscribed). */
    private RuntimeException pendingError;

    /** What one report of the process's exit means for the exec. */
    enum ExitReport {
        /** Not running, or its exit was reported already. */
        IGNORED,
        /** The start has not returned yet (it may still fail and set 126/127): kept until it does. */
        DEFERRED,
        /** The first report: it ends the exec. */
        ENDS
    }

    /** What a start that returned finds waiting: an exit reported meanwhile, a resize asked for meanwhile. */
    record Started(Integer earlyExit, int[] pendingSize) {
    }

    private Exec(String id, String containerId, ExecConfig config) {
        this.id = id;
        this.containerId = containerId;
        this.config = config;
    }

    /** A new exec whose process is being prepared by {@code preparation}, made at {@code now}. */
    static Exec created(String id, String containerId, ExecConfig config,
                        CompletableFuture<PreparedProcess> preparation, long now) {
        Exec e = new Exec(id, containerId, config);
        e.prepared = preparation;
        e.preparedAt = now;
        return e;
    }

    /** An exec as its record left it before a pouchd restart; a created but unstarted one has its exit to come. */
    static Exec restored(ExecRecord r) {
        Exec e = new Exec(r.id(), r.containerId(), r.config());
        e.started = r.started();
        e.running = r.running();
        e.exitCode = r.exitCode();
        e.pid = r.pid();
        e.finishedAt = r.finishedAt();
        e.exitSeen = r.started() && !r.running();
        e.startDone = r.started();
        return e;
    }

    synchronized ExecRecord record() {
        return new ExecRecord(id, containerId, config, started, running, exitCode, pid, finishedAt);
    }

    /** {@code GET /exec/{id}/json}. */
    synchronized ExecInspect inspect() {
        List<String> cmd = config.cmd();
        return new ExecInspect(id, running, exitCode, new ExecInspect.ProcessConfig(config.privileged(),
                config.user() == null ? "" : config.user(), config.tty(), cmd.get(0),
                List.copyOf(cmd.subList(1, cmd.size()))), config.attachStdin(), config.attachStderr(),
                config.attachStdout(), !running && started, containerId,
                config.detachKeys() == null ? "" : config.detachKeys(), pid);
    }

    /** Listed in its container's ExecIDs: running or not started yet, as dockerd lists them. */
    synchronized boolean listed() {
        return running || !started;
    }

    synchronized boolean running() {
        return running;
    }

    synchronized ContainerIO io() {
        return io;
    }

    synchronized void io(ContainerIO io) {
        this.io = io;
    }

    /** The pid containerd reports after a restart (0: none known, the recorded one stays). */
    synchronized void pid(int pid) {
        if (pid != 0) {
            this.pid = pid;
        }
    }

    /**
     * Claims the exec for a start: 409 when it started already; then {@code precondition} (the container runs), and
     * nothing changed when either throws. The preparation made at create, or null when there is none.
     */
    synchronized CompletableFuture<PreparedProcess> claim(Runnable precondition) {
        if (started) {
            throw PouchException.conflict("Error: Exec command " + id + " is already running");
        }
        precondition.run();
        started = true;
        CompletableFuture<PreparedProcess> f = prepared;
        prepared = null;
        return f;
    }

    /** The claimed process is ready (its IO made): a registration error waits for the start to throw it. */
    synchronized void prepared(PreparedProcess p) {
        io = p.io();
        pendingError = p.error();
    }

    /** The error the start must throw instead of starting, once. */
    synchronized RuntimeException takePendingError() {
        RuntimeException e = pendingError;
        pendingError = null;
        return e;
    }

    /** Marked running before the start is sent, so that an exit reported before it returns finds it running. */
    synchronized void running(boolean running) {
        this.running = running;
    }

    /** The start returned {@code pid}: what was waiting for it. */
    synchronized Started started(int pid) {
        this.pid = pid;
        startDone = true;
        int[] size = pendingSize;
        pendingSize = null;
        return new Started(earlyExit, size);
    }

    synchronized ExitReport reportExit(int status) {
        if (!running || exitSeen) {
            return ExitReport.IGNORED;
        }
        if (!startDone) {
            earlyExit = status;
            return ExitReport.DEFERRED;
        }
        exitSeen = true;
        return ExitReport.ENDS;
    }

    /** The exec ended with {@code code} at {@code now}: {@link #exit} is completed by the caller after saving. */
    synchronized void finish(int code, long now) {
        running = false;
        exitSeen = true;
        exitCode = code;
        io = null;
        finishedAt = now;
    }

    /**
     * True when a resize is to be sent now; false when there is nothing to resize (a zero size) or it was kept for
     * when the start returns: the docker CLI resizes as soon as the start is answered, which can be while the start
     * is under way; the shim then answers OK without a console to resize, and the CLI, told OK, never retries.
     */
    synchronized boolean resize(int height, int width) {
        if (!running) {
            throw PouchException.conflict("Exec " + id + " is not running");
        }
        if (!config.tty()) {
            throw PouchException.conflict("Exec " + id + " has no TTY: cannot resize it");
        }
        if (height <= 0 || width <= 0) {
            return false;
        }
        if (!startDone) {
            pendingSize = new int[] {height, width};
            return false;
        }
        return true;
    }

    /**
     * Gives up the speculative preparation of an exec nobody started: when its container is {@code gone} or the
     * preparation is older than {@code maxAgeMillis}. The preparation to release, or null.
     */
    synchronized CompletableFuture<PreparedProcess> releaseUnstarted(boolean gone, long now, long maxAgeMillis) {
        if (started || prepared == null || !(gone || now - preparedAt > maxAgeMillis)) {
            return null;
        }
        CompletableFuture<PreparedProcess> f = prepared;
        prepared = null;
        return f;
    }

    /** Finished more than {@code keepMillis} before {@code now}: no longer kept for inspect. */
    synchronized boolean expired(long now, long keepMillis) {
        return !running && started && exitCode != null && now - finishedAt > keepMillis;
    }
}
