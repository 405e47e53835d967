package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerUpdate;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Containers;
import io.pouch.daemon.containerd.SnapshotMounts;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.containerd.Tasks;
import io.pouch.daemon.quota.RootfsQuota;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code docker update} / {@code pouch update}: new limits in the metadata, in containerd's copy of the spec
 * and, for a running container, in its cgroup (Tasks.Update); Pouch's env and labels for the next start/exec;
 * Pouch's DiskQuota on the rootfs at once.
 */
final class ContainerUpdater {
    private final ContainerStore store;
    private final ContainerStateDirs files;
    private final ContainerEvents events;
    private final RuntimeSpecs specs;
    private final Containers containers;
    private final Tasks tasks;
    private final Snapshots snapshots;

    ContainerUpdater(ContainerStore store, ContainerStateDirs files, ContainerEvents events, RuntimeSpecs specs,
                     Containers containers, Tasks tasks, Snapshots snapshots) {
        this.store = store;
        this.files = files;
        this.events = events;
        this.specs = specs;
        this.containers = containers;
        this.tasks = tasks;
        this.snapshots = snapshots;
    }

    /** Applies {@code u}; returns Docker's warnings. */
    List<String> update(String ref, ContainerUpdate u) {
        Container c = store.find(ref);
        if (u == null || ResourceUpdates.isEmpty(u)) {
            throw PouchException.invalidArgument("you must provide one or more flags when using this command");
        }
        List<String> warnings = new ArrayList<>();
        c.lock.lock();
        try {
            ContainerMeta m = c.meta();
            if (m.state().dead() || c.removing) {
                throw PouchException.conflict("cannot update container " + c.id + ": it is " + (c.removing
                        ? "being removed" : "dead"));
            }
            HostConfig hc = ResourceUpdates.apply(m.hostConfig(), u);
            ContainerConfig cfg = ResourceUpdates.apply(m.config(), u);
            if (u.diskQuota() != null && !u.diskQuota().isEmpty()) {
                SnapshotMounts rootfs = rootfs(c.id);
                cfg = cfg.toBuilder().diskQuota(RootfsQuota.daemon().update(m.config().diskQuota(), u.diskQuota(),
                        rootfs.upper(), rootfs.work())).build();
            }
            ObjectNode res = specs.resources(hc);
            if (u.pidsLimit() != null && u.pidsLimit() <= 0) {
                res.putObject("pids").put("limit", -1); // unlimited again: runc writes "max"
            }
            if (ResourceUpdates.touchesResources(u)) {
                if (m.running()) {
                    specs.prepareCgroups(hc); // a real-time runtime needs the parents' budget first
                }
                updateSpecAndTask(c, m, hc, res);
            }
            files.save(c, new ContainerMeta(m.id(), m.name(), m.created(), m.path(), m.args(), cfg, hc, m.imageId(),
                    m.imageName(), m.chainId(), m.state(), m.restartCount()));
        } finally {
            c.lock.unlock();
        }
        events.publish(c, "update");
        return warnings;
    }

    private SnapshotMounts rootfs(String id) {
        try {
            return snapshots.mounts(id);
        } catch (ContainerdException e) {
            throw e.toPouch("cannot update the disk quota of " + id);
        }
    }

    /** The stored spec gets the new resources; a running task gets {@code res} in its cgroup first. */
    private void updateSpecAndTask(Container c, ContainerMeta m, HostConfig hc, ObjectNode res) {
        try {
            ObjectNode spec = (ObjectNode) Json.MAPPER.readTree(containers.spec(c.id));
            spec.withObject("/linux").set("resources", specs.resources(hc));
            if (m.running()) {
                tasks.update(c.id, Json.MAPPER.writeValueAsBytes(res));
            }
            c.specInContainerd = null; // unknown until the update below is known to have landed
            byte[] updated = Json.MAPPER.writeValueAsBytes(spec);
            containers.updateSpec(c.id, updated);
            c.specInContainerd = Container.specDigest(updated);
        } catch (ContainerdException e) {
            throw e.toPouch("Cannot update container " + c.id);
        } catch (IOException e) {
            throw PouchException.internal("cannot update the runtime spec of " + c.id + ": " + e.getMessage(), e);
        }
    }
}
