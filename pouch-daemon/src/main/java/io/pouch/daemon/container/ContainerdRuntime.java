package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Containers;
import io.pouch.daemon.containerd.Leases;
import io.pouch.daemon.containerd.Mount;
import io.pouch.daemon.containerd.SnapshotMounts;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.containerd.TaskExit;
import io.pouch.daemon.containerd.TaskProcess;
import io.pouch.daemon.containerd.Tasks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The container manager's calls into containerd (snapshot, container record, task) through containerd's role
 * adapters, with the container lifecycle's own rules: the create lease's name and lifetime, "not found" on
 * cleanup paths as success, and failed starts worded as Docker words them.
 */
final class ContainerdRuntime {
    static final String SNAPSHOTTER = Snapshots.SNAPSHOTTER;

    private final Leases leases;
    private final Snapshots snapshots;
    private final Containers containers;
    private final Tasks tasks;

    ContainerdRuntime(Containerd ctd) {
        this.leases = new Leases(ctd);
        this.snapshots = new Snapshots(ctd);
        this.containers = new Containers(ctd);
        this.tasks = new Tasks(ctd);
    }

    Tasks tasks() {
        return tasks;
    }

    /** A lease that keeps a new snapshot from containerd's GC until the container record references it. */
    String createLease(String id) {
        // if pouchd dies mid-create, containerd expires the lease itself
        return leases.create("pouch-create-" + id, Duration.ofHours(1));
    }

    void deleteLease(String lease) {
        leases.delete(lease);
    }

    void prepareSnapshot(String lease, String key, String parent) {
        snapshots.prepare(lease, key, parent);
    }

    /** As {@link #prepareSnapshot}; returns the mounts of the new snapshot (what Snapshots/Mounts would say). */
    SnapshotMounts prepareSnapshotMounts(String lease, String key, String parent) {
        return snapshots.prepare(lease, key, parent);
    }

    /** Turns the active snapshot {@code key} into the committed {@code name} (the key is free again). */
    void commitSnapshot(String lease, String name, String key) {
        snapshots.commit(lease, name, key);
    }

    SnapshotMounts mounts(String key) {
        return snapshots.mounts(key);
    }

    void removeSnapshot(String key) {
        snapshots.remove(key);
    }

    boolean snapshotExists(String key) {
        return snapshots.exists(key);
    }

    /** Bytes used by the snapshot itself (its upper dir), and by the whole chain below it. */
    Snapshots.Usage usage(String key) {
        return snapshots.usage(key);
    }

    void createContainer(String lease, String id, String image, String binary, byte[] spec, Map<String, String> labels) {
        containers.create(lease, id, image, binary, spec, labels);
    }

    void updateSpec(String id, byte[] spec) {
        containers.updateSpec(id, spec);
    }

    /** The runtime spec containerd holds for the container (JSON bytes). */
    byte[] spec(String id) {
        return containers.spec(id);
    }

    /** New cgroup limits for a running task (OCI LinuxResources JSON). */
    void updateTask(String id, byte[] linuxResources) {
        tasks.update(id, linuxResources);
    }

    void deleteContainer(String id) {
        containers.delete(id);
    }

    List<String> containerIds() {
        return containers.ids();
    }

    int createTask(String id, List<Mount> rootfs, String stdin, String stdout, String stderr, boolean terminal) {
        return tasks.create(id, rootfs, stdin, stdout, stderr, terminal);
    }

    int startTask(String id) {
        return tasks.start(id);
    }

    /** Deletes the (stopped) task; its exit status, or empty when there was no task. */
    Optional<TaskExit> deleteTask(String id) {
        return tasks.delete(id);
    }

    Optional<TaskProcess> task(String id) {
        return tasks.get(id);
    }

    void kill(String id, int signal, boolean all) {
        tasks.kill(id, signal, all);
    }

    void closeStdin(String id) {
        tasks.closeStdin(id);
    }

    void pause(String id) {
        tasks.pause(id);
    }

    void resume(String id) {
        tasks.resume(id);
    }

    void resize(String id, int width, int height) {
        tasks.resize(id, width, height);
    }

    List<Integer> pids(String id) {
        return tasks.pids(id);
    }

    /**
     * A failed task create/start as Docker words it. The docker CLI maps "executable file not found" and "no
     * such file or directory" to exit 127 and "permission denied" to 126, so those stay in the message.
     */
    static PouchException startError(ContainerdException e) {
        String msg = e.description();
        if (msg.contains("executable file not found") || msg.contains("no such file or directory")
                || msg.contains("permission denied") || msg.contains("not a directory")) {
            return PouchException.invalidArgument(msg);
        }
        if (msg.contains("can't get final child's PID from pipe")) {
            return PouchException.internal(msg + " (on this host this usually means a limit the host cannot grant:"
                    + " a hard ulimit above the current one or a negative OomScoreAdj)", e);
        }
        return PouchException.internal(msg, e);
    }

    static PouchException error(String what, ContainerdException e) {
        return e.toPouch(what);
    }
}
