package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.PouchException;

import java.nio.file.Path;

/**
 * The running containers whose namespaces a starting container joins ({@code container:} PID and IPC modes) and
 * the /dev/shm an IPC joiner is lent, with dockerd's messages for a container that cannot be joined.
 */
final class JoinedNamespaces {
    private final ContainerStore store;
    private final ContainerStateDirs files;

    JoinedNamespaces(ContainerStore store, ContainerStateDirs files) {
        this.store = store;
        this.files = files;
    }

    /**
     * The task pid of the container a {@code container:} PID or IPC mode names (0 for no such mode); it must be
     * running.
     *
     * @param joinerId the joining container's id
     */
    long holderPid(String joinerId, String ref) {
        if (ref == null) {
            return 0;
        }
        Container x;
        try {
            x = store.find(ref);
        } catch (PouchException e) {
            throw PouchException.invalidArgument("No such container: " + ref);
        }
        if (x.id.equals(joinerId)) {
            throw PouchException.invalidArgument("cannot join own namespace");
        }
        ContainerMeta xm = x.meta();
        if (xm.state().restarting()) {
            throw PouchException.conflict("Container " + x.id + " is restarting, wait until the container is running");
        }
        if (!xm.running() || xm.state().pid() <= 0) {
            throw PouchException.conflict("container " + x.id + " is not running");
        }
        return xm.state().pid();
    }

    /**
     * The /dev/shm a {@code container:} IPC joiner shares: only a {@code shareable} container's tmpfs or a host-IPC
     * container's (the host's) is lent, as dockerd.
     */
    String lentShm(String ref) {
        Container x = store.find(ref);
        String mode = x.meta().hostConfig().ipcMode();
        Path lent = "shareable".equals(mode) ? ShareableShm.mounted(files.dir(x.id))
                : "host".equals(mode) ? Path.of("/dev/shm") : null;
        if (lent == null) {
            throw PouchException.invalidArgument("can't join IPC of container " + x.id
                    + ": non-shareable IPC (hint: use IpcMode:shareable for the donor container)");
        }
        return lent.toString();
    }

    /**
     * Puts the joins into a start's spec.
     *
     * @param pidOf the task pid whose PID namespace to join, or 0
     * @param ipcOf the task pid whose IPC namespace to join, or 0
     * @param shm   the /dev/shm to bind (a shareable or lent one), or null
     */
    static void apply(ObjectNode spec, long pidOf, long ipcOf, String shm) {
        if (pidOf > 0) {
            OciSpecBuilder.joinNamespace(spec, "pid", pidOf);
        }
        if (ipcOf > 0) {
            OciSpecBuilder.joinNamespace(spec, "ipc", ipcOf);
        }
        if (shm != null) {
            OciSpecBuilder.bindShm(spec, shm);
        }
    }
}
