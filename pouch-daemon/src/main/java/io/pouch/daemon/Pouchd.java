package io.pouch.daemon;

import io.pouch.api.PouchException;
import io.pouch.api.system.SystemInfo;
import io.pouch.daemon.api.HttpServer;
import io.pouch.daemon.boot.BootClock;
import io.pouch.daemon.boot.LogLineFormatter;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.config.BridgeConfig;
import io.pouch.daemon.config.ConfigLoader;
import io.pouch.daemon.config.CriConfig;
import io.pouch.daemon.quota.QuotaDrivers;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.config.EngineSettings;
import io.pouch.daemon.config.P2pConfig;
import io.pouch.daemon.config.TlsConfig;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.ContainerRoutes;
import io.pouch.daemon.container.ContainerService;
import io.pouch.daemon.container.checkpoint.CheckpointRoutes;
import io.pouch.daemon.container.checkpoint.Checkpoints;
import io.pouch.daemon.container.checkpoint.CriuProbe;
import io.pouch.daemon.container.ManagedNetworking;
import io.pouch.daemon.build.BuildRoutes;
import io.pouch.daemon.build.ImageBuilder;
import io.pouch.daemon.container.commit.CommitRoutes;
import io.pouch.daemon.container.commit.ContainerCommitter;
import io.pouch.daemon.container.exec.ExecManager;
import io.pouch.daemon.container.health.HealthService;
import io.pouch.daemon.container.exec.ExecRoutes;
import io.pouch.daemon.container.files.ContainerFiles;
import io.pouch.daemon.container.files.CopyContainers;
import io.pouch.daemon.container.files.FilesRoutes;
import io.pouch.daemon.container.stats.MonitorRoutes;
import io.pouch.daemon.container.stats.StatsService;
import io.pouch.daemon.container.stats.TopService;
import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.containerd.ContainerdSupervisor;
import io.pouch.daemon.cri.CriDaemon;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.image.DistributionRoutes;
import io.pouch.daemon.image.ImageManager;
import io.pouch.daemon.image.ImageRoutes;
import io.pouch.daemon.image.ImageService;
import io.pouch.daemon.image.PeerPulls;
import io.pouch.daemon.image.PullService;
import io.pouch.daemon.image.RegistryAccess;
import io.pouch.daemon.lxcfs.Lxcfs;
import io.pouch.daemon.lxcfs.LxcfsRemounter;
import io.pouch.daemon.lxcfs.LxcfsRoutes;
import io.pouch.daemon.lxcfs.LxcfsWatcher;
import io.pouch.daemon.metrics.EngineMetrics;
import io.pouch.daemon.metrics.Metered;
import io.pouch.daemon.metrics.Metrics;
import io.pouch.daemon.metrics.MetricsRoutes;
import io.pouch.daemon.metrics.P2pMetrics;
import io.pouch.daemon.p2p.P2pBlobs;
import io.pouch.daemon.metrics.ProcessMetrics;
import io.pouch.daemon.network.NetworkManager;
import io.pouch.daemon.network.NetworkRoutes;
import io.pouch.daemon.registry.RegistryClient;
import io.pouch.daemon.system.DaemonSettings;
import io.pouch.daemon.runtime.AddedRuntimes;
import io.pouch.daemon.runtime.Runtimes;
import io.pouch.daemon.system.SystemInfoSource;
import io.pouch.daemon.system.SystemRoutes;
import io.pouch.daemon.volume.VolumeManager;
import io.pouch.daemon.volume.VolumeRoutes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** pouchd: wires the managers, containerd and the HTTP API together, and keeps them up until stopped. */
@Command(name = "pouchd", mixinStandardHelpOptions = true, versionProvider = Pouchd.Version.class,
        description = "The Pouch container engine daemon: serves the Docker Engine API, backed by containerd.")
public final class Pouchd implements Callable<Integer> {
    public static final String VERSION = "0.1.0";
    /** Held so the level set on it stays (the log manager keeps loggers only weakly). */
    /** Where the start's time goes, logged once the API answers. */
    private static final BootClock BOOT = BootClock.sinceProcessStart();
    private static final Logger QUIET_BOOTSTRAP = Logger.getLogger("io.netty.bootstrap");

