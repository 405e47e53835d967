package io.pouch.daemon.logs;

import io.pouch.api.PouchException;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The open CRI logs by container id, so that the CRI server can reopen a running container's log after kubelet
 * renamed the file ({@code ReopenContainerLog}). The container I/O owns each log; a log is listed from its open
 * until its close. A container has one log at a time, except for the moment a restart opens the next one while
 * the previous output is still draining: the newer one is listed, and the older one's close leaves it listed.
 */
public final class CriLogs {
    private final Predicate<String> running;
    private final ConcurrentHashMap<String, CriFileLog> open = new ConcurrentHashMap<>();

    /**
     * @param running whether the container with that id runs; a log is only reopened for a running container, as
     *                containerd does (a log opened ahead of a start, or still draining after the exit, is not)
     */
    public CriLogs(Predicate<String> running) {
        this.running = running;
    }

    /** A registry that counts a container as running while its log is open. */
    public CriLogs() {
        this(id -> true);
    }

    /** Opens the CRI log of container {@code id} at {@code file} and lists it until it is closed. */
    public CriFileLog open(String id, Path file) {
        return open(id, file, CriFileLog.DEFAULT_MAX_LINE, Clock.systemUTC());
    }

    CriFileLog open(String id, Path file, int maxLine, Clock clock) {
        CriFileLog[] self = new CriFileLog[1];
        CriFileLog log = CriFileLog.open(file, maxLine, clock, () -> open.remove(id, self[0]));
        self[0] = log;
        open.put(id, log);
        return log;
    }

    /**
     * Closes and reopens the log file of the running container {@code containerId} at its path.
     *
     * @throws PouchException 409 "container is not running" when the container does not run or has no open CRI
     *                        log (gRPC FailedPrecondition, as containerd answers); 500 when the file cannot be
     *                        opened again
     */
    public void reopen(String containerId) {
        CriFileLog log = open.get(containerId);
        if (log == null || !running.test(containerId)) {
            throw PouchException.conflict("container is not running");
        }
        log.reopen();
    }

    /** The open CRI log of the container, or null. */
    public CriFileLog find(String containerId) {
        return open.get(containerId);
    }
}
