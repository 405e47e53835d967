package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerState;
import io.pouch.api.container.HostConfig;
import io.pouch.api.container.NetworkMode;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Containers;
import io.pouch.daemon.containerd.SnapshotMounts;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.containerd.Tasks;
import io.pouch.daemon.network.Attachment;
import io.pouch.daemon.volume.ContainerVolumes;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.pouch.daemon.container.Cleanup.quietly;

/**
 * Starts a container's task: network attachment, host files, runtime spec, I/O, then containerd's task create
 * and start, and the running state recorded. The caller holds the container's lock; on any failure what was set
 * up is undone and the state is unchanged.
 */
final class ContainerStarter {
    private final ContainerStore store;
    private final ContainerStateDirs files;
    private final ContainerNetworking networking;
    private final ContainerVolumes volumes;
    private final Snapshots snapshots;
    private final Containers containers;
    private final Tasks tasks;
    private final RuntimeSpecs specs;
    private final MainProcessIo io;
    private final JoinedNamespaces namespaces;

    ContainerStarter(ContainerStore store, ContainerStateDirs files, ContainerNetworking networking,
                     ContainerVolumes volumes, Snapshots snapshots, Containers containers, Tasks tasks,
                     RuntimeSpecs specs, MainProcessIo io, JoinedNamespaces namespaces) {
        this.store = store;
        this.files = files;
        this.networking = networking;
        this.volumes = volumes;
        this.snapshots = snapshots;
        this.containers = containers;
        this.tasks = tasks;
        this.specs = specs;
        this.io = io;
        this.namespaces = namespaces;
    }

    /** Caller holds the lock. On any failure the task is gone again and the state unchanged. */
    void start(Container c) {
        // namespace, addresses and published ports exist before the task; undone on failure
        ContainerMeta m = c.meta();
        NetworkMode mode = NetworkMode.parse(m.hostConfig().networkMode());
        String joinRef = mode.joinedContainer();
        Attachment att = joinRef != null ? joinAttachment(c, joinRef)
                : networking.attach(c.id, m.config().hostname(), m.hostConfig().portBindings(),
                m.config().exposedPorts(), m.hostConfig().publishAllPorts());
        try {
            start(c, att, mode);
        } catch (RuntimeException e) {
            quietly(() -> networking.detach(c.id));
            ShareableShm.release(files.dir(c.id));
            throw e;
        }
    }

    /**
     * {@code container:<id>} enters that container's network namespace; it must be running (dockerd's wording and
     * status).
     */
    private Attachment joinAttachment(Container c, String ref) {
        Container x = store.find(ref);
        if (x.id.equals(c.id)) {
            throw PouchException.invalidArgument("cannot join own network");
        }
        ContainerMeta xm = x.meta();
        if (xm.state().restarting()) {
            throw PouchException.conflict("Container " + x.id + " is restarting, wait until the container is running");
        }
        if (!xm.running() || xm.state().pid() <= 0) {
            throw PouchException.conflict("cannot join network of a non running container: " + ref);
        }
        return new Attachment(networking.joinNamespace(x.id, xm.state().pid()), List.of(), List.of());
    }