    @Option(names = "--config-file", defaultValue = "/etc/pouch/config.json", description = "configuration file")
    Path configFile;
    @Option(names = "--home-dir", description = "root of pouchd's data (default /var/lib/pouch)")
    String homeDir;
    @Option(names = "--exec-root", description = "runtime state: FIFOs, sockets (default /var/run/pouch)")
    String execRoot;
    @Option(names = {"-l", "--listen"}, description = "where to serve the API (default unix:///var/run/pouchd.sock)")
    List<String> listen;
    @Option(names = {"-c", "--containerd"}, description = "use this containerd socket instead of starting our own")
    String containerd;
    @Option(names = "--containerd-path", description = "containerd binary to start (default containerd)")
    String containerdPath;
    @Option(names = "--default-namespace", description = "containerd namespace (default pouch)")
    String namespace;
    @Option(names = {"-D", "--debug"}, description = "debug logging")
    Boolean debug;
    @Option(names = "--log-driver", description = "default log driver: json-file, none or syslog")
    String logDriver;
    @Option(names = "--log-opt", description = "log driver options, key=value")
    Map<String, String> logOpts;
    @Option(names = "--cgroup-driver", description = "cgroupfs (the only driver implemented; systemd is refused)")
    String cgroupDriver;
    @Option(names = "--exec-opt", description = "dockerd's runtime options: native.cgroupdriver=cgroupfs (repeatable)")
    List<String> execOpts;
    @Option(names = "--default-runtime", description = "runtime of containers that name none (default runc)")
    String defaultRuntime;
    @Option(names = "--add-runtime", description = "register an OCI runtime, name=path (repeatable)")
    List<String> addRuntimes;
    @Option(names = "--bridge-name", description = "default bridge device (default p0)")
    String bridgeName;
    @Option(names = "--bip", description = "default bridge address and prefix (default 192.168.5.1/24)")
    String bip;
    @Option(names = "--tlsverify", arity = "0..1", fallbackValue = "true",
            description = "require client certificates signed by --tlscacert on tcp:// addresses")
    Boolean tlsVerify;
    @Option(names = "--tlscacert", description = "CA that signs client certificates (PEM)")
    String tlsCaCert;
    @Option(names = "--tlscert", description = "server certificate for tcp:// addresses (PEM)")
    String tlsCert;
    @Option(names = "--tlskey", description = "server private key for tcp:// addresses (PEM, PKCS#8)")
    String tlsKey;
    @Option(names = "--fixed-cidr", description = "default bridge: give container addresses from this subnet of --bip")
    String fixedCidr;
    @Option(names = "--mtu", description = "MTU of the default bridge and its containers (default 1500)")
    Integer mtu;
    @Option(names = "--iptables", arity = "0..1", fallbackValue = "true",
            description = "write iptables rules: masquerade, published ports, isolation (default true)")
    Boolean iptables;
    @Option(names = "--ipforward", arity = "0..1", fallbackValue = "true",
            description = "turn on net.ipv4.ip_forward (default true)")
    Boolean ipForward;
    @Option(names = "--pidfile", description = "pid file (default /var/run/pouch.pid)")
    String pidFile;
    // ---- registry client
    @Option(names = "--default-registry", description = "registry of names without a domain (default docker.io)")
    String defaultRegistry;
    @Option(names = {"--registry-mirror", "--registry-mirrors"},
            description = "mirror of docker.io, tried first; <registry>=<URL> mirrors another registry (repeatable)")
    List<String> registryMirrors;
    @Option(names = {"--insecure-registry", "--insecure-registries"},
            description = "registry reached over HTTP or unverified TLS (repeatable)")
    List<String> insecureRegistries;
    @Option(names = "--registry-certs-dir", description = "<dir>/<host:port>/ca.crt per registry (default /etc/pouch/certs.d)")
    String registryCertsDir;
    @Option(names = "--image-proxy", description = "HTTP proxy for image blob downloads")
    String imageProxy;
    @Option(names = "--default-registry-namespace", description = "namespace of one-component names on the default registry (default library)")
    String defaultRegistryNamespace;

