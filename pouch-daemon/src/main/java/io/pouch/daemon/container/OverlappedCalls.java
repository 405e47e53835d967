package io.pouch.daemon.container;

import io.pouch.daemon.containerd.Containers;
import io.pouch.daemon.containerd.RuncOptions;
import io.pouch.daemon.containerd.SnapshotMounts;
import io.pouch.daemon.containerd.Snapshots;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Steps of the create and remove paths that need not wait for each other, overlapped to shorten
 * {@code run --rm}, {@code run -d} and {@code rm -f}. Each step is still the same call, in the same order
 * within its own chain, with the same "not found is fine" rule.
 */
final class OverlappedCalls {
    private OverlappedCalls() {
    }

    /**
     * Deletes the containerd container record and removes its rootfs snapshot at the same time. Neither depends
     * on the other (containerd removes a snapshot a record still names; only GC looks at that reference). A crash
     * in between leaves the pouchd metadata, deleted last, so the container is still listed and a second remove
     * finishes the job, as before; both calls treat "not found" as done. The first failure is thrown after both
     * calls ended.
     */
    static void deleteRecordAndSnapshot(Containers containers, Snapshots snapshots, String id) {
        FutureTask<Void> snapshot = new FutureTask<>(() -> {
            snapshots.remove(id);
            return null;
        });
        Thread.ofVirtual().name("rm-snapshot-" + id.substring(0, Math.min(12, id.length()))).start(snapshot);
        RuntimeException failure = null;
        try {
            containers.delete(id);
        } catch (RuntimeException e) {
            failure = e;
        }
        RuntimeException other = join(snapshot);
        if (failure == null) {
            failure = other;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Waits for {@code task} to end (the calls are short: an interrupt does not abandon them) and returns its failure. */
    private static RuntimeException join(FutureTask<?> task) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    task.get();
                    return null;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    return e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A step of its own (a crash-safe write into another directory, say) run on a virtual thread while the caller
     * goes on with the others: their fsyncs overlap instead of queueing one after the other.
     */
    static final class Step {
        private final FutureTask<Void> task;

        Step(String name, Runnable step) {
            task = new FutureTask<>(step, null);
            Thread.ofVirtual().name(name).start(task);
        }

        /** Waits until the step ended; throws its failure. */
        void await() {
            RuntimeException e = join(task);
            if (e != null) {
                throw e;
            }
        }

        /** Waits until the step ended, whatever came of it (before undoing it). */
        void awaitQuietly() {
            join(task);
        }
    }

    /**
     * containerd's part of a create, started on threads of its own so it runs while the caller writes the
     * container's files and metadata: the container record and its rootfs snapshot, at the same time.
     * The fields say how far it got, for the caller's undo; read them only after {@link #await}.
     *
     * <p>No lease: the snapshot carries containerd's {@code gc.root} label from the moment it exists, so the
     * garbage collector never takes it, whichever of the two calls ends first; pouchd removes it explicitly with
     * the container. That saves a Leases/Create round trip, and running the two calls side by side saves the
     * shorter one's time. A crash in between leaves a record or a snapshot without pouchd metadata: boot's
     * reconcile deletes both kinds as orphans.
     */
    static final class ContainerdCreate {
        /** containerd's label that makes a snapshot a root of its garbage collector. */
        private static final Map<String, String> GC_ROOT = Map.of("containerd.io/gc.root", "pouchd");
        private final FutureTask<Void> record;
        private final FutureTask<Void> snapshot;
        volatile boolean prepared;
        volatile boolean recorded;
        /** The rootfs mounts Prepare answered with: the first start needs no Snapshots/Mounts call. */
        volatile SnapshotMounts mounts;

        ContainerdCreate(Containers containers, Snapshots snapshots, String id, String image, String parentSnapshot,
                         RuncOptions runtime, byte[] spec, Map<String, String> labels) {
            String shortId = id.substring(0, Math.min(12, id.length()));
            record = new FutureTask<>(() -> {
                containers.create(null, id, image, runtime, spec, labels);
                recorded = true;
                return null;
            });
            snapshot = new FutureTask<>(() -> {
                mounts = snapshots.prepare(null, id, parentSnapshot, GC_ROOT);
                prepared = true;
                return null;
            });
            Thread.ofVirtual().name("create-" + shortId).start(record);
            Thread.ofVirtual().name("prepare-" + shortId).start(snapshot);
        }

        /** Waits until both calls ended; throws the first failure (a ContainerdException as a rule). */
        void await() {
            RuntimeException e = join(record);
            RuntimeException other = join(snapshot);
            if (e != null) {
                throw e;
            }
            if (other != null) {
                throw other;
            }
        }

        /** Waits until both calls ended, whatever came of them (before undoing them). */
        void awaitQuietly() {
            join(record);
            join(snapshot);
        }
    }
}
