package io.pouch.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private pouchd for the tests: its own home, exec root, socket and containerd under a temp dir, so it
 * never touches a pouchd the machine may run. Started once per test run; {@link #close()} removes every
 * container it made, stops it (and its containerd), and checks that no mount is left behind.
 */
public final class PouchdHarness implements AutoCloseable {
    private static PouchdHarness shared;

    private final Path base;
    private final Path socket;
    private volatile Process process;
    private final Path dockerConfig;
    /** life: the bridge this daemon owns ("pit0" for the shared one), kept for restarts. */
    private String bridge = "pit0";
    /** The default bridge's address, flags added to the daemon's command line and its extra environment (kept for restarts). */
    private String bip = "10.231.255.1/24";
    private List<String> extraArgs = List.of();
    private Map<String, String> env = Map.of();

    /** The one daemon for the whole run, started on first use and stopped by a JVM shutdown hook. */
    public static synchronized PouchdHarness shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    private PouchdHarness(Path base, Process process) throws IOException {
        this.base = base;
        this.socket = base.resolve("pouchd.sock");
        this.process = process;
        this.dockerConfig = Files.createDirectories(base.resolve("docker-config"));
    }

    static PouchdHarness start() {
        return start("pouch-it-", "pit0");
    }

    /**
     * life: a daemon of the caller's own (fault tests kill and restart it), with its own dirs and bridge "plr0";
     * the caller closes it.
     */
    public static PouchdHarness startPrivate() {
        return start("pouch-it-private-", "plr0");
    }

    /**
     * A daemon of the caller's own with its own bridge and address, and extra daemon flags; {@code args} may use
     * the placeholder {@code $BASE} for the daemon's base directory (created before the launch, so files such as
     * certificates can be put there by {@code prepare}). The caller closes it.
     */
    public static PouchdHarness startPrivate(String bridge, String bip, java.util.function.Consumer<Path> prepare,
                                             List<String> args) {
        return start("pouch-it-" + bridge + "-", bridge, bip, prepare, args, Map.of());
    }

    /**
     * registry: a daemon of the caller's own with {@code configJson} as its config file (keys other than the
     * flags this harness passes), {@code env} added to its environment (HTTP_PROXY...), its own bridge and
     * subnet; the caller closes it.
     */
    public static PouchdHarness startConfigured(String prefix, String bridge, String bip, String configJson,
                                                Map<String, String> env) {
        return start(prefix, bridge, bip, base -> {
            try {
                Files.writeString(base.resolve("no-config.json"), configJson);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, List.of(), env);
    }

    private static PouchdHarness start(String prefix, String bridge) {
        // not Pouch's 192.168.5.1/24, which a pouchd on the host may hold; one subnet per test daemon
        return start(prefix, bridge, bridge.equals("pit0") ? "10.231.255.1/24" : "10.231.254.1/24", base -> { },
                List.of(), Map.of());
    }

    private static PouchdHarness start(String prefix, String bridge, String bip,
                                       java.util.function.Consumer<Path> prepare, List<String> args,
                                       Map<String, String> env) {
        try {
            Path base = Files.createTempDirectory(Path.of("/tmp"), prefix);
            Path root = Cmd.repoRoot();
            prepare.accept(base);
            List<String> extra = args.stream().map(a -> a.replace("$BASE", base.toString())).toList();
            PouchdHarness h = new PouchdHarness(base, launch(base, bridge, bip, extra, env));
            h.bridge = bridge;
            h.bip = bip;
            h.extraArgs = extra;
            h.env = Map.copyOf(env);
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

    private static Process launch(Path base, String bridge, String bip, List<String> extra, Map<String, String> env)
            throws IOException {
        Path root = Cmd.repoRoot();
        String cp = root.resolve("pouch-daemon/target/classes") + ":" + root.resolve("pouch-daemon/target/lib/*");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                "io.pouch.daemon.Pouchd",
                "--home-dir", base.resolve("home").toString(),
                "--exec-root", base.resolve("run").toString(),
                "--listen", "unix://" + base.resolve("pouchd.sock"),
                "--pidfile", base.resolve("pouchd.pid").toString(),
                "--bridge-name", bridge,
                "--bip", bip,
                "--config-file", base.resolve("no-config.json").toString(),
                "--registry-certs-dir", base.resolve("certs.d").toString(),
                "--debug"));
        cmd.addAll(extra);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("pouchd.log").toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }

    /** life: SIGKILL to pouchd only (its containerd and the shims live on). */
    public void killDaemon9() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** life: a graceful stop of pouchd (it stops its containerd; containers live on in their shims). */
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

    /** life: starts pouchd again on the same dirs and waits for /_ping. */
    public void restartDaemon() {
        try {
            process = launch(base, bridge, bip, extraArgs, env);
        } catch (IOException e) {
            throw new AssertionError("cannot restart pouchd: " + e.getMessage(), e);
        }
        awaitPing(Duration.ofSeconds(60));
    }

    /** life: the pid of this daemon's containerd (0 when none). */
    public long containerdPid() {
        try {
            return Long.parseLong(Files.readString(base.resolve("run/containerd/containerd.pid")).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /**
     * life: what a host reboot does to containers: SIGKILL to this daemon's containerd and to every shim it
     * started (their command lines name its socket), so the tasks are gone. Stop pouchd first.
     */
    public void killContainerdAndShims() {
        String sock = base.resolve("run").toString();
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.contains("containerd-shim")
                && c.contains(sock)).orElse(false)).forEach(p -> {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                });
        long pid = containerdPid();
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        sleep(500);
    }

    private void awaitPing(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("pouchd exited with " + process.exitValue() + ":\n" + log());
            }
            if (Files.exists(socket) && curl("/_ping").exit() == 0) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError("pouchd did not answer /_ping within " + timeout + ":\n" + log());
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
        List<String> c = new ArrayList<>(List.of("docker", "-H", host()));
        c.addAll(List.of(args));
        return Cmd.run(c, Map.of("DOCKER_CONFIG", dockerConfig.toString()), stdin, Duration.ofSeconds(120));
    }

    /** Runs the pouch CLI (this build's) against this daemon. */
    public Cmd.Result pouch(String... args) {
        Path root = Cmd.repoRoot();
        String cp = root.resolve("pouch-cli/target/classes") + ":" + root.resolve("pouch-cli/target/lib/*");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> c = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-cp", cp, "io.pouch.cli.Main",
                "-H", host()));
        c.addAll(List.of(args));
        return Cmd.run(c, Map.of(), null, Duration.ofSeconds(120));
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
        if (!process.isAlive()) {
            return;
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
        removeNetworkState();
        unmountUnder(base);
        keepLog();
        deleteTree(base);
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
     * pouchd leaves its bridge and iptables chains in place when it stops (containers may outlive it, as with
     * dockerd); a test daemon is gone for good, so its bridge and the chains named after it go too.
     */
    private void removeNetworkState() {
        String script = """
                b="$1"
                for t in nat filter; do
                  iptables-save -t $t | grep -E "^-A .* -j POUCH(-[A-Z0-9]+)?-$b( |\\$)" | grep -vE "^-A POUCH(-[A-Z0-9]+)?-$b " \\
                    | sed 's/^-A /-D /' | while read -r rule; do eval iptables -t $t $rule; done
                  chains=$(iptables-save -t $t | grep -oE "^:POUCH(-[A-Z0-9]+)?-$b " | tr -d ':')
                  for c in $chains; do iptables -t $t -F $c; done
                  for c in $chains; do iptables -t $t -X $c; done
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
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
