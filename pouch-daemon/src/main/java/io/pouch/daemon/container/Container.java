package io.pouch.daemon.container;

import io.pouch.daemon.sys.NativeSha256;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.containerd.SnapshotMounts;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One container in memory: its metadata and what belongs to its running process. Changes happen under
 * {@link #lock} (one per container, never a global one); readers see a consistent {@link #meta} snapshot.
 */
final class Container {
    final String id;
    final ReentrantLock lock = new ReentrantLock();
    private volatile ContainerMeta meta;
    /** The main process's I/O while it runs; guarded by {@link #lock}. */
    ContainerIO io;
    /**
     * I/O made ready for the next start because a client attached before it (docker run attaches, then
     * starts): the start uses it, so the attached client sees the output from the first byte. Guarded by lock.
     */
    ContainerIO pendingIo;
    /** Completed with the exit code at the next exit; replaced by a fresh one after each exit. */
    volatile CompletableFuture<Integer> nextExit = new CompletableFuture<>();
    /** Completed with the last exit code once the container is removed. */
    final CompletableFuture<Integer> removed = new CompletableFuture<>();
    /** Set while a remove is under way, so a concurrent start or second remove is refused. */
    volatile boolean removing;
    /** containerd reported an OOM kill during the current run. */
    volatile boolean oomKilled;
    /**
     * The exit handling deleted the task of the last run, so removing the container needs no Tasks/Delete round
     * trip; cleared when a new task is created. False means "not known", and removal deletes the task.
     */
    volatile boolean taskDeleted;
    /**
     * The rootfs mounts containerd gave at create, used (once) by the first start instead of a Snapshots/Mounts
     * round trip on the path {@code docker run} waits for; the snapshot's mounts do not change. Guarded by lock.
     */
    SnapshotMounts createdMounts;
    /**
     * The SHA-256 of the runtime spec containerd holds in this container's record, as last written by this daemon
     * (a digest, not the spec: Docker's seccomp profile alone makes a spec tens of KiB, kept for every container);
     * null when not known (after a restart of pouchd, or a write that failed). A start that builds a spec of the
     * same digest skips the Containers/Update. Guarded by lock.
     */
    byte[] specInContainerd;

    /** The digest {@link #specInContainerd} holds for {@code spec}. */
    static byte[] specDigest(byte[] spec) {
        return NativeSha256.create().digest(spec);
    }

    Container(ContainerMeta meta) {
        this.id = meta.id();
        this.meta = meta;
    }

    ContainerMeta meta() {
        return meta;
    }

    void meta(ContainerMeta m) {
        this.meta = m;
    }

    /** Completes the pending exit waiters and arms a new one. */
    void exited(int code) {
        CompletableFuture<Integer> f = nextExit;
        nextExit = new CompletableFuture<>();
        f.complete(code);
    }
}
