package io.pouch.daemon.container;

import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerCreateResponse;
import io.pouch.api.container.ContainerInspect;
import io.pouch.api.container.ContainerState;
import io.pouch.api.container.ContainerSummary;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.container.io.ContainerIOs;
import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Mount;
import io.pouch.daemon.containerd.SnapshotMounts;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.containerd.TaskExit;
import io.pouch.daemon.containerd.TaskProcess;
import io.pouch.daemon.containerd.TaskStatus;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.image.ImageLookup;
import io.pouch.daemon.image.ImageUsage;
import io.pouch.daemon.image.LocalImage;
import io.pouch.daemon.logs.JsonFileLog;
import io.pouch.daemon.logs.LogAttributes;
import io.pouch.daemon.logs.LogSink;
import io.pouch.daemon.logs.LogTag;
import io.pouch.daemon.logs.SyslogLog;
import io.pouch.daemon.logs.SyslogOptions;
import io.pouch.daemon.query.Filters;
import io.pouch.daemon.sys.AtomicFiles;
import io.pouch.daemon.volume.ContainerVolumes;
import io.pouch.daemon.volume.PlannedMount;
import io.pouch.daemon.volume.VolumeManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Containers: create, start, stop, remove... on containerd, with Docker's semantics. Metadata lives in
 * {@code <home>/containers/<id>/config.v2.json}; containerd holds the snapshot, the container record and the
 * task. Exits come from containerd's event stream ({@link TaskEvents}), never from polling.
 */