    @Option(names = "--quota-driver", description = "disk quota driver: prjquota (ext4/xfs) or btrfs (default: by"
            + " the filesystem of the container's directory)")
    String quotaDriver;

    // ---- the Kubernetes CRI server
    @Option(names = "--enable-cri", arity = "0..1", fallbackValue = "true",
            description = "serve the Kubernetes CRI (default true)")
    Boolean enableCri;
    @Option(names = "--listen-cri", description = "the CRI's socket (default unix:///var/run/pouchcri.sock)")
    String listenCri;
    @Option(names = "--sandbox-image", description = "pause image of pod sandboxes (default registry.k8s.io/pause:3.9,"
            + " loaded from the install when missing)")
    String sandboxImage;
    @Option(names = "--cni-conf-dir", description = "pod network configs (default /etc/cni/net.d)")
    String cniConfDir;
    @Option(names = "--cni-bin-dir", description = "CNI plugin directory (repeatable; default /usr/lib/cni, /opt/cni/bin)")
    List<String> cniBinDirs;
    @Option(names = "--stream-server-address", description = "address of the CRI streaming server (default 127.0.0.1)")
    String streamServerAddress;
    @Option(names = "--stream-server-port", description = "port of the CRI streaming server (default 10010; 0: any)")
    Integer streamServerPort;
    @CommandLine.Mixin
    PouchFlags pouchFlags = new PouchFlags();
    @CommandLine.Mixin
    P2pFlags p2pFlags = new P2pFlags();
    /** What makes the P2P peer when --p2p-enable is given (a test's launcher gives its own). */
    P2pRoles.PeerFactory peerFactory = P2pRoles.PEER;

    // ---- LXCFS
    @Option(names = "--enable-lxcfs", arity = "0..1", fallbackValue = "true",
            description = "let containers ask for LXCFS's /proc view (--enableLxcfs); lxcfs must be mounted first")
    Boolean enableLxcfs;
    @Option(names = "--lxcfs", description = "the lxcfs binary, as named in errors (default /usr/bin/lxcfs)")
    String lxcfsBinary;
    @Option(names = "--lxcfs-home", description = "where lxcfs is mounted (default /var/lib/lxcfs)")
    String lxcfsHome;

    public static void main(String[] args) {
        main(args, P2pRoles.PEER);
    }

    /** pouchd whose P2P peer, when enabled, comes from {@code peers}. */
    static void main(String[] args, P2pRoles.PeerFactory peers) {
        BOOT.mark("jvm");
        // Netty's start (~200-300 ms before anything listens) runs beside picocli's, which cannot be in the AOT cache
        HttpServer.prepareEventLoops();
        Pouchd pouchd = new Pouchd();
        pouchd.peerFactory = peers;
        System.exit(new CommandLine(pouchd).setExecutionExceptionHandler((e, cmd, parse) -> {
            System.err.println("pouchd: " + e.getMessage());
            return 1;
        }).execute(args));
    }

