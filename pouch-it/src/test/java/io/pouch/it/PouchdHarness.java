package io.pouch.it;

import io.pouch.testing.Await;
import io.pouch.testing.HostNetworks;
import io.pouch.testing.HostNetworks.Subnet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A private pouchd for the tests: its own home, exec root, socket and containerd under a temp dir, so it
 * never touches a pouchd the machine may run. Started once per test run; {@link #close()} removes every
 * container it made, stops it (and its containerd), and checks that no mount is left behind.
 */
public final class PouchdHarness implements AutoCloseable {
    private static final Pattern MASTER = Pattern.compile(" master (\\S+) ");
    private static PouchdHarness shared;

    private final Path base;
    private boolean closed;
    private final Path socket;
    private volatile Process process;
    private final Path dockerConfig;
    /** The bridge this daemon owns (a random name, so that two suites on one host never share one). */
    private final String bridge;
    /** The default bridge's subnet (reserved for this JVM); the bridge's address is its .1. */
    private final Subnet subnet;
    /** Flags added to the daemon's command line and its extra environment, kept for restarts. */
    private final List<String> extraArgs;
    private final Map<String, String> env;
    /** Started with {@code --config-file} alone: everything else is in {@code <base>/config.json}. */
    private boolean configOnly;
    /** The class pouchd starts from: Pouchd, or a launcher of pouch-daemon's tests (with its test classes). */
    private String mainClass = POUCHD;
    private static final String POUCHD = "io.pouch.daemon.Pouchd";

    /** The one daemon for the whole run, started on first use and stopped by a JVM shutdown hook. */
    public static synchronized PouchdHarness shared() {
        if (shared == null) {
            shared = start("pouch-it-", "pit", HostNetworks.reserveSubnet(), base -> { }, List.of(), Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    private PouchdHarness(Path base, String bridge, Subnet subnet, List<String> extraArgs, Map<String, String> env)
            throws IOException {
        this.base = base;
        this.socket = base.resolve("pouchd.sock");
        this.dockerConfig = Files.createDirectories(base.resolve("docker-config"));
        this.bridge = bridge;
        this.subnet = subnet;
        this.extraArgs = List.copyOf(extraArgs);
        this.env = Map.copyOf(env);
    }

    /**
     * A daemon of the caller's own (fault tests kill and restart it), with its own dirs, bridge and subnet; the
     * caller closes it.
     */
    public static PouchdHarness startPrivate() {
        return startPrivate("plr", base -> { }, List.of());
    }

    /**
     * A daemon of the caller's own with its own bridge (named {@code bridgePrefix} and random hex digits) and
     * subnet, and extra daemon flags; {@code args} may use the placeholder {@code $BASE} for the daemon's base
     * directory (created before the launch, so files such as certificates can be put there by {@code prepare}).
     * The caller closes it.
     */
    public static PouchdHarness startPrivate(String bridgePrefix, Consumer<Path> prepare, List<String> args) {
        return startPrivate(bridgePrefix, HostNetworks.reserveSubnet(), prepare, args);
    }

    /** As {@link #startPrivate(String, Consumer, List)}, on a subnet the caller reserved (to name it in args). */
    public static PouchdHarness startPrivate(String bridgePrefix, Subnet subnet, Consumer<Path> prepare,
                                             List<String> args) {
        return start("pouch-it-" + bridgePrefix + "-", bridgePrefix, subnet, prepare, args, Map.of());
    }

    /**
     * As {@link #startPrivate(String, Consumer, List)}, started from {@code mainClass} of pouch-daemon's test
     * classes (a pouchd with a test's own part, such as the P2P peer) instead of Pouchd.
     */
    public static PouchdHarness startPrivateFrom(String mainClass, String bridgePrefix, List<String> args) {
        return start("pouch-it-" + bridgePrefix + "-", HostNetworks.bridgeName(bridgePrefix),
                HostNetworks.reserveSubnet(), base -> { }, args, Map.of(), false, mainClass);
    }

    /**
     * A daemon of the caller's own with {@code configJson} as its config file (keys other than the flags this
     * harness passes), {@code env} added to its environment (HTTP_PROXY...), its own bridge and subnet; the
     * caller closes it.
     */
    public static PouchdHarness startConfigured(String prefix, String bridgePrefix, String configJson,
                                                Map<String, String> env) {
        return start(prefix, bridgePrefix, HostNetworks.reserveSubnet(), base -> {
            try {
                Files.writeString(base.resolve("no-config.json"), configJson);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, List.of(), env);
    }

    /** Where a daemon of {@link #startFromConfigFile} keeps its things; its config file must say so. */
    public record Layout(Path base, String bridge, Subnet subnet) {
        /** The daemon's unix socket, as its config's "listen" must name it. */
        public String socket() {
            return "unix://" + base.resolve("pouchd.sock");
        }
    }

    /**
     * A daemon started with {@code --config-file <base>/config.json} and no other flag, so that its file may hold
     * any key: the file must give home-dir {@code <base>/home}, exec-root {@code <base>/run}, the {@link
     * Layout#socket()} in "listen", pidfile {@code <base>/pouchd.pid}, the bridge and a bip in the subnet (the
     * CRI's socket, stream port and CNI dir are the caller's to choose). {@code prepare} runs before the file is
     * written (to make certificates...). The caller closes it.
     */
    public static PouchdHarness startFromConfigFile(String prefix, String bridgePrefix, Consumer<Path> prepare,
                                                    java.util.function.Function<Layout, String> config) {
        Subnet subnet = HostNetworks.reserveSubnet();
        String bridge = HostNetworks.bridgeName(bridgePrefix);
        return start(prefix, bridge, subnet, base -> {
            prepare.accept(base);
            try {
                Files.writeString(base.resolve("config.json"), config.apply(new Layout(base, bridge, subnet)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, true);
    }

    private static PouchdHarness start(String prefix, String bridgePrefix, Subnet subnet, Consumer<Path> prepare,
                                       List<String> args, Map<String, String> env) {
        return start(prefix, HostNetworks.bridgeName(bridgePrefix), subnet, prepare, args, env, false);
    }

    private static PouchdHarness start(String prefix, String bridge, Subnet subnet, Consumer<Path> prepare,
                                       boolean configOnly) {
        return start(prefix, bridge, subnet, prepare, List.of(), Map.of(), configOnly);
    }

    private static PouchdHarness start(String prefix, String bridge, Subnet subnet, Consumer<Path> prepare,
                                       List<String> args, Map<String, String> env, boolean configOnly) {
        return start(prefix, bridge, subnet, prepare, args, env, configOnly, POUCHD);
    }

    private static PouchdHarness start(String prefix, String bridge, Subnet subnet, Consumer<Path> prepare,
                                       List<String> args, Map<String, String> env, boolean configOnly,
                                       String mainClass) {
        try {
            Path base = Files.createTempDirectory(Path.of("/tmp"), prefix);
            Path root = Cmd.repoRoot();
            prepare.accept(base);
            List<String> extra = args.stream().map(a -> a.replace("$BASE", base.toString())).toList();
            PouchdHarness h = new PouchdHarness(base, bridge, subnet, extra, env);
            h.configOnly = configOnly;
            h.mainClass = mainClass;
            h.process = h.launch();
            try {
                h.awaitPing(Duration.ofSeconds(60));
                String tar = System.getenv().getOrDefault("POUCH_TEST_IMAGE_TAR",
                        root.resolve("target/busybox.tar").toString());
                h.docker("load", "-i", tar).ok();
            } catch (AssertionError e) {
                h.abandon();
                throw e;
            }
            return h;
        } catch (IOException e) {
            throw new AssertionError("cannot start pouchd: " + e.getMessage(), e);
        }
    }

    /** The default bridge's device name. */
    public String bridge() {
        return bridge;
    }

    /** The default bridge's subnet. */
    public Subnet subnet() {
        return subnet;
    }

    /** The default bridge's address: the gateway of its containers. */
    public String gateway() {
        return subnet.address(1);
    }

    /**
     * pouchd's FIFO holder, built from its source by scripts/build-fifo-holder when missing or older than the
     * source. A daemon started with {@code POUCH_FIFO_HOLDER} in its environment map runs that path instead (a path
     * that does not exist: the per-container keepers pouchd falls back to).
     */
    private String fifoHolder() {
        String chosen = env.get("POUCH_FIFO_HOLDER");
        if (chosen != null) {
            return chosen;
        }
        Path root = Cmd.repoRoot();
        Path bin = root.resolve("pouch-daemon/target/pouch-fifo-holder");
        Path src = root.resolve("pouch-daemon/src/main/c/pouch-fifo-holder.c");
        synchronized (PouchdHarness.class) {
            try {
                if (!Files.exists(bin) || Files.getLastModifiedTime(bin).compareTo(Files.getLastModifiedTime(src)) < 0) {
                    Cmd.Result r = Cmd.run(List.of(root.resolve("scripts/build-fifo-holder").toString(), bin.toString()),
                            Map.of(), null, Duration.ofSeconds(120));
                    if (r.exit() != 0) {
                        throw new AssertionError("cannot build the FIFO holder: " + r.err());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bin.toString();
    }

    private Process launch() throws IOException {
        Path root = Cmd.repoRoot();
        String cp = root.resolve("pouch-daemon/target/classes") + ":" + root.resolve("pouch-daemon/target/lib/*")
                + (mainClass.equals(POUCHD) ? "" : ":" + root.resolve("pouch-daemon/target/test-classes"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String holder = "-Dpouch.fifoHolder=" + fifoHolder();
        if (configOnly) {
            ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", holder, "-cp", cp,
                    "io.pouch.daemon.Pouchd", "--config-file", base.resolve("config.json").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("pouchd.log").toFile()));
            return pb.start();
        }
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", holder, "-cp", cp,
                mainClass,
                "--home-dir", base.resolve("home").toString(),
                "--exec-root", base.resolve("run").toString(),
                "--listen", "unix://" + base.resolve("pouchd.sock"),
                "--pidfile", base.resolve("pouchd.pid").toString(),
                "--bridge-name", bridge,
                "--bip", subnet.cidr(1, 24),
                "--config-file", base.resolve("no-config.json").toString(),
                "--registry-certs-dir", base.resolve("certs.d").toString(),
                "--debug"));
        // the CRI server is on by default: each test daemon gets its own socket, stream port and CNI config dir
        // unless the test names its own
        if (extraArgs.stream().noneMatch(a -> a.startsWith("--listen-cri") || a.startsWith("--enable-cri"))) {
            cmd.addAll(List.of("--listen-cri", "unix://" + base.resolve("cri.sock")));
        }
        if (extraArgs.stream().noneMatch(a -> a.startsWith("--stream-server-port"))) {
            cmd.addAll(List.of("--stream-server-port", "0"));
        }
        if (extraArgs.stream().noneMatch(a -> a.startsWith("--cni-conf-dir"))) {
            cmd.addAll(List.of("--cni-conf-dir", base.resolve("cni").toString()));
        }
        cmd.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("pouchd.log").toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }

    /** SIGKILL to pouchd only (its containerd and the shims live on). */
    public void killDaemon9() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A graceful stop of pouchd (it stops its containerd; containers live on in their shims). */
    public void stopDaemon() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts pouchd again on the same dirs and waits until its boot ended (the ping answers before the containers are
     * restored; any other request waits for the restore); stop or kill the running one first.
     */
    public void restartDaemon() {
        restartDaemonUntilPing();
        curl("/version"); // held by pouchd until its boot ended
    }

    /** Starts pouchd again and returns as soon as /_ping answers, while the containers may still be restored. */
    public void restartDaemonUntilPing() {
        if (process.isAlive()) {
            // a second pouchd on the same dirs would leave the first one running, unknown to close()
            throw new AssertionError("pouchd " + process.pid() + " is still running: stop or kill it first");
        }
        try {
            process = launch();
        } catch (IOException e) {
            throw new AssertionError("cannot restart pouchd: " + e.getMessage(), e);
        }
        awaitPing(Duration.ofSeconds(60));
    }

    /** The pid of this daemon's containerd (0 when none). */
    public long containerdPid() {
        try {
            return Long.parseLong(Files.readString(base.resolve("run/containerd/containerd.pid")).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /**
     * What a host reboot does to containers: SIGKILL to this daemon's containerd and to every shim it
     * started (their command lines name its socket), so the tasks are gone. Stop pouchd first.
     */
    public void killContainerdAndShims() {
        List<ProcessHandle> killed = new ArrayList<>();
        shims().forEach(p -> {
            p.descendants().forEach(killed::add);
            killed.add(p);
        });
        long ctd = containerdPid();
        if (ctd > 0) {
            ProcessHandle.of(ctd).ifPresent(killed::add);
        }
        killed.forEach(ProcessHandle::destroyForcibly);
        Await.until(Duration.ofSeconds(30), () -> killed.stream().allMatch(PouchdHarness::dead),
                "containerd and the shims of " + base + " gone after SIGKILL");
    }

    /** The containerd shims this daemon's containerd started (their command lines name its exec root). */
    private List<ProcessHandle> shims() {
        String run = base.resolve("run").toString();
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.contains("containerd-shim")
                && c.contains(run)).orElse(false)).toList();
    }

    /**
     * The live processes of this daemon's containers whose command line contains {@code text} (found from the
     * shims, so also while pouchd is down).
     */
    public List<ProcessHandle> containerProcesses(String text) {
        return shims().stream().flatMap(ProcessHandle::descendants).filter(p -> !dead(p))
                .filter(p -> p.info().commandLine().map(c -> c.contains(text)).orElse(false)).toList();
    }

    /** Exited: gone, or a zombie that its parent has not reaped yet. */
    static boolean dead(ProcessHandle p) {
        if (!p.isAlive()) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true; // no /proc entry: gone
        }
    }

    private void awaitPing(Duration timeout) {
        try {
            Await.until(timeout, () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("pouchd exited with " + process.exitValue() + ":\n" + log());
                }
                return Files.exists(socket) && curl("/_ping").exit() == 0;
            }, "pouchd to answer /_ping");
        } catch (AssertionError e) {
            if (!process.isAlive()) {
                throw e;
            }
            throw new AssertionError(e.getMessage() + ":\n" + log(), e);
        }
    }

    /**
     * The host ends of container veths (pouchd names them veth*) on this daemon's bridge, on one of
     * {@code userBridges} or on no bridge: this daemon's, whatever another suite on the host does meanwhile (its
     * veths are on its own bridges, but for a moment after they are made).
     */
    public Set<String> veths(String... userBridges) {
        Set<String> bridges = new HashSet<>(List.of(userBridges));
        bridges.add(bridge);
        Set<String> out = new TreeSet<>();
        String links = Cmd.run(List.of("ip", "-o", "link", "show", "type", "veth"), Map.of(), null,
                Duration.ofSeconds(30)).ok().out();
        for (String l : links.lines().toList()) {
            String name = l.split(":\\s+", 3)[1].replaceAll("@.*", "");
            Matcher master = MASTER.matcher(l);
            if (name.startsWith("veth") && (!master.find() || bridges.contains(master.group(1)))) {
                out.add(name);
            }
        }
        return out;
    }

    public String host() {
        return "unix://" + socket;
    }

    public Path base() {
        return base;
    }

    /** The daemon's registry CA directory: {@code <dir>/<host:port>/ca.crt}. */
    public Path certsDir() {
        return base.resolve("certs.d");
    }

    public String log() {
        try {
            return Files.readString(base.resolve("pouchd.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Runs the real docker CLI against this daemon. */
    public Cmd.Result docker(String... args) {
        return dockerWithInput(null, args);
    }

    public Cmd.Result dockerWithInput(byte[] stdin, String... args) {
        return dockerWithEnv(Map.of(), stdin, args);
    }

    /** The docker CLI with extra environment ({@code DOCKER_BUILDKIT=0}). */
    public Cmd.Result dockerWithEnv(Map<String, String> env, byte[] stdin, String... args) {
        List<String> c = new ArrayList<>(List.of("docker", "-H", host()));
        c.addAll(List.of(args));
        Map<String, String> e = new java.util.HashMap<>(env);
        e.put("DOCKER_CONFIG", dockerConfig.toString());
        return Cmd.run(c, e, stdin, Duration.ofSeconds(120));
    }

    /** A build context: a new directory under this daemon's base holding {@code files} (path -> content). */
    public Path buildContext(Map<String, String> files) throws java.io.IOException {
        Path dir = Files.createTempDirectory(base(), "ctx-");
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        return dir;
    }

    /** {@code docker build ARGS CONTEXT} with the classic builder ({@code DOCKER_BUILDKIT=0}). */
    public Cmd.Result classicBuild(Path context, String... args) {
        List<String> a = new ArrayList<>(List.of("build"));
        a.addAll(List.of(args));
        a.add(context.toString());
        return dockerWithEnv(Map.of("DOCKER_BUILDKIT", "0"), null, a.toArray(String[]::new));
    }

    /** Starts the docker CLI against this daemon and leaves it running (stdout and stderr merged): the caller ends it. */
    public Process dockerProcess(Map<String, String> env, String... args) throws java.io.IOException {
        List<String> c = new ArrayList<>(List.of("docker", "-H", host()));
        c.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(c).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("DOCKER_CONFIG", dockerConfig.toString());
        return pb.start();
    }

    /** Runs the pouch CLI (this build's) against this daemon. */
    public Cmd.Result pouch(String... args) {
        return Cmd.run(pouchCommand(args), Map.of(), null, Duration.ofSeconds(120));
    }

    /** The command line that runs this build's pouch CLI against this daemon, for tests that start it themselves. */
    public List<String> pouchCommand(String... args) {
        List<String> c = pouchCli();
        c.addAll(List.of("-H", host()));
        c.addAll(List.of(args));
        return c;
    }

    /**
     * The command that runs this build's pouch CLI, without arguments: the JVM CLI, or the executable $POUCH_CLI
     * names (scripts/test runs the CLI's tests again on the native build).
     */
    public static List<String> pouchCli() {
        String cli = System.getenv("POUCH_CLI");
        if (cli != null && !cli.isBlank()) {
            return new ArrayList<>(List.of(cli));
        }
        Path root = Cmd.repoRoot();
        String cp = root.resolve("pouch-cli/target/classes") + ":" + root.resolve("pouch-cli/target/lib/*");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-cp", cp, "io.pouch.cli.Main"));
    }

    /** A raw API call through curl on the unix socket: prints the status code on the last line. */
    public Cmd.Result curl(String path, String... extra) {
        List<String> c = new ArrayList<>(List.of("curl", "-s", "--max-time", "60", "--unix-socket", socket.toString(),
                "-w", "\n%{http_code}"));
        c.addAll(List.of(extra));
        c.add("http://localhost" + path);
        return Cmd.run(c, Map.of(), null, Duration.ofSeconds(90));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!process.isAlive()) {
            // a test that failed while pouchd was down (killDaemon9): start it again so it removes its containers
            try {
                restartDaemon();
            } catch (AssertionError e) {
                System.err.println("cleanup: " + e.getMessage());
                abandonContainers();
            }
        }
        try {
            String ids = docker("ps", "-aq").out().strip();
            if (!ids.isEmpty()) {
                List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                rm.addAll(List.of(ids.split("\\s+")));
                docker(rm.toArray(String[]::new));
            }
        } catch (AssertionError e) {
            System.err.println("cleanup: " + e.getMessage());
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        killLeftoverContainerd();
        killFifoHolders();
        removeNetworkState();
        unmountUnder(base);
        keepLog();
        deleteTree(base);
    }

    /**
     * Without a pouchd to ask: the shims under this daemon's containerd, their containers, keepers and FIFO holder
     * are killed.
     */
    private void abandonContainers() {
        String socket = base.resolve("run/containerd/containerd.sock").toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("containerd-shim") && c.contains(socket))
                        .orElse(false))
                .forEach(shim -> {
                    shim.descendants().forEach(ProcessHandle::destroyForcibly);
                    shim.destroyForcibly();
                });
        killFifoHolders();
    }

    /**
     * FIFO keepers and the FIFO holder end by themselves once their FIFOs are gone (the holder also when it holds
     * nothing and pouchd is gone); these go at once.
     */
    private void killFifoHolders() {
        List<ProcessHandle> killed = ProcessHandle.allProcesses()
                .filter(p -> (isFifoHolder(p) || p.info().commandLine().map(c -> c.contains("pouch-fifo-keeper"))
                        .orElse(false)) && p.info().commandLine().map(c -> c.contains(base + "/")).orElse(false))
                .toList();
        killed.forEach(ProcessHandle::destroyForcibly);
        Await.until(Duration.ofSeconds(10), () -> killed.stream().allMatch(PouchdHarness::dead),
                "the FIFO holder and keepers of " + base + " gone after SIGKILL");
    }

    /**
     * A FIFO holder process: by its executable (the command line starts with the executable's path, not argv[0],
     * and pouchd's own names the holder's binary in -Dpouch.fifoHolder).
     */
    public static boolean isFifoHolder(ProcessHandle p) {
        return p.info().command().map(c -> c.endsWith("/pouch-fifo-holder")).orElse(false);
    }

    /** A daemon that failed to start: whatever it started (containerd, bridge, chains, mounts) goes. */
    private void abandon() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        killLeftoverContainerd();
        removeNetworkState();
        unmountUnder(base);
        keepLog();
        deleteTree(base);
    }

    /**
     * pouchd leaves its bridge and iptables/ip6tables chains in place when it stops (containers may outlive it, as with
     * dockerd); a test daemon is gone for good, so its bridge and the chains named after it go too.
     */
    private void removeNetworkState() {
        String script = """
                b="$1"
                for ipt in iptables ip6tables; do
                  for t in nat filter; do
                    $ipt-save -t $t | grep -E "^-A .* -j POUCH(-[A-Z0-9]+)?-$b( |\\$)" | grep -vE "^-A POUCH(-[A-Z0-9]+)?-$b " \\
                      | sed 's/^-A /-D /' | while read -r rule; do eval $ipt -t $t $rule; done
                    chains=$($ipt-save -t $t | grep -oE "^:POUCH(-[A-Z0-9]+)?-$b " | tr -d ':')
                    for c in $chains; do $ipt -t $t -F $c; done
                    for c in $chains; do $ipt -t $t -X $c; done
                  done
                done
                ip link del "$b" 2>/dev/null || true
                """;
        Cmd.Result r = Cmd.run(List.of("bash", "-c", script, "cleanup", bridge), Map.of(), null, Duration.ofSeconds(30));
        if (r.exit() != 0) {
            System.err.println("cleanup: network state of " + bridge + ": " + r);
        }
    }

    /** Keeps the daemon's log in target/ so that a failed CI run can be read afterwards. */
    private void keepLog() {
        try {
            Path dir = Files.createDirectories(Path.of("target", "pouchd-logs"));
            Files.copy(base.resolve("pouchd.log"), dir.resolve(base.getFileName() + ".log"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("cleanup: cannot keep the pouchd log: " + e.getMessage());
        }
    }

    private void killLeftoverContainerd() {
        Path pid = base.resolve("run/containerd/containerd.pid");
        try {
            if (Files.exists(pid)) {
                ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).ifPresent(ProcessHandle::destroy);
            }
        } catch (IOException | NumberFormatException ignored) {
            // nothing to kill
        }
    }

    /** Mount points under {@code dir}, deepest first (read from /proc/self/mountinfo). */
    static List<String> mountsUnder(Path dir) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            return lines.map(l -> l.split(" ")[4]).filter(m -> m.startsWith(dir.toString()))
                    .sorted(Comparator.comparingInt(String::length).reversed()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void unmountUnder(Path dir) {
        for (String m : mountsUnder(dir)) {
            System.err.println("cleanup: leftover mount " + m);
            Cmd.run(List.of("umount", "-l", m), Map.of(), null, Duration.ofSeconds(10));
        }
    }

    private static void deleteTree(Path dir) {
        Cmd.run(List.of("rm", "-rf", "--one-file-system", dir.toString()), Map.of(), null, Duration.ofSeconds(60));
    }
}
