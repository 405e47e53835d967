package io.pouch.daemon.container.files;

import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.containerd.SnapshotMounts;

/** What copying files in and out of containers needs of the container manager. */
public interface CopyContainers {
    /** The full id of the container {@code ref} names; 404 when none. */
    String resolveId(String ref);

    /** See {@link ContainerManager#processView}. */
    ContainerManager.ProcessView processView(String ref);

    /** Freezes the container while a copy resolves and reads its paths; the returned action thaws it. */
    Runnable freezeForCopy(String id);

    /** The mounts of the container's rootfs snapshot. */
    SnapshotMounts rootfsMounts(String id);

    static CopyContainers of(ContainerManager containers) {
        return new CopyContainers() {
            @Override
            public String resolveId(String ref) {
                return containers.resolveId(ref);
            }

            @Override
            public ContainerManager.ProcessView processView(String ref) {
                return containers.processView(ref);
            }

            @Override
            public Runnable freezeForCopy(String id) {
                return containers.freezeForCopy(id);
            }

            @Override
            public SnapshotMounts rootfsMounts(String id) {
                return containers.rootfsMounts(id);
            }
        };
    }
}