    Map<String, Object> givenFlags() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "home-dir", homeDir);
        put(m, "exec-root", execRoot);
        put(m, "listen", listen == null ? null : new ArrayList<>(listen));
        put(m, "containerd", containerd);
        put(m, "containerd-path", containerdPath);
        put(m, "default-namespace", namespace);
        put(m, "debug", debug);
        put(m, "log-driver", logDriver);
        put(m, "log-opts", logOpts);
        put(m, "default-runtime", defaultRuntime);
        put(m, "bridge-name", bridgeName);
        put(m, "pidfile", pidFile);
        put(m, "bip", bip);
        return m;
    }

    /** Flags of the default bridge's data plane, keyed like the file. */
    Map<String, Object> bridgeFlags() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "fixed-cidr", fixedCidr);
        put(m, "mtu", mtu);
        put(m, "iptables", iptables);
        put(m, "ipforward", ipForward);
        return m;
    }

    /** The cgroup driver flags, keyed like the file. */
    Map<String, Object> quotaFlags() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, QuotaDrivers.KEY, quotaDriver);
        return m;
    }

    Map<String, Object> cgroupFlags() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "cgroup-driver", cgroupDriver);
        put(m, "exec-opts", execOpts == null ? null : new ArrayList<>(execOpts));
        return m;
    }

    private static String pid1() {
        try {
            return Files.readString(Path.of("/proc/1/comm")).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /** The CRI flags, keyed like the file. */
    Map<String, Object> criFlags() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "enable-cri", enableCri);
        put(m, "listen-cri", listenCri);
        put(m, "sandbox-image", sandboxImage);
        put(m, "cni-conf-dir", cniConfDir);
        put(m, "cni-bin-dir", cniBinDirs == null ? null : new ArrayList<>(cniBinDirs));
        put(m, "stream-server-address", streamServerAddress);
        put(m, "stream-server-port", streamServerPort);
        return m;
    }

    /** TLS flags for tcp:// addresses, keyed like the file's "TLS" object. */
    Map<String, Object> tlsFlags() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "tlsverify", tlsVerify);
        put(m, "tlscacert", tlsCaCert);
        put(m, "tlscert", tlsCert);
        put(m, "tlskey", tlsKey);
        return m;
    }

    /** Flags of the registry client, keyed like the file. */
    Map<String, Object> registryFlags() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "default-registry", defaultRegistry);
        put(m, "registry-mirrors", registryMirrors == null ? null : new ArrayList<>(registryMirrors));
        put(m, "insecure-registries", insecureRegistries == null ? null : new ArrayList<>(insecureRegistries));
        put(m, "registry-certs-dir", registryCertsDir);
        put(m, "image-proxy", imageProxy);
        put(m, "default-registry-namespace", defaultRegistryNamespace);
        return m;
    }

    /** The LXCFS flags, keyed like the file. */
    Map<String, Object> lxcfsFlags() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "enable-lxcfs", enableLxcfs);
        put(m, "lxcfs", lxcfsBinary);
        put(m, "lxcfs-home", lxcfsHome);
        return m;
    }

    private static void put(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    @Override
    public Integer call() throws Exception {
        BOOT.mark("flags");
        Map<String, Object> flags = new LinkedHashMap<>(givenFlags());
        flags.putAll(bridgeFlags());
        flags.putAll(registryFlags());
        flags.putAll(cgroupFlags());
        flags.putAll(criFlags());
        flags.putAll(pouchFlags.given());
        flags.putAll(quotaFlags());
        flags.putAll(lxcfsFlags());
        // refuses a key given both as flag and in the file, and a value the engine cannot honour
        DaemonConfig cfg = ConfigLoader.load(flags, configFile);
        EngineSettings engine = ConfigLoader.loadEngine(pouchFlags.given(), configFile);
        BridgeConfig bridgeConfig = ConfigLoader.loadBridge(bridgeFlags(), configFile);
        Map<String, Object> tlsFlags = tlsFlags();
        tlsFlags.putAll(pouchFlags.tls());
        TlsConfig tlsConfig = ConfigLoader.loadTls(tlsFlags, configFile);
        ConfigLoader.loadCgroupDriver(cgroupFlags(), configFile, pid1());
        QuotaDrivers.configure(ConfigLoader.loadQuotaDriver(quotaFlags(), configFile));
        CriConfig criConfig = ConfigLoader.loadCri(criFlags(), configFile);
        Lxcfs lxcfs = Lxcfs.onHost(ConfigLoader.loadLxcfs(lxcfsFlags(), configFile));
        lxcfs.requireMountedAtStart();
        Lxcfs.install(lxcfs);
        P2pConfig p2p = ConfigLoader.loadP2p(p2pFlags.given(), configFile);
        P2pRoles.check(p2p, peerFactory);
        HttpServer.check(cfg.listen(), tlsConfig);
        Runtimes runtimes = Runtimes.create(cfg, AddedRuntimes.parse(addRuntimes,
                ConfigLoader.readFile(configFile).get("add-runtime")));
        setUpLogging(engine.logLevel());
        if (engine.oomScoreAdj() != null) { // before containerd starts: it inherits the score, as dockerd's does
            OwnOomScore.write(engine.oomScoreAdj());
        }
        // refuses a --bip the host already routes elsewhere before containerd or the network starts; it asks the
        // kernel through `ip`, so it runs while the API's socket opens
        CompletableFuture<Void> routesChecked = inThread("route-check", () -> NetworkManager.checkHostRoutes(cfg));
        Logger log = Logger.getLogger("pouchd");
        Files.createDirectories(cfg.homeDir());
        Files.createDirectories(cfg.execRoot());
        EventBus events = new EventBus();

        BOOT.mark("config");
        // The socket answers the ping from here on; every other request waits until the managers are up and the
        // containers restored (router.open() below), so none sees a container half restored.
        Router router = new Router();
        SystemRoutes.registerPing(router);
        router.holdUntilOpen();
        HttpServer server = new HttpServer(cfg.listen(), router, VERSION, tlsConfig);
        server.start();
        BOOT.mark("listen");
        long listening = BOOT.elapsedMillis();
        await(routesChecked, server);
        Path pid = Path.of(cfg.pidFile());
        Files.createDirectories(pid.toAbsolutePath().getParent());
        Files.writeString(pid, Long.toString(ProcessHandle.current().pid()));
        // Our containerd's start (a process to exec and wait for) overlaps the network's set-up (iptables); neither
        // needs the other.
        ContainerdSupervisor supervisor = cfg.supervisesContainerd() ? new ContainerdSupervisor(cfg) : null;
        CompletableFuture<Void> containerdStarted = supervisor == null ? CompletableFuture.completedFuture(null)
                : inThread("containerd-start", supervisor::start);
        NetworkManager networks = new NetworkManager(cfg, bridgeConfig, events);
        networks.start();
        BOOT.mark("network");
        await(containerdStarted, server);
        Containerd ctd = new Containerd(cfg.containerdAddress(), cfg.namespace());
        if (supervisor != null) {
            supervisor.onRestart(ctd::resetConnectBackoff); // reconnect at once after a containerd restart
        }
        if (!ctd.ping(5000)) {
            throw PouchException.internal("containerd does not answer on " + cfg.containerdAddress(), null);
        }
        BOOT.mark("containerd");
        // /version needs containerd and no container: served from here on, while the containers are restored
        SystemRoutes.registerVersion(router, VERSION, new ContainerdInfo(ctd));
        ImageManager images = new ImageManager(ctd, cfg, events);
        images.reload();
        BOOT.mark("images");
        VolumeManager volumes = new VolumeManager(cfg, events);
        ContainerManager containers = new ContainerManager(ctd, cfg, events, images, new ManagedNetworking(networks),
                volumes, runtimes);
        images.setImageUsage(containers);
        containers.setDefaultCgroupParent(engine.cgroupParent());
        containers.start();
        BOOT.mark("containers");
        networks.reconcile(containers::isRunning, id -> {
            try {
                return containers.resolveId(id).equals(id);
            } catch (PouchException e) {
                return false;
            }
        });
        BOOT.mark("network-reconcile");
        containers.startRestartPolicies();
        LxcfsRemounter lxcfsRemounter = new LxcfsRemounter(lxcfs, () -> containers.metas().stream()
                .filter(m -> m.running() && m.hostConfig().enableLxcfs() && m.state().pid() > 0)
                .map(m -> new LxcfsRemounter.Target(m.id(), m.state().pid())).toList());
        LxcfsWatcher lxcfsWatcher = LxcfsWatcher.start(lxcfsRemounter);

        BOOT.mark("lxcfs");
        Metrics metrics = metrics(containers);
        new MetricsRoutes(metrics).register(router);
        // registry side: pull, push, login, search; the puller and pusher are made once here
        Map<String, Object> regFlags = registryFlags();
        RegistryClient registry = new RegistryClient(ConfigLoader.loadRegistry(regFlags, configFile));
        // P2P: the pulls' layers through the peer, its totals in /info and /metrics; the scheduler role
        P2pBlobs peer = P2pRoles.peer(p2p, peerFactory, cfg.homeDir().resolve("p2p"));
        PeerPulls peerPulls = peer == null ? null : new PeerPulls(peer);
        AutoCloseable p2pScheduler = P2pRoles.scheduler(p2p);
        if (peerPulls != null) {
            P2pMetrics.register(metrics, peerPulls::fromPeers, peerPulls::fromRegistry);
        }
        new SystemRoutes(events, cfg, new ManagersInfo(ctd, containers, images, engine.labels(), runtimes,
                peerPulls == null ? null : () -> List.of(List.of("P2P", peerPulls.totals()),
                        List.of("P2P Scheduler", p2p.scheduler()))), VERSION,
                new DaemonSettings(engine.labels(), registry::setImageProxy)).register(router);
        PullService puller = images.puller(registry, peerPulls);
        // the API's calls are counted and timed as Pouch's were (the CRI's are not)
        ImageService meteredImages = Metered.images(images, metrics);
        DistributionRoutes distribution = new DistributionRoutes(meteredImages, Metered.puller(puller, metrics),
                images.pusher(registry), new RegistryAccess(registry));
        distribution.register(router);
        new ImageRoutes(meteredImages, distribution).register(router);
        ContainerService meteredContainers = Metered.containers(containers, metrics);
        Checkpoints checkpoints = new Checkpoints(containers, cfg.containersDir(), CriuProbe.onHost());
        new ContainerRoutes(meteredContainers, checkpoints).register(router);
        new CheckpointRoutes(checkpoints).register(router);
        new NetworkRoutes(networks, containers::resolveId, containers::isRunning).register(router);
        new VolumeRoutes(volumes).register(router);
        new LxcfsRoutes(lxcfsRemounter).register(router);
        // exec (its records are kept in the containers' state dirs), top/stats, archive/export/changes, commit
        ExecManager execs = ExecManager.start(ctd, containers, events, cfg.execRoot(), cfg.containersDir());
        new ExecRoutes(execs).register(router);
        // healthchecks: probes are pouchd's own execs; the saved states come back, running containers' probes resume
        HealthService.start(containers, execs, events, cfg.containersDir());
        new MonitorRoutes(TopService.onHost(ctd, containers::processView, id -> inGvisor(runtimes, containers, id)),
                StatsService.onHost(containers::processView))
                .register(router);
        new FilesRoutes(new ContainerFiles(CopyContainers.of(containers), cfg.execRoot().resolve("cp")))
                .register(router);
        ContainerCommitter containerCommitter = new ContainerCommitter(ctd, containers, images.committer(), events);
        new CommitRoutes(containerCommitter).register(router);
        // docker build (classic builder): its steps are containers of the same manager, committed like docker commit
        ImageBuilder builder = new ImageBuilder(images, puller, images, images.committer(), containers,
                CopyContainers.of(containers), containerCommitter, cfg.homeDir().resolve("builder"),
                cfg.execRoot().resolve("build"), engine.buildContextLimit());
        images.setBuildCache(builder::cacheRecords);
        new BuildRoutes(builder).register(router);
        router.open();
        BOOT.mark("routes");
        // the Kubernetes CRI: pods and their containers are containers of the same managers
        AutoCloseable cri = criConfig.enabled()
                ? CriDaemon.start(criConfig, cfg, VERSION, containers, images, puller, execs, events)
                : () -> { };
        BOOT.mark("cri");
        log.info("boot (ms from exec): " + BOOT.summary() + "; API answered the ping at " + listening
                + ", all requests at " + BOOT.elapsedMillis());
        log.info("pouchd " + VERSION + " serving " + cfg.listen() + " (containerd " + cfg.containerdAddress() + ")");

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("pouchd stopping; running containers keep running");
            server.close();
            lxcfsWatcher.close();
            for (Object p2pRole : new Object[]{peer, p2pScheduler}) {
                try {
                    if (p2pRole instanceof AutoCloseable c) {
                        c.close();
                    }
                } catch (Exception e) {
                    log.warning("P2P did not stop cleanly: " + e.getMessage());
                }
            }
            try {
                cri.close();
            } catch (Exception e) {
                log.warning("the CRI server did not stop cleanly: " + e.getMessage());
            }
            containers.close();
            networks.close();
            ctd.close();
            if (supervisor != null) {
                supervisor.close();
            }
            try {
                Files.deleteIfExists(pid);
            } catch (IOException ignored) {
                // best effort
            }
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Runs a boot step on its own thread. */
    private static CompletableFuture<Void> inThread(String name, Step step) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                step.run();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** Waits for a boot step run by {@link #inThread}; its failure stops the API and fails the boot. */
    private static void await(CompletableFuture<Void> step, HttpServer server) throws Exception {
        try {
            step.join();
        } catch (CompletionException e) {
            server.close();
            throw e.getCause() instanceof Exception c ? c : e;
        }
    }

    /** Pouch's metric families, this process's, the engine's info and its containers per state. */
    private static Metrics metrics(ContainerManager containers) {
        Metrics metrics = new Metrics();
        ProcessMetrics.register(metrics);
        EngineMetrics.register(metrics, VERSION, "unknown", () -> {
            ContainerManager.Counts c = containers.counts();
            return Map.of("running", c.running(), "paused", c.paused(), "stopped", c.stopped());
        });
        return metrics;
    }

    /** Whether the container runs under gVisor (a runtime since removed from the configuration: no). */
    private static boolean inGvisor(Runtimes runtimes, ContainerManager containers, String id) {
        try {
            return runtimes.resolve(containers.brief(id).hostConfig().runtime()).gvisor();
        } catch (PouchException e) {
            return false;
        }
    }

    private static void setUpLogging(Level level) {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler h = new ConsoleHandler();
        h.setFormatter(new LogLineFormatter());
        h.setLevel(level);
        root.addHandler(h);
        root.setLevel(level);
        Logger.getLogger("io.grpc").setLevel(Level.WARNING);
        Logger.getLogger("io.netty").setLevel(Level.WARNING);
        // grpc asks every connection for TCP keep-alive, unix sockets too, which log that they have none (grpc runs
        // on the same Netty as the API server, whose bootstrap logs nothing else below SEVERE that we act on)
        QUIET_BOOTSTRAP.setLevel(Level.SEVERE);
    }

    /** /info and /version figures, read from the managers and containerd. */
    private record ManagersInfo(Containerd ctd, ContainerManager containers, ImageManager images,
                                List<String> labels, Runtimes ociRuntimes,
                                java.util.function.Supplier<List<List<String>>> status) implements SystemInfoSource {
        @Override
        public List<List<String>> systemStatus() {
            return status == null ? null : status.get();
        }

        @Override
        public Map<String, SystemInfo.Runtime> runtimes() {
            Map<String, SystemInfo.Runtime> m = new LinkedHashMap<>();
            ociRuntimes.all().forEach((name, rt) -> m.put(name,
                    new SystemInfo.Runtime(rt.path(), rt.runtimeArgs())));
            return m;
        }

        @Override
        public Counts counts() {
            ContainerManager.Counts c = containers.counts();
            return new Counts(c.total(), c.running(), c.paused(), c.stopped(), images.count());
        }

        @Override
        public String containerdVersion() {
            return new ContainerdInfo(ctd).containerdVersion();
        }

        @Override
        public String containerdRevision() {
            return new ContainerdInfo(ctd).containerdRevision();
        }
    }

    /** containerd's version and revision, for a /version answered before the managers are up. */
    private record ContainerdInfo(Containerd ctd) implements SystemInfoSource {
        @Override
        public Counts counts() {
            throw new IllegalStateException("no container figures before the containers are restored");
        }

        @Override
        public String containerdVersion() {
            try {
                return ctd.serverVersion().version();
            } catch (RuntimeException e) {
                return "unknown";
            }
        }

        @Override
        public String containerdRevision() {
            try {
                return ctd.serverVersion().revision();
            } catch (RuntimeException e) {
                return "";
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"pouchd " + VERSION};
        }
    }
}