public final class ContainerManager implements ImageUsage, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ContainerManager.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    static final String META_FILE = "config.v2.json";
    static final Set<String> RUNTIMES = Set.of("runc", "crun");

    private final DaemonConfig config;
    private final EventBus events;
    private final ImageLookup images;
    private final ContainerdRuntime ctd;
    private final ContainerStore store = new ContainerStore();
    private final OciSpecBuilder.Host host;
    private final TaskEvents taskEvents;
    // life: restart policies
    private final RestartSupervisor restarts;
    /** Networking (null: every container gets an empty namespace, as before the network manager existed). */
    private volatile io.pouch.daemon.network.NetworkManager networks;
    /** Volumes and user mounts (issue 6): planned at create, mounted at start, released at remove. */
    private ContainerVolumes volumes;

    /** Counts for {@code GET /info}. */
    public record Counts(int running, int paused, int stopped, int total) {
    }

    public ContainerManager(Containerd containerd, DaemonConfig config, EventBus events, ImageLookup images) {
        this.config = config;
        this.events = events;
        this.images = images;
        this.ctd = new ContainerdRuntime(containerd);
        this.host = HostFacts.read();
        this.taskEvents = new TaskEvents(containerd, this::onTaskExit, this::onTaskOom, this::reconcileRunning);
        // life: restart policies
        this.restarts = new RestartSupervisor(config.containersDir(), new RestartSupervisor.Hooks() {
            @Override
            public void save(Container c, ContainerMeta m) {
                ContainerManager.this.save(c, m);
            }

            @Override
            public void startLocked(Container c) {
                doStart(c);
            }

            @Override
            public void publish(Container c, String action, Map<String, String> attrs) {
                ContainerManager.this.publish(c, action, attrs);
            }
        });
        this.volumes = new ContainerVolumes(new VolumeManager(config, events), config.containersDir());
    }

    /**
     * Restarts what the restart policies bring back when pouchd starts (after a reboot, or containers that died
     * while pouchd was down). Call after {@link #start()} and after the network manager has reconciled its
     * state: that reconcile removes the namespaces of containers that are not running, and would pull the rug
     * from under a restart already on its way.
     */
    public void startRestartPolicies() {
        restarts.atDaemonStart(store.all()); // life: restart policies
    }

    /** Wires the network manager in; call before {@link #start()}. */
    public void setNetworks(io.pouch.daemon.network.NetworkManager networks) {
        this.networks = networks;
    }

    /** Volumes (issue 6): the volume manager pouchd shares with the volume routes; call before {@link #start()}. */
    public void useVolumes(VolumeManager manager) {
        this.volumes = new ContainerVolumes(manager, config.containersDir());
    }

    public VolumeManager volumes() {
        return volumes.manager();
    }

    /** Loads metadata, subscribes to containerd's task events, then reconciles both sides. */
    public void start() throws IOException {
        Files.createDirectories(config.containersDir());
        volumes.manager().start(); // volumes (issue 6): users derived from the containers' mount plans
        taskEvents.start();
        load();
        reconcile();
    }

    @Override
    public void close() {
        taskEvents.close();
    }

    // ---------------------------------------------------------------- create

    public ContainerCreateResponse create(String requestedName, ContainerConfig cfgIn, HostConfig hcIn) {
        return create(requestedName, cfgIn, hcIn, io.pouch.daemon.network.NetworkRequest.EMPTY);
    }

    /** With the network part of the request (NetworkingConfig, Links) that the shared records do not carry. */
    public ContainerCreateResponse create(String requestedName, ContainerConfig cfgIn, HostConfig hcIn,
                                          io.pouch.daemon.network.NetworkRequest net) {
        ContainerConfig cfg = cfgIn == null ? ContainerConfig.empty() : cfgIn;
        HostConfig hc = joinByFullId(normalize(hcIn == null ? HostConfig.empty() : hcIn)); // network manager
        String name = requestedName == null || requestedName.isEmpty() ? null : Names.validate(requestedName);
        validateHostConfig(hc);
        if (networks != null) { // network manager: networks exist, --ip/--mac/-p are well-formed
            networks.validate(hc.networkMode(), net, hc.portBindings(), cfg.exposedPorts(), hc.publishAllPorts());
            networks.validateContainerMode(cfg, hc, net);
        }
        if (cfg.image() == null || cfg.image().isEmpty()) {
            throw PouchException.invalidArgument("Config.Image is required: give the image to create the container from");
        }
        LocalImage image = images.resolve(cfg.image());
        LocalImage.RunConfig ic = image.config() != null ? image.config()
                : new LocalImage.RunConfig(null, null, null, null, null, null, null, null, null);
        // volumes (issue 6): every user mount (-v, --mount, --tmpfs, volumes-from, VOLUME) is validated here, and
        // goes into the spec at start; Binds are part of that plan
        List<Bind> binds = List.of();
        Map<String, Object> anonymous = new LinkedHashMap<>();
        if (ic.volumes() != null) {
            anonymous.putAll(ic.volumes());
        }
        if (cfg.volumes() != null) {
            anonymous.putAll(cfg.volumes());
        }
        List<PlannedMount> mountPlan = volumes.plan(hc, anonymous, ref -> store.find(ref).id);
        Path init = Boolean.TRUE.equals(hc.init()) ? initBinary() : null;
        List<String> command = OciSpecBuilder.command(cfg.entrypoint(), cfg.cmd(), ic.entrypoint(), ic.cmd());
        String id = newId();
        boolean hostNet = "host".equals(hc.networkMode());
        String hostname = cfg.hostname() != null && !cfg.hostname().isEmpty() ? cfg.hostname()
                : hostNet ? hostHostname() : joinedHostname(hc) != null ? joinedHostname(hc) : id.substring(0, 12);
        ContainerConfig merged = mergeConfig(cfg, ic, hostname, command);
        Path dir = config.containersDir().resolve(id);
        // Validates everything the spec depends on before anything is created (user resolution waits for start).
        byte[] spec = specBytes(id, merged, hc, binds, init, dir, UserSpec.ROOT);

        if (name == null) {
            name = Names.generate(store::nameTaken);
        }
        store.reserveName(name, id);
        String lease = null;
        boolean prepared = false;
        boolean recorded = false;
        boolean attached = false;
        // perf: containerd's record and snapshot are made while the files below are written; neither needs the
        // other, and a crash before the metadata exists leaves containerd objects that boot's reconcile deletes as
        // orphans (no lease since the network manager's run --rm pass: see OverlappedCalls.ContainerdCreate)
        OverlappedCalls.ContainerdCreate inContainerd = new OverlappedCalls.ContainerdCreate(ctd, id, image.name(),
                image.chainId(), hc.runtime() == null ? config.defaultRuntime() : hc.runtime(), spec,
                Map.of("io.pouch.container.name", name, "io.pouch.image", image.id()));
        try {
            Files.createDirectories(dir);
            HostFiles.write(dir, hostname, hc.networkMode(), hc.extraHosts());
            volumes.attach(id, mountPlan); // volumes (issue 6): undone by itself when it fails
            attached = true;
            String path = command.get(0);
            List<String> args = List.copyOf(command.subList(1, command.size()));
            ContainerMeta meta = new ContainerMeta(id, name, Times.now(), path, args, merged, hc, image.id(),
                    cfg.image(), image.chainId(), ContainerState.created(), 0);
            persist(meta);
            if (networks != null) {
                networks.register(id, name, hc.networkMode(), net);
            }
            inContainerd.await();
            if (inContainerd.lease != null) {
                OverlappedCalls.deleteLeaseLater(ctd, inContainerd.lease); // perf: it also expires by itself
            }
            Container c = new Container(meta);
            c.createdMounts = inContainerd.mounts; // perf: the first start skips Snapshots/Mounts
            store.add(c);
            publish(c, "create", Map.of());
            return new ContainerCreateResponse(id, List.of());
        } catch (RuntimeException | IOException e) {
            // Nothing half-created: undo in reverse order, each step on its own.
            inContainerd.awaitQuietly();
            lease = inContainerd.lease;
            prepared = inContainerd.prepared;
            recorded = inContainerd.recorded;
            if (recorded) {
                quietly(() -> ctd.deleteContainer(id));
            }
            if (prepared) {
                quietly(() -> ctd.removeSnapshot(id));
            }
            if (lease != null) {
                String l = lease;
                quietly(() -> ctd.deleteLease(l));
            }
            if (attached) {
                quietly(() -> volumes.abort(id));
            }
            quietly(() -> deleteTree(dir));
            if (networks != null) {
                quietly(() -> networks.forget(id));
            }
            store.releaseName(name, id);
            if (e instanceof PouchException pe) {
                throw pe;
            }
            if (e instanceof ContainerdException sre) {
                throw ContainerdRuntime.error("cannot create container", sre);
            }
            throw PouchException.internal("cannot create container: " + e.getMessage(), e);
        }
    }

    /** network manager: {@code container:<name|id>} is kept as {@code container:<full id>}, as dockerd shows it. */
    private HostConfig joinByFullId(HostConfig hc) {
        String ref = io.pouch.daemon.network.NetworkManager.joinedContainer(hc.networkMode());
        if (ref == null) {
            return hc;
        }
        try {
            return hc.withNetworkMode("container:" + store.find(ref).id);
        } catch (PouchException e) {
            return hc; // as an unknown network: the start fails, not the create (the docker CLI would try a pull)
        }
    }

    /** network manager: a {@code container:} joiner takes the hostname of the container it joins. */
    private String joinedHostname(HostConfig hc) {
        String ref = io.pouch.daemon.network.NetworkManager.joinedContainer(hc.networkMode());
        Container x = ref == null ? null : store.byIdOrNull(ref);
        return x == null ? null : x.meta().config().hostname();
    }

    /**
     * network manager: {@code container:<id>} enters that container's network namespace; it must be running (dockerd's
     * wording and status).
     */
    private io.pouch.daemon.network.Attachment joinAttachment(Container c, String ref) {
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
        return new io.pouch.daemon.network.Attachment(networks.joinNamespace(x.id, xm.state().pid()), List.of(),
                List.of());
    }

    /** Docker's stored defaults, so inspect echoes what will be used. */
    static HostConfig normalize(HostConfig h) {
        String net = h.networkMode() == null || h.networkMode().isEmpty() ? "default" : h.networkMode();
        HostConfig.LogConfig lc = h.logConfig() == null || h.logConfig().type() == null
                || h.logConfig().type().isEmpty()
                ? new HostConfig.LogConfig(null, h.logConfig() != null && h.logConfig().config() != null
                ? h.logConfig().config() : Map.of())
                : new HostConfig.LogConfig(h.logConfig().type(),
                h.logConfig().config() == null ? Map.of() : h.logConfig().config());
        HostConfig.RestartPolicy rp = h.restartPolicy() == null || h.restartPolicy().name() == null
                || h.restartPolicy().name().isEmpty() ? new HostConfig.RestartPolicy("no", 0) : h.restartPolicy();
        String rt = h.runtime() == null || h.runtime().isEmpty() ? null : h.runtime();
        return new HostConfig(h.binds(), h.containerIdFile() == null ? "" : h.containerIdFile(), lc, net,
                h.portBindings() == null ? Map.of() : h.portBindings(), rp, h.autoRemove(),
                h.volumeDriver() == null ? "" : h.volumeDriver(), h.volumesFrom(), h.capAdd(), h.capDrop(),
                h.dns() == null ? List.of() : h.dns(), h.dnsOptions() == null ? List.of() : h.dnsOptions(),
                h.dnsSearch() == null ? List.of() : h.dnsSearch(), h.extraHosts(), h.groupAdd(),
                h.ipcMode() == null || h.ipcMode().isEmpty() ? "private" : h.ipcMode(), h.oomScoreAdj(),
                h.pidMode() == null ? "" : h.pidMode(), h.privileged(), h.publishAllPorts(), h.readonlyRootfs(),
                h.securityOpt(), h.utsMode() == null ? "" : h.utsMode(), h.shmSize() > 0 ? h.shmSize() : 64L << 20,
                rt, h.cpuShares(), h.memory(), h.nanoCpus(), h.cgroupParent() == null ? "" : h.cgroupParent(),
                h.cpuPeriod(), h.cpuQuota(), h.cpusetCpus() == null ? "" : h.cpusetCpus(),
                h.cpusetMems() == null ? "" : h.cpusetMems(), h.memoryReservation(), h.memorySwap(),
                h.oomKillDisable(), h.pidsLimit(), h.ulimits(), h.init(), h.maskedPaths(), h.readonlyPaths())
                .withVolumeFields(h); // volumes (issue 6)
    }

    private void validateHostConfig(HostConfig hc) {
        String rt = hc.runtime() == null ? config.defaultRuntime() : hc.runtime();
        if (!RUNTIMES.contains(rt)) {
            throw PouchException.invalidArgument("Unknown runtime specified " + rt);
        }
        String net = hc.networkMode();
        if (net.startsWith("container:") && networks == null) { // network manager: it joins the namespace
            throw PouchException.invalidArgument("network mode " + net + " is not supported yet");
        }
        if (networks == null && !Set.of("default", "bridge", "none", "host").contains(net)) {
            throw PouchException.notFound("network " + net + " not found");
        }
        String type = hc.logConfig().type() == null ? config.logDriver() : hc.logConfig().type();
        if (!type.equals("json-file") && !type.equals("none") && !type.equals("syslog")) {
            throw PouchException.invalidArgument("logger: no log driver named '" + type + "' is registered");
        }
        if (!type.equals("none")) {
            Map<String, String> opts = new LinkedHashMap<>(config.logOpts());
            opts.putAll(hc.logConfig().config());
            if (type.equals("syslog")) {
                SyslogOptions.parse(opts);
            } else {
                JsonFileLog.parseOptions(opts);
            }
        }
        RestartPolicies.validate(hc.restartPolicy(), hc.autoRemove()); // life: docker's messages
    }

    private static ContainerConfig mergeConfig(ContainerConfig c, LocalImage.RunConfig ic, String hostname,
                                               List<String> command) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (ic.labels() != null) {
            labels.putAll(ic.labels());
        }
        if (c.labels() != null) {
            labels.putAll(c.labels());
        }
        List<String> env = OciSpecBuilder.env(hostname, ic.env(), c.env(), false).stream()
                .filter(e -> !e.startsWith("HOSTNAME=") || (c.env() != null && c.env().contains(e))).toList();
        List<String> ep = c.entrypoint() != null ? (c.entrypoint().size() == 1 && c.entrypoint().get(0).isEmpty()
                ? null : c.entrypoint()) : ic.entrypoint();
        int epLen = ep == null ? 0 : ep.size();
        List<String> cmd = command.size() > epLen ? List.copyOf(command.subList(epLen, command.size())) : null;
        return new ContainerConfig(hostname, c.domainname() == null ? "" : c.domainname(),
                c.user() != null && !c.user().isEmpty() ? c.user() : (ic.user() == null ? "" : ic.user()),
                c.attachStdin(), c.attachStdout(), c.attachStderr(), c.exposedPorts(), c.tty(), c.openStdin(),
                c.stdinOnce(), env, cmd, c.image(), c.volumes() != null ? c.volumes() : ic.volumes(),
                c.workingDir() != null && !c.workingDir().isEmpty() ? c.workingDir()
                        : (ic.workingDir() == null ? "" : ic.workingDir()),
                ep, c.onBuild(), labels,
                c.stopSignal() != null && !c.stopSignal().isEmpty() ? c.stopSignal() : ic.stopSignal(),
                c.stopTimeout());
    }

    private byte[] specBytes(String id, ContainerConfig cfg, HostConfig hc, List<Bind> binds, Path init, Path dir,
                             UserSpec user) {
        return specBytes(id, cfg, hc, binds, init, dir, user, null, null);
    }

    /** {@code mountHook} (volumes, issue 6) adds the user mounts to the built spec. */
    private byte[] specBytes(String id, ContainerConfig cfg, HostConfig hc, List<Bind> binds, Path init, Path dir,
                             UserSpec user, String netnsPath,
                             java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> mountHook) {
        List<String> command = new ArrayList<>();
        if (cfg.entrypoint() != null) {
            command.addAll(cfg.entrypoint());
        }
        if (cfg.cmd() != null) {
            command.addAll(cfg.cmd());
        }
        if (cfg.stopSignal() != null && !cfg.stopSignal().isEmpty()) {
            Signals.parse(cfg.stopSignal());
        }
        List<String> env = OciSpecBuilder.env(cfg.hostname(), cfg.env(), null, cfg.tty());
        OciSpecBuilder.Input in = new OciSpecBuilder.Input(id, cfg.hostname(), cfg.domainname(), command, env,
                cfg.workingDir(), user, cfg.tty(), hc, binds, dir.resolve("hostname"), dir.resolve("hosts"),
                dir.resolve("resolv.conf"), init);
        try {
            com.fasterxml.jackson.databind.node.ObjectNode spec = OciSpecBuilder.build(in, host);
            if (netnsPath != null) {
                OciSpecBuilder.setNetworkNamespacePath(spec, netnsPath);
            }
            if (mountHook != null) {
                mountHook.accept(spec);
            }
            return Json.MAPPER.writeValueAsBytes(spec);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw PouchException.internal("cannot encode the runtime spec", e);
        }
    }

    /** The host's tini, statically linked first: it runs inside images that have no libc of their own. */
    static Path initBinary() {
        for (String p : List.of("/usr/bin/docker-init", "/usr/bin/tini-static", "/usr/local/bin/docker-init",
                "/usr/local/bin/tini-static", "/usr/bin/tini", "/usr/local/bin/tini")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        throw PouchException.invalidArgument("--init needs docker-init (tini) on the host, and none was found in"
                + " /usr/bin or /usr/local/bin: install it (apt-get install tini) and try again");
    }

    private static String hostHostname() {
        try {
            return Files.readString(Path.of("/etc/hostname")).trim();
        } catch (IOException e) {
            return "localhost";
        }
    }

    static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    // ---------------------------------------------------------------- start

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
            if (m.running()) {
                throw PouchException.notModified("container already started");
            }
            // life: a user start clears the manual stop, the back-off and the restart count
            restarts.userStarted(c);
            if (m.restartCount() != 0 || m.state().restarting()) {
                save(c, m.withRestartCount(0).withState(RestartSupervisor.exited(m.state())));
            }
            doStart(c);
        } catch (RuntimeException e) {
            c.lock.unlock();
            if (c.meta().hostConfig().autoRemove() && !c.removing) {
                // as dockerd: a --rm container that cannot start is removed (docker run waits for that)
                try {
                    remove(c, true);
                } catch (RuntimeException removeError) {
                    LOG.warning("cannot auto-remove " + c.id + " after a failed start: " + removeError.getMessage());
                }
            }
            throw e;
        }
        c.lock.unlock();
        publish(c, "start", Map.of());
    }

    /** Caller holds the lock. On any failure the task is gone again and the state unchanged. */
    private void doStart(Container c) {
        // network manager: namespace, addresses and published ports exist before the task; undone on failure
        String joinRef = io.pouch.daemon.network.NetworkManager.joinedContainer(c.meta().hostConfig().networkMode());
        io.pouch.daemon.network.Attachment att = networks == null ? io.pouch.daemon.network.Attachment.NONE
                : joinRef != null ? joinAttachment(c, joinRef)
                : networks.attach(c.id, c.meta().config().hostname(), c.meta().hostConfig().portBindings(),
                c.meta().config().exposedPorts(), c.meta().hostConfig().publishAllPorts());
        try {
            doStart(c, att);
        } catch (RuntimeException e) {
            if (networks != null) {
                quietly(() -> networks.detach(c.id));
            }
            throw e;
        }
    }

    private void doStart(Container c, io.pouch.daemon.network.Attachment att) {
        ContainerMeta m = c.meta();
        HostConfig hc = m.hostConfig();
        Path dir = config.containersDir().resolve(c.id);
        SnapshotMounts rootfs;
        try {
            rootfs = c.createdMounts != null && !c.createdMounts.mounts().isEmpty() ? c.createdMounts : ctd.mounts(c.id);
            c.createdMounts = null;
        } catch (ContainerdException e) {
            throw ContainerdRuntime.error("cannot start container " + c.id + ": its rootfs snapshot", e);
        }
        List<Path> layers = rootfs.layers();
        UserSpec user = UserSpec.resolve(m.config().user(), RootfsFiles.read(layers, "etc/passwd"),
                RootfsFiles.read(layers, "etc/group"));
        List<Bind> binds = List.of(); // volumes (issue 6): binds are in the mount plan, applied by the hook below
        Path init = Boolean.TRUE.equals(hc.init()) ? initBinary() : null;
        try {
            String joinRef = io.pouch.daemon.network.NetworkManager.joinedContainer(hc.networkMode());
            if (joinRef != null) { // network manager: a container: joiner sees the joined container's files
                HostFiles.copyShared(config.containersDir().resolve(store.find(joinRef).id), dir);
            } else {
                HostFiles.write(dir, m.config().hostname(), hc.networkMode(), hc.extraHosts(), att.hostsLines(),
                        att.nameservers(), hc);
            }
        } catch (IOException e) {
            throw PouchException.internal("cannot write the hosts and resolv.conf files: " + e.getMessage(), e);
        }
        byte[] spec = specBytes(c.id, m.config(), hc, binds, init, dir, user, att.netnsPath(),
                node -> volumes.applyStart(c.id, layers, node, hc));
        try {
            ctd.updateSpec(c.id, spec);
        } catch (ContainerdException e) {
            volumes.stopped(c.id);
            throw ContainerdRuntime.error("cannot start container " + c.id, e);
        }
        ContainerConfig cfg = m.config();
        ContainerIO io = c.pendingIo != null ? c.pendingIo : newIo(c, m, hc);
        c.pendingIo = null;
        int pid;
        c.taskDeleted = false;
        try {
            att.awaitNamespace(); // network manager: made meanwhile; runc joins it at create
        } catch (RuntimeException e) {
            io.close();
            volumes.stopped(c.id);
            throw e;
        }
        try {
            ctd.createTask(c.id, rootfs.mounts(), io.stdinPath() == null ? null : io.stdinPath().toString(),
                    io.stdoutPath() == null ? null : io.stdoutPath().toString(),
                    io.stderrPath() == null ? null : io.stderrPath().toString(), cfg.tty());
        } catch (ContainerdException e) {
            quietly(() -> ctd.deleteTask(c.id));
            io.close();
            volumes.stopped(c.id);
            throw ContainerdRuntime.startError(e);
        }
        try {
            att.awaitReady(); // network manager: interfaces, port rules and record in place before the process runs
        } catch (RuntimeException e) {
            quietly(() -> ctd.deleteTask(c.id));
            io.close();
            volumes.stopped(c.id);
            throw e;
        }
        try {
            pid = ctd.startTask(c.id);
        } catch (ContainerdException e) {
            quietly(() -> ctd.deleteTask(c.id));
            io.close();
            volumes.stopped(c.id);
            throw ContainerdRuntime.startError(e);
        }
        c.io = io;
        c.oomKilled = false;
        ContainerState s = m.state();
        save(c, m.withState(new ContainerState("running", true, false, false, false, false, pid, 0, "",
                Times.now(), s.finishedAt())));
    }

    private ContainerIO newIo(Container c, ContainerMeta m, HostConfig hc) {
        ContainerConfig cfg = m.config();
        LogSink log = openLog(m, hc);
        try {
            return ContainerIOs.create(ContainerIO.fifoDir(config.execRoot(), c.id), "init", cfg.tty(),
                    cfg.openStdin(), cfg.stdinOnce(), log);
        } catch (Exception e) {
            quietly(log::close);
            throw PouchException.internal("cannot set up the container's I/O: " + e.getMessage(), e);
        }
    }

    /**
     * The I/O an attaching client subscribes to: the running process's, or, for a container that is not
     * running, the I/O its next start will use (docker run attaches before it starts the container).
     */
    public ContainerIO ioForAttach(String ref) {
        Container c = store.find(ref);
        c.lock.lock();
        try {
            if (c.io != null) {
                return c.io;
            }
            if (c.pendingIo == null) {
                ContainerMeta m = c.meta();
                c.pendingIo = newIo(c, m, m.hostConfig());
            }
            return c.pendingIo;
        } finally {
            c.lock.unlock();
        }
    }

    private LogSink openLog(ContainerMeta m, HostConfig hc) {
        String id = m.id();
        String type = logDriver(hc);
        if (type.equals("none")) {
            return LogSink.NONE;
        }
        Map<String, String> opts = new LinkedHashMap<>(config.logOpts());
        opts.putAll(hc.logConfig().config());
        try {
            if (type.equals("syslog")) {
                SyslogOptions o = SyslogOptions.parse(opts);
                String tag = LogTag.render(o.tag(), id, m.name(), m.imageId(), m.imageName());
                LogSink cache = o.cacheDisabled() ? LogSink.NONE : JsonFileLog.open(logPath(id), o.cache());
                try {
                    return SyslogLog.open(o, tag, cache, java.time.Clock.systemUTC());
                } catch (java.io.IOException e) {
                    cache.close();
                    throw PouchException.internal(e.getMessage(), e);
                }
            }
            return JsonFileLog.open(logPath(id), opts,
                    LogAttributes.extract(opts, m.config().labels(), m.config().env()));
        } catch (PouchException e) {
            throw e;
        } catch (Exception e) {
            throw PouchException.internal("cannot open the container's log: " + e.getMessage(), e);
        }
    }

    public Path logPath(String id) {
        return config.containersDir().resolve(id).resolve(id + "-json.log");
    }

    // ---------------------------------------------------------------- exits

    private void onTaskExit(String containerId, String processId, int pid, int status, Instant at) {
        if (!containerId.equals(processId)) {
            // [exec] an exec'd process: the exec manager's business
            ExecExitListener l = execExits;
            if (l != null) {
                l.onExit(containerId, processId, pid, status, at);
            }
            return;
        }
        Container c = store.byIdOrNull(containerId);
        if (c != null) {
            Thread.ofVirtual().name("exit-" + containerId.substring(0, 12)).start(() -> handleExit(c, pid, status, at));
        }
    }

    private void onTaskOom(String containerId) {
        Container c = store.byIdOrNull(containerId);
        if (c != null) {
            c.oomKilled = true;
            publish(c, "oom", Map.of());
        }
    }

    /** Records an exit of the main process: drain I/O, delete the task, state exited, event die, auto-remove. */
    /**
     * containerd announces the exit of a task whose shim died while it was down (a reboot, a killed shim) when it
     * starts again, with pid 0 and the time of that clean-up. By then the restart policy may have started the
     * container anew: such an event is older than the current run, and must not end it.
     */
    private static boolean isStaleExit(ContainerMeta m, int pid, Instant at) {
        if (pid != 0 || at == null) {
            return false;
        }
        Instant started = Times.parse(m.state().startedAt());
        return started != null && at.isBefore(started);
    }

    private void handleExit(Container c, int pid, int status, Instant at) {
        int code;
        RestartSupervisor.Plan plan; // life
        c.lock.lock();
        try {
            ContainerMeta m = c.meta();
            if (!m.running() || (pid != 0 && m.state().pid() != 0 && m.state().pid() != pid)) {
                return;
            }
            if (isStaleExit(m, pid, at)) {
                return;
            }
            code = status;
            ContainerIO io = c.io;
            if (io != null) {
                try {
                    io.awaitDrained(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                Optional<TaskExit> d = ctd.deleteTask(c.id);
                if (d.isPresent() && status < 0) {
                    code = d.get().exitStatus();
                }
                c.taskDeleted = true; // perf: the removal that often follows (--rm, rm -f) skips its Tasks/Delete
            } catch (ContainerdException e) {
                LOG.warning("cannot delete the task of " + c.id + ": " + e.getMessage());
            }
            if (io != null) {
                io.close();
                c.io = null;
            }
            if (networks != null) {
                quietly(() -> networks.detachLater(c.id)); // network manager: torn down off the exit path
            }
            volumes.stopped(c.id); // volumes (issue 6): unmount what only this container used
            if (code < 0) {
                code = 255;
            }
            ContainerState exited = new ContainerState("exited", false, false, false, c.oomKilled, false, 0, code,
                    "", m.state().startedAt(), Times.format(at == null ? Instant.now() : at));
            // life: restart policy, decided before anyone can see the container exited
            plan = restarts.planAfterExit(c, code, Times.parse(m.state().startedAt()), at == null ? Instant.now() : at);
            if (plan == null && m.hostConfig().autoRemove() && !c.removing) {
                // perf (network manager's run --rm pass): removed right below, so the exited state is not written
                // first (two fsyncs on the path docker run --rm waits for); a crash before the removal leaves
                // "running" on disk, which the boot's reconcile records as exited (the task is gone), the same end as
                // a crash just after this write used to leave
                c.meta(m.withState(exited));
            } else {
                save(c, plan == null ? m.withState(exited)
                        : m.withState(RestartSupervisor.restarting(exited)).withRestartCount(m.restartCount() + 1));
            }
        } finally {
            c.lock.unlock();
        }
        publish(c, "die", Map.of("exitCode", Integer.toString(code)));
        c.exited(code);
        if (plan != null) {
            restarts.schedule(c, plan); // life
        }
        if (c.meta().hostConfig().autoRemove() && !c.removing) {
            try {
                remove(c, true);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "auto-remove of " + c.id + " failed", e);
            }
        }
    }

    /** After the event stream was re-established: exits we may have missed while it was down. */
    private void reconcileRunning() {
        for (Container c : store.all()) {
            if (!c.meta().running()) {
                continue;
            }
            try {
                Optional<TaskProcess> p = ctd.task(c.id);
                if (p.isEmpty()) {
                    Thread.ofVirtual().start(() -> handleExit(c, 0, 255, Instant.now()));
                } else if (p.get().status() == TaskStatus.STOPPED) {
                    int code = p.get().exitStatus();
                    Instant at = Instant.parse(Times.of(p.get().exitedAt()));
                    Thread.ofVirtual().start(() -> handleExit(c, 0, code, at));
                }
            } catch (ContainerdException e) {
                LOG.warning("cannot check task " + c.id + ": " + e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- stop, kill, pause

    public void stop(String ref, Integer timeoutSeconds) {
        Container c = store.find(ref);
        ContainerMeta m = c.meta();
        if (!m.running() && cancelRestart(c)) {
            publish(c, "stop", Map.of()); // life: a pending restart is cancelled, as dockerd does
            return;
        }
        if (!m.running()) {
            throw PouchException.notModified("container already stopped");
        }
        int timeout = timeoutSeconds != null ? timeoutSeconds
                : m.config().stopTimeout() != null ? m.config().stopTimeout() : 10;
        String ss = m.config().stopSignal();
        int sig = ss == null || ss.isEmpty() ? Signals.SIGTERM : Signals.parse(ss);
        stopAndWait(c, sig, timeout);
        publish(c, "stop", Map.of());
    }

    /** Sends {@code sig}, waits up to {@code timeout} s (negative: forever), then SIGKILL. */
    private void stopAndWait(Container c, int sig, int timeout) {
        CompletableFuture<Integer> exit = c.nextExit;
        if (!c.meta().running()) {
            return;
        }
        if (sendSignal(c, sig) && awaitExit(exit, timeout < 0 ? Long.MAX_VALUE : timeout * 1000L)) {
            return;
        }
        if (!c.meta().running()) {
            return;
        }
        sendSignal(c, Signals.SIGKILL);
        if (!awaitExit(exit, 30_000) && c.meta().running()) {
            throw PouchException.internal("container " + c.id + " did not exit 30 s after SIGKILL", null);
        }
    }

    /** False when the task was already gone (the exit is on its way). */
    private boolean sendSignal(Container c, int sig) {
        restarts.markManualStop(c); // life: the restart policy never undoes a user's stop or kill
        try {
            ctd.kill(c.id, sig, false);
            String ss = c.meta().config().stopSignal();
            int stopSig = ss == null || ss.isEmpty() ? Signals.SIGTERM : Signals.parse(ss);
            if (c.meta().state().paused() && (sig == Signals.SIGKILL || sig == stopSig)) {
                // a frozen process only acts on the signal once thawed; moby resumes for KILL and the stop signal
                ctd.resume(c.id);
                c.lock.lock();
                try {
                    ContainerMeta m = c.meta();
                    if (m.running()) {
                        save(c, m.withState(withPaused(m.state(), false)));
                    }
                } finally {
                    c.lock.unlock();
                }
            }
            publish(c, "kill", Map.of("signal", Integer.toString(sig)));
            return true;
        } catch (ContainerdException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw ContainerdRuntime.error("cannot kill container " + c.id, e);
        }
    }

    private static boolean awaitExit(CompletableFuture<Integer> exit, long millis) {
        try {
            exit.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    public void kill(String ref, String signal) {
        Container c = store.find(ref);
        int sig = Signals.parse(signal);
        if (!c.meta().running() && cancelRestart(c)) {
            return; // life: dockerd's kill of a restarting container only cancels the restart
        }
        if (!c.meta().running()) {
            throw PouchException.conflict("Container " + c.id + " is not running");
        }
        if (!sendSignal(c, sig)) {
            throw PouchException.conflict("Container " + c.id + " is not running");
        }
    }

    public void restart(String ref, Integer timeoutSeconds) {
        Container c = store.find(ref);
        if (c.meta().running()) {
            stop(c.id, timeoutSeconds);
        }
        start(c.id);
        publish(c, "restart", Map.of());
    }

    /** life: marks a manual stop and drops a pending restart; true when one was pending. */
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
                ctd.pause(c.id);
            } catch (ContainerdException e) {
                throw ContainerdRuntime.error("cannot pause container " + c.id, e);
            }
            save(c, m.withState(withPaused(m.state(), true)));
        } finally {
            c.lock.unlock();
        }
        publish(c, "pause", Map.of());
    }

    public void unpause(String ref) {
        Container c = store.find(ref);
        c.lock.lock();
        try {
            ContainerMeta m = c.meta();
            if (!m.running() || !m.state().paused()) {
                throw PouchException.conflict("Container " + c.id + " is not paused");
            }
            try {
                ctd.resume(c.id);
            } catch (ContainerdException e) {
                throw ContainerdRuntime.error("cannot unpause container " + c.id, e);
            }
            save(c, m.withState(withPaused(m.state(), false)));
        } finally {
            c.lock.unlock();
        }
        publish(c, "unpause", Map.of());
    }

    /**
     * [exec] cp: freezes a running, unpaused container's task for an archive copy (dockerd does so since
     * CVE-2018-15664: a process inside must not swap a path component for a symlink between our resolution and our
     * use of it). Not a user-visible pause (no state change, no event); the container's lock is held until the
     * returned handle is closed (a stop waits for the copy, as in dockerd), so call both on the same thread.
     * Closing resumes the task (only if this froze it) and never throws.
     */
    public Runnable freezeForCopy(String ref) {
        Container c = store.find(ref);
        c.lock.lock();
        boolean frozen = false;
        try {
            ContainerMeta m = c.meta();
            if (m.running() && !m.state().paused()) {
                ctd.pause(c.id);
                frozen = true;
            }
        } catch (ContainerdException e) {
            if (!e.isNotFound()) { // a task that just ended needs no freeze
                c.lock.unlock();
                throw ContainerdRuntime.error("cannot pause container " + c.id + " for the copy", e);
            }
        } catch (RuntimeException e) {
            c.lock.unlock();
            throw e;
        }
        boolean resume = frozen;
        return () -> {
            try {
                if (resume) {
                    ctd.resume(c.id);
                }
            } catch (ContainerdException e) {
                LOG.warning("cannot resume container " + c.id + " after a copy: " + e.getMessage());
            } finally {
                c.lock.unlock();
            }
        };
    }

    private static ContainerState withPaused(ContainerState s, boolean paused) {
        return new ContainerState(paused ? "paused" : "running", s.running(), paused, s.restarting(), s.oomKilled(),
                s.dead(), s.pid(), s.exitCode(), s.error(), s.startedAt(), s.finishedAt());
    }

    public void resize(String ref, int height, int width) {
        Container c = store.find(ref);
        if (!c.meta().running()) {
            throw PouchException.conflict("Container " + c.id + " is not running");
        }
        if (height <= 0 || width <= 0) {
            return; // the CLI sends 0x0 before the terminal size is known
        }
        try {
            ctd.resize(c.id, width, height);
        } catch (ContainerdException e) {
            throw ContainerdRuntime.error("cannot resize container " + c.id, e);
        }
    }

    // ---------------------------------------------------------------- remove, rename

    public void remove(String ref, boolean force, boolean volumes) {
        Container c = store.find(ref);
        if ((c.meta().running() || c.meta().state().restarting()) && !force) { // life: restarting too, as dockerd
            String what = c.meta().state().paused() ? "paused" : c.meta().state().restarting() ? "restarting"
                    : "running";
            throw PouchException.conflict("You cannot remove a " + what + " container " + c.id
                    + ". Stop the container before attempting removal or force remove");
        }
        remove(c, force, volumes);
    }

    private void remove(Container c, boolean force) {
        remove(c, force, true); // --rm removes the anonymous volumes too, as docker does
    }

    private void remove(Container c, boolean force, boolean removeVolumes) {
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
                stopAndWait(c, Signals.SIGKILL, 10);
            }
            c.lock.lock();
            try {
                volumes.plan(c.id); // volumes (issue 6): read the plan before destroy deletes its file
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
        publish(c, "destroy", Map.of());
        c.removed.complete(c.meta().state().exitCode());
    }

    /** Removes every trace: task, containerd container, snapshot, FIFOs, metadata. Caller holds the lock. */
    private void destroy(Container c) {
        if (networks != null) {
            networks.forget(c.id);
        }
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
                ctd.deleteTask(c.id);
            }
            OverlappedCalls.deleteRecordAndSnapshot(ctd, c.id);
        } catch (ContainerdException e) {
            throw ContainerdRuntime.error("cannot remove container " + c.id, e);
        }
        LeftoverCgroups.remove(c.id);
        ContainerIOs.killKeepers(ContainerIO.fifoDir(config.execRoot(), c.id)); // FIFO keepers (issue 3)
        try {
            deleteTree(ContainerIO.fifoDir(config.execRoot(), c.id));
            removeStateDir(config.containersDir().resolve(c.id));
        } catch (IOException e) {
            throw PouchException.internal("cannot remove the files of container " + c.id + ": " + e.getMessage(), e);
        }
    }

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
                save(c, c.meta().withName(bare));
            } catch (RuntimeException e) {
                store.releaseName(bare, c.id);
                throw e;
            }
            store.releaseName(old, c.id);
            if (networks != null) {
                networks.rename(c.id, bare);
            }
        } finally {
            c.lock.unlock();
        }
        publish(c, "rename", Map.of("oldName", "/" + old));
    }

    // ---------------------------------------------------------------- update (life)

    /**
     * {@code docker update} / {@code pouch update}: new limits in the metadata, in containerd's copy of the spec
     * and, for a running container, in its cgroup (Tasks.Update); Pouch's env and labels for the next start/exec.
     * Returns Docker's warnings.
     */
    public List<String> update(String ref, io.pouch.api.container.ContainerUpdate u) {
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
            com.fasterxml.jackson.databind.node.ObjectNode res = OciSpecBuilder.resources(hc, hc.privileged(), host);
            if (u.pidsLimit() != null && u.pidsLimit() <= 0) {
                res.putObject("pids").put("limit", -1); // unlimited again: runc writes "max"
            }
            if (u.blkioWeight() != null && u.blkioWeight() != 0) {
                if (u.blkioWeight() < 10 || u.blkioWeight() > 1000) {
                    throw PouchException.invalidArgument("Range of blkio weight is from 10 to 1000");
                }
                if (Files.exists(Path.of("/sys/fs/cgroup/blkio/blkio.weight"))) {
                    res.putObject("blockIO").put("weight", u.blkioWeight());
                    warnings.add("BlkioWeight applies to the running process only; it is not kept for the next start");
                } else {
                    warnings.add("Your kernel does not support Block I/O weight or the cgroup is not mounted."
                            + " Weight discarded.");
                }
            }
            if (ResourceUpdates.touchesResources(u) || res.has("blockIO")) {
                try {
                    com.fasterxml.jackson.databind.node.ObjectNode spec = (com.fasterxml.jackson.databind.node.ObjectNode)
                            Json.MAPPER.readTree(ctd.spec(c.id));
                    spec.withObject("/linux").set("resources", OciSpecBuilder.resources(hc, hc.privileged(), host));
                    if (m.running()) {
                        ctd.updateTask(c.id, Json.MAPPER.writeValueAsBytes(res));
                    }
                    ctd.updateSpec(c.id, Json.MAPPER.writeValueAsBytes(spec));
                } catch (ContainerdException e) {
                    throw ContainerdRuntime.error("Cannot update container " + c.id, e);
                } catch (IOException e) {
                    throw PouchException.internal("cannot update the runtime spec of " + c.id + ": " + e.getMessage(), e);
                }
            }
            save(c, new ContainerMeta(m.id(), m.name(), m.created(), m.path(), m.args(), cfg, hc, m.imageId(),
                    m.imageName(), m.chainId(), m.state(), m.restartCount()));
        } finally {
            c.lock.unlock();
        }
        publish(c, "update", Map.of());
        return warnings;
    }

    // ---------------------------------------------------------------- upgrade (life)

    /**
     * Pouch's upgrade: the same container (id, name, host config, binds, network) on a new image, and a new
     * command if given, started. The old rootfs is kept (committed under {@code <id>-pre-upgrade-<ms>}) until the
     * new one runs; on any failure the old image, config and files come back and the container runs as before.
     */
    public void upgrade(String ref, io.pouch.api.container.ContainerUpgrade u) {
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
        LocalImage.RunConfig ic = image.config() != null ? image.config()
                : new LocalImage.RunConfig(null, null, null, null, null, null, null, null, null);
        ContainerConfig oc = old.config();
        ContainerConfig req = new ContainerConfig(oc.hostname(), oc.domainname(), oc.user(), oc.attachStdin(),
                oc.attachStdout(), oc.attachStderr(), oc.exposedPorts(), oc.tty(), oc.openStdin(), oc.stdinOnce(),
                oc.env(), u.cmd() == null || u.cmd().isEmpty() ? null : u.cmd(), u.image(), oc.volumes(),
                oc.workingDir(), u.entrypoint(), oc.onBuild(), oc.labels(), oc.stopSignal(), oc.stopTimeout());
        List<String> command = OciSpecBuilder.command(req.entrypoint(), req.cmd(), ic.entrypoint(), ic.cmd());
        ContainerConfig merged = mergeConfig(req, ic, oc.hostname(), command);
        HostConfig hc = old.hostConfig();
        List<Bind> binds = hc.binds() == null ? List.of() : hc.binds().stream().map(Bind::parse).toList();
        specBytes(c.id, merged, hc, binds, Boolean.TRUE.equals(hc.init()) ? initBinary() : null,
                config.containersDir().resolve(c.id), UserSpec.ROOT); // validates before anything changes
        ContainerMeta next = new ContainerMeta(old.id(), old.name(), old.created(), command.get(0),
                List.copyOf(command.subList(1, command.size())), merged, hc, image.id(), u.image(), image.chainId(),
                old.state(), 0);
        boolean wasRunning = old.running();
        if (wasRunning) {
            String ss = oc.stopSignal();
            stopAndWait(c, ss == null || ss.isEmpty() ? Signals.SIGTERM : Signals.parse(ss),
                    oc.stopTimeout() != null ? oc.stopTimeout() : 10);
        }
        // unique: after a rollback the previous one stays as the parent of the restored rootfs
        String backup = c.id + "-pre-upgrade-" + System.currentTimeMillis();
        String lease;
        c.lock.lock();
        try {
            ContainerMeta stopped = c.meta();
            c.createdMounts = null; // perf: the snapshot is replaced; its mounts are asked for again
            try {
                lease = ctd.createLease(c.id + "-upgrade");
                ctd.commitSnapshot(lease, backup, c.id);
            } catch (ContainerdException e) {
                throw ContainerdRuntime.error("cannot upgrade container " + c.id + ": keeping its rootfs", e);
            }
            try {
                ctd.prepareSnapshot(lease, c.id, image.chainId());
                save(c, next.withState(stopped.state()));
                restarts.userStarted(c);
                doStart(c);
            } catch (RuntimeException e) {
                LOG.warning("upgrade of " + c.id + " failed, rolling back: " + e.getMessage());
                quietly(() -> ctd.deleteTask(c.id));
                quietly(() -> ctd.removeSnapshot(c.id));
                try {
                    // the old files come back on top of the kept copy
                    ctd.prepareSnapshot(lease, c.id, backup);
                    save(c, stopped);
                    if (wasRunning) {
                        doStart(c);
                    }
                } catch (RuntimeException rollback) {
                    LOG.log(Level.WARNING, "rollback of the upgrade of " + c.id + " failed", rollback);
                }
                String l = lease;
                quietly(() -> ctd.deleteLease(l));
                if (e instanceof ContainerdException sre) {
                    throw ContainerdRuntime.error("cannot upgrade container " + c.id, sre);
                }
                throw e;
            }
            quietly(() -> ctd.removeSnapshot(backup));
            String l = lease;
            quietly(() -> ctd.deleteLease(l));
        } finally {
            c.lock.unlock();
        }
        publish(c, "upgrade", Map.of());
        publish(c, "start", Map.of());
    }

    // ---------------------------------------------------------------- wait

    /**
     * What {@code POST /containers/{id}/wait} waits for; the container is looked up now (404 before any answer).
     * The future yields the exit code.
     */
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

    public ContainerInspect inspect(String ref, boolean size) {
        Container c = store.find(ref);
        ContainerMeta m = c.meta();
        return inspect(c, m, graphDriver(m), size ? usage(m.id()) : null, volumes.mountPoints(m.id()));
    }

    /**
     * inspect from memory alone, or null when the answer needs a thread that may block: sizes asked for (a walk of
     * the snapshot), the snapshot's overlay dirs not cached yet (a containerd call), or mounts that are not known
     * without I/O or a lock (see {@link ContainerVolumes#cachedMountPoints}). Never blocks: {@code docker exec} asks
     * this before every exec, and it is answered on the API's event loop (saves two thread hand-offs).
     */
    public ContainerInspect inspectCached(String ref, boolean size) {
        if (size) {
            return null;
        }
        Container c = store.find(ref);
        ContainerMeta m = c.meta();
        ContainerInspect.GraphDriver g = cachedGraphDriver(m);
        List<ContainerInspect.MountPoint> mounts = g == null ? null : volumes.cachedMountPoints(m.id());
        return mounts == null ? null : inspect(c, m, g, null, mounts);
    }

    private ContainerInspect inspect(Container c, ContainerMeta m, ContainerInspect.GraphDriver graphDriver,
                                     long[] usage, List<ContainerInspect.MountPoint> mounts) {
        Path dir = config.containersDir().resolve(m.id());
        Long sizeRw = usage == null ? null : usage[0];
        Long sizeRoot = usage == null ? null : usage[1];
        ContainerState st = m.state();
        if (c.removing) {
            st = new ContainerState("removing", st.running(), st.paused(), st.restarting(), st.oomKilled(), st.dead(),
                    st.pid(), st.exitCode(), st.error(), st.startedAt(), st.finishedAt());
        }
        String logType = m.hostConfig().logConfig().type() == null ? config.logDriver()
                : m.hostConfig().logConfig().type();
        HostConfig hc = m.hostConfig();
        HostConfig shown = new HostConfig(hc.binds(), hc.containerIdFile(), new HostConfig.LogConfig(logType,
                hc.logConfig().config()), hc.networkMode(), hc.portBindings(), hc.restartPolicy(), hc.autoRemove(),
                hc.volumeDriver(), hc.volumesFrom(), hc.capAdd(), hc.capDrop(), hc.dns(), hc.dnsOptions(),
                hc.dnsSearch(), hc.extraHosts(), hc.groupAdd(), hc.ipcMode(), hc.oomScoreAdj(), hc.pidMode(),
                hc.privileged(), hc.publishAllPorts(), hc.readonlyRootfs(), hc.securityOpt(), hc.utsMode(),
                hc.shmSize(), hc.runtime() == null ? config.defaultRuntime() : hc.runtime(), hc.cpuShares(),
                hc.memory(), hc.nanoCpus(), hc.cgroupParent(), hc.cpuPeriod(), hc.cpuQuota(), hc.cpusetCpus(),
                hc.cpusetMems(), hc.memoryReservation(), hc.memorySwap(), hc.oomKillDisable(), hc.pidsLimit(),
                hc.ulimits(), hc.init(), hc.privileged() ? List.of() : hc.maskedPaths() != null ? hc.maskedPaths()
                : OciSpecBuilder.MASKED_PATHS, hc.privileged() ? List.of() : hc.readonlyPaths() != null
                ? hc.readonlyPaths() : OciSpecBuilder.READONLY_PATHS).withVolumeFields(hc); // volumes (issue 6)
        return new ContainerInspect(m.id(), m.created(), m.path(), m.args(), st, m.imageId(),
                dir.resolve("resolv.conf").toString(), dir.resolve("hostname").toString(),
                dir.resolve("hosts").toString(), logType.equals("json-file") ? logPath(m.id()).toString() : "",
                "/" + m.name(), m.restartCount(), ContainerdRuntime.SNAPSHOTTER, "linux", "", "", "", execIds(m.id()), shown,
                graphDriver, sizeRw, sizeRoot, mounts, m.config(),
                networks == null ? ContainerInspect.NetworkSettings.unattached("")
                        : networks.settings(m.id(), m.config().exposedPorts()));
    }

    /**
     * [exec] perf: the overlay dirs of a container's snapshot do not change while it exists, so inspect (which
     * {@code docker exec} calls first) does not ask containerd every time. Keyed by what a recreated snapshot
     * (upgrade, its rollback) changes: the image and the start time.
     */
    private final Map<String, Map.Entry<String, ContainerInspect.GraphDriver>> graphDrivers =
            new java.util.concurrent.ConcurrentHashMap<>();

    private ContainerInspect.GraphDriver graphDriver(ContainerMeta m) {
        ContainerInspect.GraphDriver cached = cachedGraphDriver(m);
        if (cached != null) {
            return cached;
        }
        String key = graphDriverKey(m);
        if (store.byIdOrNull(m.id()) == null) {
            graphDrivers.remove(m.id());
            return graphDriver(m.id());
        }
        ContainerInspect.GraphDriver g = graphDriver(m.id());
        if (!g.data().isEmpty()) {
            graphDrivers.put(m.id(), Map.entry(key, g));
        }
        graphDrivers.keySet().removeIf(id -> store.byIdOrNull(id) == null); // removed containers
        return g;
    }

    /** The cached overlay dirs of {@code m}'s snapshot, or null (never cached, or recreated since). */
    private ContainerInspect.GraphDriver cachedGraphDriver(ContainerMeta m) {
        Map.Entry<String, ContainerInspect.GraphDriver> cached = graphDrivers.get(m.id());
        return cached != null && cached.getKey().equals(graphDriverKey(m)) ? cached.getValue() : null;
    }

    private static String graphDriverKey(ContainerMeta m) {
        return m.imageId() + "|" + m.state().startedAt();
    }

    private ContainerInspect.GraphDriver graphDriver(String id) {
        Map<String, String> data = new LinkedHashMap<>();
        try {
            data = ctd.mounts(id).graphDriverData();
        } catch (ContainerdException ignored) {
            // a dead container may have lost its snapshot: inspect still answers
        }
        return new ContainerInspect.GraphDriver(ContainerdRuntime.SNAPSHOTTER, data);
    }

    private long[] usage(String id) {
        try {
            Snapshots.Usage u = ctd.usage(id);
            return new long[] {u.own(), u.total()};
        } catch (ContainerdException e) {
            return new long[] {0, 0};
        }
    }

    public List<ContainerSummary> list(boolean all, int limit, boolean size, Filters filters) {
        ContainerFilters f = new ContainerFilters(filters, store, images);
        boolean showAll = all || limit > 0 || filters.has("status") || filters.has("exited");
        Instant now = Instant.now();
        List<ContainerMeta> metas = new ArrayList<>();
        Set<String> removing = new HashSet<>();
        for (Container c : store.all()) {
            ContainerMeta m = c.meta();
            if (!showAll && !m.running() && !m.state().restarting()) {
                continue;
            }
            if (c.removing) {
                removing.add(m.id());
            }
            if (f.matches(m, c.removing)) {
                metas.add(m);
            }
        }
        metas.sort(Comparator.comparing(ContainerMeta::created).reversed());
        Stream<ContainerMeta> s = metas.stream();
        if (limit > 0) {
            s = s.limit(limit);
        }
        return s.map(m -> summary(m, removing.contains(m.id()), size, now)).toList();
    }

    private ContainerSummary summary(ContainerMeta m, boolean removing, boolean size, Instant now) {
        Long sizeRw = null;
        Long sizeRoot = null;
        if (size) {
            long[] u = usage(m.id());
            sizeRw = u[0];
            sizeRoot = u[1];
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(m.path());
        cmd.addAll(m.args());
        return new ContainerSummary(m.id(), List.of("/" + m.name()), m.imageName(), m.imageId(),
                String.join(" ", cmd), Times.parse(m.created()).getEpochSecond(),
                networks == null ? List.of() : networks.summaryPorts(m.id(), m.config().exposedPorts()), sizeRw, sizeRoot,
                m.config().labels() == null ? Map.of() : m.config().labels(),
                ContainerFilters.status(m.state(), removing), StatusText.of(m.state(), removing, now),
                new ContainerSummary.SummaryHostConfig(m.hostConfig().networkMode()),
                new ContainerSummary.SummaryNetworkSettings(networks == null ? Map.of()
                        : networks.summaryNetworks(m.id())), volumes.mountPoints(m.id()));
    }

    // ---------------------------------------------------------------- [exec] exec, top, stats, archive support

    /** What the exec, top, stats and archive features need to know of a container (a consistent snapshot). */
    public record ProcessView(String id, String name, String imageName, String imageId, Map<String, String> labels,
                              boolean running, boolean paused, int pid, String user, boolean tty) {
    }

    /** Receives the exits of exec'd processes: containerd reports them on the same task event stream. */
    public interface ExecExitListener {
        void onExit(String containerId, String execId, int pid, int status, Instant at);
    }

    private volatile ExecExitListener execExits;

    public void execExitListener(ExecExitListener listener) {
        this.execExits = listener;
    }

    private volatile java.util.function.Function<String, List<String>> execIdsOf = id -> null;

    /** Where inspect's ExecIDs come from (the exec manager). */
    public void execIdsSource(java.util.function.Function<String, List<String>> source) {
        this.execIdsOf = source;
    }

    private List<String> execIds(String id) {
        List<String> l = execIdsOf.apply(id);
        return l == null || l.isEmpty() ? null : l;
    }

    /** The main process reads EOF on stdin: containerd's shim holds a writer on the FIFO until told (CloseIO). */
    public void closeStdin(String id) {
        try {
            ctd.closeStdin(id);
        } catch (ContainerdException e) {
            LOG.log(Level.FINE, "CloseIO of " + id + " failed", e);
        }
    }

    /** 404 when {@code ref} names no container. */
    public ProcessView processView(String ref) {
        ContainerMeta m = store.find(ref).meta();
        return new ProcessView(m.id(), m.name(), m.imageName(), m.imageId(),
                m.config().labels() == null ? Map.of() : m.config().labels(), m.running(), m.state().paused(),
                m.state().pid(), m.config().user(), m.config().tty());
    }

    /** The mounts of the container's rootfs snapshot (to read or write its files while it is not running). */
    public SnapshotMounts rootfsMounts(String id) {
        try {
            return ctd.mounts(id);
        } catch (ContainerdException e) {
            throw ContainerdRuntime.error("cannot get the rootfs of container " + id, e);
        }
    }

    /** The full id of what {@code ref} names (404 otherwise). */
    public String resolveId(String ref) {
        return store.find(ref).id;
    }

    private String logDriver(HostConfig hc) {
        return hc.logConfig() == null || hc.logConfig().type() == null ? config.logDriver() : hc.logConfig().type();
    }

    /**
     * Refuses {@code logs} for a container whose driver keeps nothing to read: {@code none}, and {@code syslog}
     * with its local cache turned off (dockerd's 501 and wording).
     */
    public void requireReadableLogs(String ref) {
        HostConfig hc = store.find(ref).meta().hostConfig();
        String type = logDriver(hc);
        if (type.equals("none") || type.equals("syslog")
                && "true".equals(hc.logConfig().config().getOrDefault("cache-disabled",
                        config.logOpts().getOrDefault("cache-disabled", "false")))) {
            throw new PouchException(501, "configured logging driver does not support reading");
        }
    }

    public boolean isTty(String ref) {
        return store.find(ref).meta().config().tty();
    }

    /** life: docker's {@code attach} event, when a client attaches to the container. */
    public void attached(String ref) {
        publish(store.find(ref), "attach", Map.of());
    }

    /** life: whether a followed log may still grow: running, or a policy restart is pending. */
    public boolean mayLogMore(String ref) {
        Container c = store.byIdOrNull(ref);
        return c != null && (c.meta().running() || c.meta().state().restarting());
    }

    public boolean isRunning(String ref) {
        Container c = store.byIdOrNull(ref);
        return c != null && c.meta().running();
    }

    public Counts counts() {
        int running = 0;
        int paused = 0;
        int stopped = 0;
        int total = 0;
        for (Container c : store.all()) {
            ContainerState s = c.meta().state();
            total++;
            if (s.paused()) {
                paused++;
            } else if (s.running()) {
                running++;
            } else {
                stopped++;
            }
        }
        return new Counts(running, paused, stopped, total);
    }

    @Override
    public List<String> containersUsing(String imageId) {
        return store.all().stream().filter(c -> imageId.equals(c.meta().imageId())).map(c -> c.id).toList();
    }

    // ---------------------------------------------------------------- reload and reconcile

    private void load() {
        try (Stream<Path> dirs = Files.list(config.containersDir())) {
            for (Path d : dirs.toList()) {
                Path f = d.resolve(META_FILE);
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                try {
                    ContainerMeta m = AtomicFiles.readJson(f, ContainerMeta.class);
                    store.reserveName(m.name(), m.id());
                    store.add(new Container(m));
                } catch (IOException | RuntimeException e) {
                    LOG.warning("ignoring container metadata " + f + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw PouchException.internal("cannot read " + config.containersDir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Brings metadata and containerd into agreement after a pouchd (re)start:
     * <ul>
     * <li>task running or paused: the container is running (its output is not re-attached: see the report; the
     *     cio package has no reopen yet);</li>
     * <li>task stopped: deleted, its exit status recorded; no task while metadata says running: exited (255);</li>
     * <li>metadata but no containerd container: marked dead (Docker's word for "cannot be used, remove it"):
     *     removing it data-wise is the user's call, not a startup side effect;</li>
     * <li>containerd container without metadata: deleted with its task and snapshot (no orphans).</li>
     * </ul>
     */
    private void reconcile() {
        Set<String> known;
        try {
            known = new HashSet<>(ctd.containerIds());
        } catch (ContainerdException e) {
            throw ContainerdRuntime.error("cannot list containerd containers", e);
        }
        for (Container c : store.all()) {
            c.lock.lock();
            try {
                reconcileOne(c, known.contains(c.id));
            } catch (ContainerdException e) {
                LOG.warning("cannot reconcile container " + c.id + ": " + e.getMessage());
            } finally {
                c.lock.unlock();
            }
        }
        for (String id : known) {
            if (store.byIdOrNull(id) == null) {
                LOG.info("deleting orphan containerd container " + id);
                quietly(() -> {
                    Optional<TaskProcess> p = ctd.task(id);
                    if (p.isPresent() && p.get().status() != TaskStatus.STOPPED) {
                        ctd.kill(id, Signals.SIGKILL, true);
                        for (int i = 0; i < 50 && ctd.task(id).map(t -> t.status() != TaskStatus.STOPPED)
                                .orElse(false); i++) {
                            Thread.sleep(100);
                        }
                    }
                    ctd.deleteTask(id);
                    ctd.deleteContainer(id);
                    ctd.removeSnapshot(id);
                    ContainerIOs.killKeepers(ContainerIO.fifoDir(config.execRoot(), id)); // FIFO keepers (issue 3)
                    deleteTree(ContainerIO.fifoDir(config.execRoot(), id));
                });
            }
        }
        ContainerIOs.sweepKeepers(config.execRoot()); // FIFO keepers (issue 3): those no reopened IO took up
    }

    private void reconcileOne(Container c, boolean inContainerd) {
        ContainerMeta m = c.meta();
        ContainerState s = m.state();
        if (!inContainerd) {
            if (!s.dead()) {
                save(c, m.withState(new ContainerState("dead", false, false, false, s.oomKilled(), true, 0,
                        s.exitCode(), "the containerd container is missing", s.startedAt(), s.finishedAt())));
            }
            return;
        }
        Optional<TaskProcess> p = ctd.task(c.id);
        if (p.isPresent() && (p.get().status() == TaskStatus.RUNNING || p.get().status() == TaskStatus.PAUSED
                || p.get().status() == TaskStatus.PAUSING)) {
            boolean paused = p.get().status() != TaskStatus.RUNNING;
            if (!s.running() || s.paused() != paused || s.pid() != p.get().pid()) {
                save(c, m.withState(new ContainerState(paused ? "paused" : "running", true, paused, false, false,
                        false, p.get().pid(), 0, "", s.running() ? s.startedAt() : Times.now(), s.finishedAt())));
            }
            try {
                ContainerConfig cfg = m.config();
                c.io = ContainerIOs.reopen(ContainerIO.fifoDir(config.execRoot(), c.id), "init", cfg.tty(),
                        cfg.openStdin(), cfg.stdinOnce(), openLog(m, m.hostConfig()));
            } catch (RuntimeException e) {
                LOG.warning("container " + c.id + " runs on, but its output cannot be re-attached: " + e.getMessage());
            }
            return;
        }
        // logs: what the killed pouchd had spooled but not yet logged, and what a FIFO keeper kept in the pipes
        // (issue 3); before the task is deleted, so that a shim blocked on a full FIFO can finish its copy
        if (p.isPresent() || s.running()) {
            quietly(() -> ContainerIOs.salvage(ContainerIO.fifoDir(config.execRoot(), c.id), "init",
                    openLog(m, m.hostConfig())));
        }
        int code = s.exitCode();
        String finished = s.finishedAt();
        if (p.isPresent()) {
            code = p.get().status() == TaskStatus.STOPPED ? p.get().exitStatus() : 255;
            finished = Times.of(p.get().exitedAt());
            var d = ctd.deleteTask(c.id);
            if (d.isPresent() && p.get().status() == TaskStatus.STOPPED) {
                code = d.get().exitStatus();
            }
        } else if (s.running()) {
            code = 255;
            finished = Times.now();
        }
        ContainerIOs.killKeepers(ContainerIO.fifoDir(config.execRoot(), c.id)); // FIFO keepers (issue 3)
        quietly(() -> deleteTree(ContainerIO.fifoDir(config.execRoot(), c.id)));
        volumes.stopped(c.id); // volumes (issue 6): the container stopped while pouchd was down
        if (s.running() || p.isPresent()) {
            boolean everStarted = !ContainerState.ZERO_TIME.equals(s.startedAt());
            save(c, m.withState(new ContainerState(everStarted ? "exited" : "created", false, false, false,
                    s.oomKilled(), false, 0, code, "", s.startedAt(), everStarted ? finished : s.finishedAt())));
            if (s.running()) {
                publish(c, "die", Map.of("exitCode", Integer.toString(code)));
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private void persist(ContainerMeta m) throws IOException {
        AtomicFiles.writeJson(config.containersDir().resolve(m.id()).resolve(META_FILE), m);
    }

    /** Writes the new metadata, then makes it visible. Caller holds the lock. */
    private void save(Container c, ContainerMeta m) {
        try {
            persist(m);
        } catch (IOException e) {
            throw PouchException.internal("cannot write the metadata of container " + c.id + ": " + e.getMessage(), e);
        }
        c.meta(m);
    }

    private void publish(Container c, String action, Map<String, String> extra) {
        ContainerMeta m = c.meta();
        Map<String, String> attrs = new LinkedHashMap<>();
        if (m.config().labels() != null) {
            attrs.putAll(m.config().labels());
        }
        attrs.put("image", m.imageName());
        attrs.put("name", m.name());
        attrs.putAll(extra);
        events.publish(Event.of("container", action, c.id, attrs));
    }

    interface IoAction {
        void run() throws Exception;
    }

    private static void quietly(IoAction a) {
        try {
            a.run();
        } catch (Exception e) {
            LOG.log(Level.FINE, "cleanup step failed", e);
        }
    }

    /**
     * Removes a container's state dir. Its metadata goes first: the exec-record writers (their own threads, see
     * exec.ExecStore) check it before each write and stop; one that had already checked may still put a file there
     * while the tree is being deleted, so the deletion is tried again after such a writer's pause.
     */
    static void removeStateDir(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(META_FILE));
        for (int attempt = 1; ; attempt++) {
            try {
                deleteTree(dir);
                return;
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                if (attempt == 5) {
                    throw e;
                }
                try {
                    Thread.sleep(150);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
