package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerCreateResponse;
import io.pouch.api.container.ContainerInspect;
import io.pouch.api.container.ContainerSummary;
import io.pouch.api.container.ContainerUpdate;
import io.pouch.api.container.ContainerUpgrade;
import io.pouch.api.container.Health;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Containers;
import io.pouch.daemon.containerd.Leases;
import io.pouch.daemon.containerd.SnapshotMounts;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.containerd.Tasks;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.image.ImageLookup;
import io.pouch.daemon.image.ImageUsage;
import io.pouch.daemon.logs.CriLogs;
import io.pouch.daemon.logs.LogDrivers;
import io.pouch.daemon.logs.LogFile;
import io.pouch.daemon.network.NetworkRequest;
import io.pouch.daemon.query.Filters;
import io.pouch.daemon.runtime.Runtimes;
import io.pouch.daemon.volume.ContainerVolumes;
import io.pouch.daemon.volume.VolumeManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Containers on containerd, with Docker's semantics: the store, the per-container lock, and the operations
 * that only signal, freeze or remove; every larger step has its own class ({@link ContainerCreator},
 * {@link ContainerStarter}, {@link TaskExitHandler}, {@link ContainerViews}, {@link BootReconciler},
 * {@link ContainerUpgrader}, {@link ContainerUpdater}). Metadata lives in
 * {@code <home>/containers/<id>/config.v2.json}; containerd holds the snapshot, the container record and the
 * task. Exits come from containerd's event stream ({@link TaskEvents}), never from polling.
 */
