package io.pouch.daemon.container;

import io.pouch.daemon.sys.FileTrees;
import io.pouch.api.PouchException;
import io.pouch.daemon.container.io.ContainerIOs;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Containers;
import io.pouch.daemon.containerd.SnapshotMounts;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.containerd.Tasks;
import io.pouch.daemon.quota.RootfsQuota;
import io.pouch.daemon.volume.ContainerVolumes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Removes a container and every trace of it: stops it first when forced, then its task, containerd's record and
 * snapshot, its network record, FIFOs, files and volumes; then it leaves the store and {@code destroy} is
 * published.
 */
final class ContainerRemover {
    private final ContainerStore store;
    private final ContainerStateDirs files;
    private final ContainerEvents events;
    private final ContainerStopper stopper;
    private final ContainerNetworking networking;
    private final ContainerVolumes volumes;
    private final Tasks tasks;
    private final Containers containers;
    private final Snapshots snapshots;

    ContainerRemover(ContainerStore store, ContainerStateDirs files, ContainerEvents events, ContainerStopper stopper,
                     ContainerNetworking networking, ContainerVolumes volumes, Tasks tasks, Containers containers,
                     Snapshots snapshots) {
        this.store = store;
        this.files = files;
        this.events = events;
        this.stopper = stopper;
        this.networking = networking;
        this.volumes = volumes;
        this.tasks = tasks;
        this.containers = containers;
        this.snapshots = snapshots;
    }

    /** Removes {@code c}; {@code removeVolumes} also removes its anonymous volumes. */
    void remove(Container c, boolean force, boolean removeVolumes) {
        c.lock.lock();
        try {
            if (c.removing) {
                throw PouchException.conflict("removal of container " + c.id + " is already in progress");
            }
            c.removing = true;
        } finally {
            c.lock.unlock();
        }
        try {
            if (c.meta().running()) {
                if (!force) {
                    throw PouchException.conflict("You cannot remove a running container " + c.id
                            + ". Stop the container before attempting removal or force remove");
                }
                stopper.stopAndWait(c, Signals.SIGKILL, 10);
            }
            c.lock.lock();
            try {
                volumes.plan(c.id); // read the mount plan before destroy deletes its file
                destroy(c);
                volumes.removed(c.id, removeVolumes);
            } finally {
                c.lock.unlock();
            }
        } catch (RuntimeException e) {
            c.removing = false;
            throw e;
        }
        store.remove(c);
        events.publish(c, "destroy");
        c.removed.complete(c.meta().state().exitCode());
    }

    /**
     * A rootfs limited by DiskQuota loses its limit, and what backs it (a btrfs subvolume and its qgroup), before
     * containerd removes the snapshot: containerd would only delete the directory and leave the quota behind.
     */
    private void releaseDiskQuota(Container c) {
        Map<String, String> q = c.meta().config().diskQuota();
        if (q != null && !q.isEmpty()) {
            Cleanup.quietly(() -> {
                SnapshotMounts m = snapshots.mounts(c.id);
                RootfsQuota.daemon().release(m.upper(), m.work());
            });
        }
    }

    /** Removes every trace: task, containerd container, snapshot, FIFOs, metadata. Caller holds the lock. */
    private void destroy(Container c) {
        networking.forget(c.id);
        if (c.io != null) {
            c.io.close();
            c.io = null;
        }
        if (c.pendingIo != null) {
            c.pendingIo.close();
            c.pendingIo = null;
        }
        try {
            if (!(c.taskDeleted && !c.meta().running())) {
                tasks.delete(c.id);
            }
        } catch (ContainerdException e) {
            throw e.toPouch("cannot remove container " + c.id);
        }
        // with the task gone, its cgroups, FIFOs and what holds them open go while containerd deletes its record
        // and snapshot: none of them needs the others
        OverlappedCalls.Step hostLeftovers = new OverlappedCalls.Step("rm-files-" + c.id.substring(0, 12), () -> {
            LeftoverCgroups.remove(CgroupPaths.of(c.meta().hostConfig(), c.id));
            // what holds the FIFOs open for a pouchd that may be down goes with them
            ContainerIOs.releaseOutputHolds(files.fifoDir(c.id));
            try {
                FileTrees.delete(files.fifoDir(c.id));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            releaseDiskQuota(c);
            OverlappedCalls.deleteRecordAndSnapshot(containers, snapshots, c.id);
        } catch (ContainerdException e) {
            hostLeftovers.awaitQuietly();
            throw e.toPouch("cannot remove container " + c.id);
        }
        try {
            hostLeftovers.await();
            ShareableShm.release(files.dir(c.id)); // before the tree is deleted: never into a mounted tmpfs
            files.removeStateDir(c.id);
        } catch (IOException | UncheckedIOException e) {
            throw PouchException.internal("cannot remove the files of container " + c.id + ": " + e.getMessage(), e);
        }
    }
}
