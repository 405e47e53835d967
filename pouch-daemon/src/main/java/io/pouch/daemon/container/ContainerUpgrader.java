package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerUpgrade;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Leases;
import io.pouch.daemon.containerd.SnapshotMounts;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.containerd.Tasks;
import io.pouch.daemon.image.ImageLookup;
import io.pouch.daemon.image.LocalImage;
import io.pouch.daemon.quota.RootfsQuota;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import static io.pouch.daemon.container.Cleanup.quietly;

/**
 * Pouch's upgrade: the same container (id, name, host config, binds, network) on a new image, and a new command
 * if given, started. The old rootfs is kept (committed under {@code <id>-pre-upgrade-<ms>}) until the new one
 * runs; on any failure the old image, config and files come back and the container runs as before.
 */
final class ContainerUpgrader {
    private static final Logger LOG = Logger.getLogger(ContainerUpgrader.class.getName());

    private final ContainerStore store;
    private final ContainerStateDirs files;
    private final ContainerEvents events;
    private final ImageLookup images;
    private final RuntimeSpecs specs;
    private final ContainerStopper stopper;
    private final ContainerStarter starter;
    private final RestartSupervisor restarts;
    private final Leases leases;
    private final Snapshots snapshots;
    private final Tasks tasks;

    ContainerUpgrader(ContainerStore store, ContainerStateDirs files, ContainerEvents events, ImageLookup images,
                      RuntimeSpecs specs, ContainerStopper stopper, ContainerStarter starter,
                      RestartSupervisor restarts, Leases leases, Snapshots snapshots, Tasks tasks) {
        this.store = store;
        this.files = files;
        this.events = events;
        this.images = images;
        this.specs = specs;
        this.stopper = stopper;
        this.starter = starter;
        this.restarts = restarts;
        this.leases = leases;
        this.snapshots = snapshots;
        this.tasks = tasks;
    }

    void upgrade(String ref, ContainerUpgrade u) {
        if (u == null || u.image() == null || u.image().isEmpty()) {
            throw PouchException.invalidArgument("Image is required to upgrade a container");
        }
        Container c = store.find(ref);
        LocalImage image = images.resolve(u.image());
        ContainerMeta old = c.meta();
        if (c.removing || old.state().dead()) {
            throw PouchException.conflict("cannot upgrade container " + c.id + ": it is "
                    + (c.removing ? "being removed" : "dead"));
        }
        if (old.state().paused()) {
            throw PouchException.conflict("cannot upgrade paused container " + c.id + ": unpause it first");
        }
        LocalImage.RunConfig ic = ConfigMerge.of(image);
        ContainerConfig oc = old.config();
        ContainerConfig req = oc.toBuilder()
                .cmd(u.cmd() == null || u.cmd().isEmpty() ? null : u.cmd())
                .image(u.image())
                .entrypoint(u.entrypoint())
                .build();
        List<String> command = OciSpecBuilder.command(req.entrypoint(), req.cmd(), ic.entrypoint(), ic.cmd());
        ContainerConfig merged = ConfigMerge.merge(req, ic, oc.hostname(), command);
        HostConfig hc = old.hostConfig();
        List<Bind> binds = hc.binds() == null ? List.of() : hc.binds().stream().map(Bind::parse).toList();
        // validates before anything changes
        specs.forCreate(c.id, merged, hc, binds, RuntimeSpecs.initBinaryFor(hc), files.dir(c.id));
        ContainerMeta next = new ContainerMeta(old.id(), old.name(), old.created(), command.get(0),
                List.copyOf(command.subList(1, command.size())), merged, hc, image.id(), u.image(), image.chainId(),
                old.state(), 0);
        boolean wasRunning = old.running();
        if (wasRunning) {
            stopper.stopAndWait(c, ContainerStopper.stopSignal(old), ContainerStopper.stopTimeout(old));
        }
        c.lock.lock();
        try {
            replaceRootfs(c, next, image, wasRunning);
        } finally {
            c.lock.unlock();
        }
        events.publish(c, "upgrade");
        events.publish(c, "start");
    }

    /** Pouch's upgrade keeps the container's disk quota: the new rootfs gets the limit (and maybe a new QuotaID). */
    private static ContainerMeta withDiskQuota(ContainerMeta m, SnapshotMounts rootfs) {
        ContainerConfig cfg = m.config();
        if (cfg.diskQuota() == null || cfg.diskQuota().isEmpty()) {
            return m;
        }
        String id = RootfsQuota.daemon().reapply(cfg.diskQuota(), cfg.quotaId(), rootfs.upper(), rootfs.work());
        return new ContainerMeta(m.id(), m.name(), m.created(), m.path(), m.args(), cfg.toBuilder().quotaId(id).build(),
                m.hostConfig(), m.imageId(), m.imageName(), m.chainId(), m.state(), m.restartCount());
    }

    /** Caller holds the lock: the new rootfs and metadata, started; the old ones back on failure. */
    private void replaceRootfs(Container c, ContainerMeta next, LocalImage image, boolean wasRunning) {
        // unique: after a rollback the previous one stays as the parent of the restored rootfs
        String backup = c.id + "-pre-upgrade-" + System.currentTimeMillis();
        ContainerMeta stopped = c.meta();
        c.createdMounts = null; // the snapshot is replaced; its mounts are asked for again
        String lease;
        try {
            lease = ContainerdRules.createLease(leases, c.id + "-upgrade");
            snapshots.commit(lease, backup, c.id);
        } catch (ContainerdException e) {
            throw e.toPouch("cannot upgrade container " + c.id + ": keeping its rootfs");
        }
        try {
            SnapshotMounts rootfs = snapshots.prepare(lease, c.id, image.chainId());
            files.save(c, withDiskQuota(next, rootfs).withState(stopped.state()));
            restarts.userStarted(c);
            starter.start(c);
        } catch (RuntimeException e) {
            LOG.warning("upgrade of " + c.id + " failed, rolling back: " + e.getMessage());
            quietly(() -> tasks.delete(c.id));
            quietly(() -> snapshots.remove(c.id));
            try {
                // the old files come back on top of the kept copy
                files.save(c, withDiskQuota(stopped, snapshots.prepare(lease, c.id, backup)));
                if (wasRunning) {
                    starter.start(c);
                }
            } catch (RuntimeException rollback) {
                LOG.log(Level.WARNING, "rollback of the upgrade of " + c.id + " failed", rollback);
            }
            quietly(() -> leases.delete(lease));
            if (e instanceof ContainerdException ce) {
                throw ce.toPouch("cannot upgrade container " + c.id);
            }
            throw e;
        }
        quietly(() -> snapshots.remove(backup));
        quietly(() -> leases.delete(lease));
    }
}