public final class ContainerManager implements ContainerService, ImageUsage, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ContainerManager.class.getName());

    /** Counts for {@code GET /info}. */
    public record Counts(int running, int paused, int stopped, int total) {
    }

    /** What the exec, top, stats and archive features need to know of a container (a consistent snapshot). */
    public record ProcessView(String id, String name, String imageName, String imageId, Map<String, String> labels,
                              boolean running, boolean paused, int pid, String user, boolean tty,
                              List<String> groupAdd) {
        public ProcessView(String id, String name, String imageName, String imageId, Map<String, String> labels,
                           boolean running, boolean paused, int pid, String user, boolean tty) {
            this(id, name, imageName, imageId, labels, running, paused, pid, user, tty, List.of());
        }
    }

    /** Receives the exits of exec'd processes: containerd reports them on the same task event stream. */
    public interface ExecExitListener {
        void onExit(String containerId, String execId, int pid, int status, Instant at);
    }

    private final ContainerStore store = new ContainerStore();
    private final ContainerStateDirs files;
    private final ContainerEvents events;
    private final LogDrivers logDrivers;
    private final VolumeManager volumeManager;
    private final ContainerVolumes volumes;
    private final ContainerNetworking networking;
    private final Snapshots snapshots;
    private final Tasks tasks;
    private final TaskEvents taskEvents;
    private final MainProcessIo io;
    private final RestartSupervisor restarts;
    private final ContainerCreator creator;
    private final ContainerStarter starter;
    private final ContainerStopper stopper;
    private final ContainerRemover remover;
    private final TaskExitHandler exits;
    private final ContainerViews views;
    private final BootReconciler boot;
    private final ContainerUpgrader upgrader;
    private final ContainerUpdater updater;
    private final ContainerPruner pruner;

    /**
     * @param networking the containers' networks ({@link ContainerNetworking#NONE}: an empty namespace each)
     * @param volumes    the volume manager pouchd shares with the volume routes
     */
    public ContainerManager(Containerd containerd, DaemonConfig config, EventBus eventBus, ImageLookup images,
                            ContainerNetworking networking, VolumeManager volumes) {
        this(containerd, config, eventBus, images, networking, volumes, Runtimes.create(config, Map.of()));
    }

    /** @param runtimes the OCI runtimes containers may choose ({@code HostConfig.Runtime}) */
    public ContainerManager(Containerd containerd, DaemonConfig config, EventBus eventBus, ImageLookup images,
                            ContainerNetworking networking, VolumeManager volumes, Runtimes runtimes) {
        Leases leases = new Leases(containerd);
        Containers containers = new Containers(containerd);
        this.snapshots = new Snapshots(containerd);
        this.tasks = new Tasks(containerd);
        this.files = new ContainerStateDirs(config.containersDir(), config.execRoot());
        this.events = new ContainerEvents(eventBus);
        this.logDrivers = new LogDrivers(config.logDriver(), config.logOpts(), new CriLogs(this::isRunning));
        this.volumeManager = volumes;
        this.volumes = new ContainerVolumes(volumes, config.containersDir());
        this.networking = networking;
        this.io = new MainProcessIo(files, logDrivers);
        RuntimeSpecs specs = new RuntimeSpecs(HostFacts.read());
        JoinedNamespaces namespaces = new JoinedNamespaces(store, files);
        ImageUserFiles userFiles = new ImageUserFiles();
        this.starter = new ContainerStarter(store, files, networking, this.volumes, snapshots, containers, tasks, specs,
                io, namespaces);
        this.restarts = new RestartSupervisor(files, events, starter);
        this.stopper = new ContainerStopper(tasks, restarts, files, events);
        this.remover = new ContainerRemover(store, files, events, stopper, networking, this.volumes, tasks,
                containers, snapshots);
        this.exits = new TaskExitHandler(store, files, events, tasks, networking, this.volumes, restarts, remover);
        this.taskEvents = new TaskEvents(containerd, exits::onTaskExit, exits::onTaskOom, exits::reconcileRunning);
        this.creator = new ContainerCreator(store, files, events, images, this.volumes, networking, containers,
                snapshots, specs, new HostConfigValidation(runtimes, logDrivers),
                new StartSpecPrediction(store, networking, namespaces, this.volumes, specs, userFiles), userFiles);
        this.views = new ContainerViews(store, files, images, networking, this.volumes, snapshots, logDrivers,
                runtimes.defaultName());
        this.boot = new BootReconciler(store, files, events, io, this.volumes, containers, snapshots, tasks);
        this.upgrader = new ContainerUpgrader(store, files, events, images, specs, stopper, starter, restarts, leases,
                snapshots, tasks);
        this.updater = new ContainerUpdater(store, files, events, specs, containers, tasks, snapshots);
        this.pruner = new ContainerPruner(store, remover, snapshots, eventBus);
    }

    /**
     * Pouch's {@code --cgroup-parent}: the parent of the cgroup of containers created from now on whose own
     * CgroupParent is empty (it is stored in their HostConfig, as Pouch does, so a later daemon with another
     * setting still finds their cgroups); null for the engine's {@code /pouch}.
     */
    public void setDefaultCgroupParent(String parent) {
        creator.setDefaultCgroupParent(parent);
    }

    /** Loads metadata, subscribes to containerd's task events, then reconciles both sides. */
    public void start() throws IOException {
        Files.createDirectories(files.containersDir());
        boot.removeUnfinished(); // before the volumes count a half-created container among their users
        volumeManager.start(); // its users are derived from the containers' mount plans
        taskEvents.start();
        boot.load();
        boot.reconcile();
    }

    /**
     * Restarts what the restart policies bring back when pouchd starts (after a reboot, or containers that died
     * while pouchd was down). Call after {@link #start()} and after the network manager has reconciled its
     * state: that reconcile removes the namespaces of containers that are not running, and would pull the rug
     * from under a restart already on its way.
     */
    public void startRestartPolicies() {
        restarts.atDaemonStart(store.all());
    }

    @Override
    public void close() {
        taskEvents.close();
    }

    // ---------------------------------------------------------------- create, start

    public ContainerCreateResponse create(String name, ContainerConfig config, HostConfig hostConfig) {
        return create(name, config, hostConfig, NetworkRequest.EMPTY);
    }

    @Override
    public ContainerCreateResponse create(String name, ContainerConfig config, HostConfig hostConfig,
                                          NetworkRequest net) {
        return creator.create(name, config, hostConfig, net);
    }

    /**
     * The CRI server's create: as {@link #create(String, ContainerConfig, HostConfig, NetworkRequest)}, and the
     * host config may choose the cri log driver (LogConfig type {@code cri}, option {@code path}), which the
     * Engine API refuses.
     */
    @Override
    public ContainerCreateResponse createForCri(String name, ContainerConfig config, HostConfig hostConfig,
                                                NetworkRequest net) {
        return creator.create(name, config, hostConfig, net, true);
    }

    @Override
    public void start(String ref) {
        Container c = store.find(ref);
        c.lock.lock();
        try {
            if (c.removing) {
                throw PouchException.conflict("container is marked for removal and cannot be started");
            }
            ContainerMeta m = c.meta();
            if (m.state().dead()) {
                throw PouchException.conflict("cannot start a dead container " + c.id + "; remove it");
            }
            if (m.state().paused()) {
                throw PouchException.conflict("cannot start a paused container, try unpause instead");
            }
            if (m.running()) {
                throw PouchException.notModified("container already started");
            }
            // a user start clears the manual stop, the back-off and the restart count
            restarts.userStarted(c);
            if (m.restartCount() != 0 || m.state().restarting()) {
                files.save(c, m.withRestartCount(0).withState(RestartSupervisor.exited(m.state())));
            }
            starter.start(c);
        } catch (RuntimeException e) {
            c.lock.unlock();
            if (c.meta().hostConfig().autoRemove() && !c.removing) {
                // as dockerd: a --rm container that cannot start is removed (docker run waits for that)
                try {
                    remover.remove(c, true, true);
                } catch (RuntimeException removeError) {
                    LOG.warning("cannot auto-remove " + c.id + " after a failed start: " + removeError.getMessage());
                }
            }
            throw e;
        }
        c.lock.unlock();
        events.publish(c, "start");
    }

    /**
     * The I/O an attaching client subscribes to: the running process's, or, for a container that is not
     * running, the I/O its next start will use (docker run attaches before it starts the container).
     */
    @Override
    public ContainerIO ioForAttach(String ref) {
        Container c = store.find(ref);
        c.lock.lock();
        try {
            if (c.io != null) {
                return c.io;
            }
            if (c.pendingIo == null) {
                c.pendingIo = io.create(c.meta());
            }
            return c.pendingIo;
        } finally {
            c.lock.unlock();
        }
    }

    // ---------------------------------------------------------------- stop, kill, pause

    @Override
    public void stop(String ref, Integer timeoutSeconds) {
        Container c = store.find(ref);
        ContainerMeta m = c.meta();
        if (!m.running() && cancelRestart(c)) {
            events.publish(c, "stop"); // a pending restart is cancelled, as dockerd does
            return;
        }
        if (!m.running()) {
            throw PouchException.notModified("container already stopped");
        }
        int timeout = timeoutSeconds != null ? timeoutSeconds : ContainerStopper.stopTimeout(m);
        stopper.stopAndWait(c, ContainerStopper.stopSignal(m), timeout);
        events.publish(c, "stop");
    }

    @Override
    public void kill(String ref, String signal) {
        Container c = store.find(ref);
        int sig = Signals.parse(signal);
        CompletableFuture<Integer> exit = c.nextExit; // this run's, when it is running below
        if (!c.meta().running() && cancelRestart(c)) {
            return; // dockerd's kill of a restarting container only cancels the restart
        }
        if (!c.meta().running() || !stopper.signal(c, sig)) {
            throw PouchException.conflict("Container " + c.id + " is not running");
        }
        if (sig == Signals.SIGKILL) {
            stopper.awaitKilled(c, exit); // as dockerd: a SIGKILL's answer comes once the exit is recorded
        }
    }

    @Override
    public void restart(String ref, Integer timeoutSeconds) {
        Container c = store.find(ref);
        if (c.meta().running()) {
            stop(c.id, timeoutSeconds);
        }
        start(c.id);
        events.publish(c, "restart");
    }

    /** Marks a manual stop and drops a pending restart; true when one was pending. */
    private boolean cancelRestart(Container c) {
        c.lock.lock();
        try {
            if (!c.meta().state().restarting()) {
                return false;
            }
            restarts.markManualStop(c);
            return restarts.cancelPending(c);
        } finally {
            c.lock.unlock();
        }
    }

    @Override
    public void pause(String ref) {
        Container c = store.find(ref);
        c.lock.lock();
        try {
            ContainerMeta m = c.meta();
            if (!m.running()) {
                throw PouchException.conflict("Container " + c.id + " is not running");
            }
            if (m.state().paused()) {
                throw PouchException.conflict("Container " + c.id + " is already paused");
            }
            try {
                tasks.pause(c.id);
            } catch (ContainerdException e) {
                throw e.toPouch("cannot pause container " + c.id);
            }
            files.save(c, m.withState(ContainerStopper.withPaused(m.state(), true)));
        } finally {
            c.lock.unlock();
        }
        events.publish(c, "pause");
    }

    @Override
    public void unpause(String ref) {
        Container c = store.find(ref);
        c.lock.lock();
        try {
            ContainerMeta m = c.meta();
            if (!m.running() || !m.state().paused()) {
                throw PouchException.conflict("Container " + c.id + " is not paused");
            }
            try {
                tasks.resume(c.id);
            } catch (ContainerdException e) {
                throw e.toPouch("cannot unpause container " + c.id);
            }
            files.save(c, m.withState(ContainerStopper.withPaused(m.state(), false)));
        } finally {
            c.lock.unlock();
        }
        events.publish(c, "unpause");
    }

    /**
     * For {@code docker cp}: freezes a running, unpaused container's task for an archive copy (dockerd does so
     * since CVE-2018-15664: a process inside must not swap a path component for a symlink between our resolution
     * and our use of it). Not a user-visible pause (no state change, no event); the container's lock is held until
     * the returned handle is closed (a stop waits for the copy, as in dockerd), so call both on the same thread.
     * Closing resumes the task (only if this froze it) and never throws.
     */
    public Runnable freezeForCopy(String ref) {
        Container c = store.find(ref);
        c.lock.lock();
        boolean frozen = false;
        try {
            ContainerMeta m = c.meta();
            if (m.running() && !m.state().paused()) {
                tasks.pause(c.id);
                frozen = true;
            }
        } catch (ContainerdException e) {
            if (!e.isNotFound()) { // a task that just ended needs no freeze
                c.lock.unlock();
                throw e.toPouch("cannot pause container " + c.id + " for the copy");
            }
        } catch (RuntimeException e) {
            c.lock.unlock();
            throw e;
        }
        boolean resume = frozen;
        return () -> {
            try {
                if (resume) {
                    tasks.resume(c.id);
                }
            } catch (ContainerdException e) {
                LOG.warning("cannot resume container " + c.id + " after a copy: " + e.getMessage());
            } finally {
                c.lock.unlock();
            }
        };
    }

    @Override
    public void resize(String ref, int height, int width) {
        Container c = store.find(ref);
        if (!c.meta().running()) {
            throw PouchException.conflict("Container " + c.id + " is not running");
        }
        if (height <= 0 || width <= 0) {
            return; // the CLI sends 0x0 before the terminal size is known
        }
        try {
            tasks.resize(c.id, width, height);
        } catch (ContainerdException e) {
            throw e.toPouch("cannot resize container " + c.id);
        }
    }

    // ---------------------------------------------------------------- remove, rename, update, upgrade, wait

    @Override
    public void remove(String ref, boolean force, boolean volumes) {
        Container c = store.find(ref);
        ContainerMeta m = c.meta();
        if ((m.running() || m.state().restarting()) && !force) { // restarting too, as dockerd
            String what = m.state().paused() ? "paused" : m.state().restarting() ? "restarting" : "running";
            throw PouchException.conflict("You cannot remove a " + what + " container " + c.id
                    + ". Stop the container before attempting removal or force remove");
        }
        remover.remove(c, force, volumes);
    }

    @Override
    public Map<String, Object> prune(Filters filters) {
        return pruner.prune(filters);
    }

    @Override
    public void rename(String ref, String newName) {
        if (newName == null || newName.isEmpty()) {
            throw PouchException.invalidArgument("Neither old nor new names may be empty");
        }
        Container c = store.find(ref);
        String bare = Names.validate(newName);
        String old;
        c.lock.lock();
        try {
            old = c.meta().name();
            if (old.equals(bare)) {
                throw PouchException.conflict("Renaming a container with the same name as its current name");
            }
            store.reserveName(bare, c.id);
            try {
                files.save(c, c.meta().withName(bare));
            } catch (RuntimeException e) {
                store.releaseName(bare, c.id);
                throw e;
            }
            store.releaseName(old, c.id);
            networking.rename(c.id, bare);
        } finally {
            c.lock.unlock();
        }
        events.publish(c, "rename", Map.of("oldName", "/" + old));
    }

    @Override
    public List<String> update(String ref, ContainerUpdate u) {
        return updater.update(ref, u);
    }

    @Override
    public void upgrade(String ref, ContainerUpgrade u) {
        upgrader.upgrade(ref, u);
    }

    @Override
    public CompletableFuture<Integer> waitFor(String ref, String condition) {
        Container c = store.find(ref);
        String cond = condition == null || condition.isEmpty() ? "not-running" : condition;
        return switch (cond) {
            case "not-running" -> {
                CompletableFuture<Integer> f = c.nextExit;
                yield c.meta().running() ? f : CompletableFuture.completedFuture(c.meta().state().exitCode());
            }
            case "next-exit" -> c.nextExit;
            case "removed" -> c.removed;
            default -> throw PouchException.invalidArgument("invalid condition: \"" + condition + "\"");
        };
    }

    // ---------------------------------------------------------------- queries

    @Override
    public ContainerInspect inspect(String ref, boolean size) {
        return views.inspect(ref, size);
    }

    @Override
    public ContainerInspect inspectCached(String ref, boolean size) {
        return views.inspectCached(ref, size);
    }

    @Override
    public List<ContainerSummary> list(boolean all, int limit, boolean size, Filters filters) {
        return views.list(all, limit, size, filters);
    }

    public Counts counts() {
        return views.counts();
    }

    @Override
    public List<String> containersUsing(String imageId) {
        return views.containersUsing(imageId);
    }

    @Override
    public List<String> runningContainersUsing(String imageId) {
        return views.runningContainersUsing(imageId);
    }

    @Override
    public ContainerBrief brief(String ref) {
        Container c = store.find(ref);
        ContainerMeta m = c.meta();
        return new ContainerBrief(m.id(), m.created(), m.imageId(), m.state(), m.hostConfig(),
                m.config().labels() == null ? Map.of() : m.config().labels());
    }

    /** 404 when {@code ref} names no container. */
    public ProcessView processView(String ref) {
        ContainerMeta m = store.find(ref).meta();
        return new ProcessView(m.id(), m.name(), m.imageName(), m.imageId(),
                m.config().labels() == null ? Map.of() : m.config().labels(), m.running(), m.state().paused(),
                m.state().pid(), m.config().user(), m.config().tty(),
                m.hostConfig().groupAdd() == null ? List.of() : m.hostConfig().groupAdd());
    }

    /** The mounts of the container's rootfs snapshot (to read or write its files while it is not running). */
    public SnapshotMounts rootfsMounts(String id) {
        try {
            return snapshots.mounts(id);
        } catch (ContainerdException e) {
            throw e.toPouch("cannot get the rootfs of container " + id);
        }
    }

    @Override
    public String resolveId(String ref) {
        return store.find(ref).id;
    }

    public boolean isRunning(String ref) {
        Container c = store.byIdOrNull(ref);
        return c != null && c.meta().running();
    }

    @Override
    public boolean isTty(String ref) {
        return store.find(ref).meta().config().tty();
    }

    /** The json-file log's path (also syslog's local copy), whatever the container's driver. */
    public Path logPath(String id) {
        return files.logPath(id);
    }

    @Override
    public LogFile logFile(String id) {
        return logDrivers.logFile(store.find(id).meta().hostConfig().logConfig(), files.logPath(id));
    }

    /**
     * The open logs of containers created through the CRI with the cri log driver: the CRI server reopens one
     * there after kubelet rotated its file ({@link CriLogs#reopen}).
     */
    public CriLogs criLogs() {
        return logDrivers.criLogs();
    }

    /**
     * Refuses {@code logs} for a container whose driver keeps nothing to read: {@code none}, and {@code syslog}
     * with its local cache turned off (dockerd's 501 and wording).
     */
    @Override
    public void requireReadableLogs(String ref) {
        if (!logDrivers.readable(store.find(ref).meta().hostConfig().logConfig())) {
            throw new PouchException(501, "configured logging driver does not support reading");
        }
    }

    @Override
    public boolean mayLogMore(String ref) {
        Container c = store.byIdOrNull(ref);
        return c != null && (c.meta().running() || c.meta().state().restarting());
    }

    @Override
    public CompletableFuture<Void> exitRecorded(String id, ContainerIO attachedIo) {
        Container c = store.byIdOrNull(id);
        if (c == null) {
            return CompletableFuture.completedFuture(null);
        }
        // the exit handling drops c.io and records the exit in one locked step, then completes nextExit
        c.lock.lock();
        try {
            return c.io != attachedIo ? CompletableFuture.completedFuture(null) : c.nextExit.thenApply(code -> null);
        } finally {
            c.lock.unlock();
        }
    }

    @Override
    public void attached(String ref) {
        events.publish(store.find(ref), "attach");
    }

    /** The main process reads EOF on stdin: containerd's shim holds a writer on the FIFO until told (CloseIO). */
    @Override
    public void closeStdin(String id) {
        try {
            tasks.closeStdin(id);
        } catch (ContainerdException e) {
            LOG.log(Level.FINE, "CloseIO of " + id + " failed", e);
        }
    }

    // ---------------------------------------------------------------- the exec manager's hooks

    /** Where the exits of exec'd processes go (the exec manager, which is made after this manager). */
    public void execExitListener(ExecExitListener listener) {
        exits.execExitListener(listener);
    }

    /** Where inspect's ExecIDs come from (the exec manager). */
    public void execIdsSource(Function<String, List<String>> source) {
        views.execIdsSource(source);
    }

    // ---------------------------------------------------------------- the health feature's hooks

    /** Where State.Health, ps's health status and the {@code health} filter come from (the health service). */
    public void healthSource(Function<String, Health> source) {
        views.healthSource(source);
    }

    /** The container's metadata (a consistent snapshot), or null when there is no container with this id. */
    public ContainerMeta metaOrNull(String id) {
        Container c = store.byIdOrNull(id);
        return c == null ? null : c.meta();
    }

    /** Every container's metadata. */
    public List<ContainerMeta> metas() {
        return store.all().stream().map(Container::meta).toList();
    }
}