    private void start(Container c, Attachment att, NetworkMode mode) {
        ContainerMeta m = c.meta();
        HostConfig hc = m.hostConfig();
        Path dir = files.dir(c.id);
        SnapshotMounts rootfs;
        try {
            rootfs = c.createdMounts != null && !c.createdMounts.mounts().isEmpty() ? c.createdMounts
                    : snapshots.mounts(c.id);
            c.createdMounts = null;
        } catch (ContainerdException e) {
            throw e.toPouch("cannot start container " + c.id + ": its rootfs snapshot");
        }
        List<Path> layers = rootfs.layers();
        UserSpec user = UserSpec.of(m.config().user(), hc.groupAdd(), RootfsFiles.read(layers, "etc/passwd"),
                RootfsFiles.read(layers, "etc/group"));
        long pidOf = namespaces.holderPid(c.id, NamespaceModes.joined(hc.pidMode()));
        long ipcOf = namespaces.holderPid(c.id, NamespaceModes.joined(hc.ipcMode()));
        String shm = ipcOf > 0 ? namespaces.lentShm(NamespaceModes.joined(hc.ipcMode()))
                : "shareable".equals(hc.ipcMode()) ? ShareableShm.mount(dir, hc.shmSize()).toString() : null;
        Path init = RuntimeSpecs.initBinaryFor(hc);
        try {
            if (mode.joinedContainer() != null) { // a container: joiner sees the joined container's files
                HostFiles.copyShared(files.dir(store.find(mode.joinedContainer()).id), dir);
            } else {
                HostFiles.write(dir, m.config().hostname(), mode, hc.extraHosts(),
                        att.hostsLines(), att.nameservers(), hc);
            }
        } catch (IOException e) {
            throw PouchException.internal("cannot write the hosts and resolv.conf files: " + e.getMessage(), e);
        }
        // binds are in the mount plan, which the volumes add to the spec with the other user mounts
        byte[] spec = specs.forStart(c.id, m.config(), hc, init, dir, user, att.netnsPath(),
                node -> {
                    JoinedNamespaces.apply(node, pidOf, ipcOf, shm);
                    volumes.applyStart(c.id, layers, node, hc);
                    try {
                        BindPropagation.check(node);
                    } catch (RuntimeException e) {
                        volumes.stopped(c.id);
                        throw e;
                    }
                });
        // containerd stores the spec while the FIFOs and the log are set up: neither needs the other. A spec
        // containerd holds already (written at create, see StartSpecPrediction, or by the last start) is not
        // written again.
        OverlappedCalls.Step specUpdate = null;
        byte[] digest = Container.specDigest(spec);
        if (!Arrays.equals(digest, c.specInContainerd)) {
            c.specInContainerd = null; // unknown until the update is known to have landed
            specUpdate = new OverlappedCalls.Step("spec-" + c.id.substring(0, 12),
                    () -> containers.updateSpec(c.id, spec));
        }
        ContainerConfig cfg = m.config();
        ContainerIO pending = c.pendingIo;
        ContainerIO cio;
        try {
            cio = pending != null ? pending : io.create(m);
        } catch (RuntimeException e) {
            if (specUpdate != null) {
                specUpdate.awaitQuietly();
            }
            volumes.stopped(c.id);
            throw e;
        }
        try {
            if (specUpdate != null) {
                specUpdate.await();
                c.specInContainerd = digest;
            }
        } catch (RuntimeException e) {
            if (pending == null) { // an attached client's I/O stays for the next start
                cio.close();
            }
            volumes.stopped(c.id);
            throw e instanceof ContainerdException ce ? ce.toPouch("cannot start container " + c.id) : e;
        }
        c.pendingIo = null;
        c.taskDeleted = false;
        try {
            att.awaitNamespace(); // made meanwhile; runc joins it at Tasks/Create
        } catch (RuntimeException e) {
            cio.close();
            volumes.stopped(c.id);
            throw e;
        }
        int taskPid;
        try {
            taskPid = tasks.create(c.id, rootfs.mounts(), pathOrNull(cio.stdinPath()), pathOrNull(cio.stdoutPath()),
                    pathOrNull(cio.stderrPath()), cfg.tty());
        } catch (ContainerdException e) {
            undoTask(c, cio);
            throw ContainerdRules.startError(e);
        }
        try {
            att.awaitReady(); // interfaces, port rules and record in place before the process runs
            if (cfg.netPriority() != 0) {
                NetPriorities.apply(PouchHostFeatures.system(), taskPid, CgroupPaths.of(hc, c.id), cfg.netPriority());
            }
        } catch (RuntimeException e) {
            undoTask(c, cio);
            throw e;
        }
        int pid;
        try {
            pid = tasks.start(c.id);
        } catch (ContainerdException e) {
            undoTask(c, cio);
            throw ContainerdRules.startError(e);
        }
        c.io = cio;
        c.oomKilled = false;
        ContainerState s = m.state();
        // on disk after the reply: the running task is containerd's record of this start (see saveAfterUnlock)
        files.saveAfterUnlock(c, m.withState(new ContainerState("running", true, false, false, false, false, pid, 0,
                "", Times.now(), s.finishedAt())));
    }

    private void undoTask(Container c, ContainerIO cio) {
        quietly(() -> tasks.delete(c.id));
        cio.close();
        volumes.stopped(c.id);
    }

    private static String pathOrNull(Path p) {
        return p == null ? null : p.toString();
    }
}
