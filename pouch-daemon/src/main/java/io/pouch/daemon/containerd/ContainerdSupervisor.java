package io.pouch.daemon.containerd;

import io.pouch.daemon.config.DaemonConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Starts pouchd's own containerd (own config, root, state and socket, as Pouch does) and restarts it when it
 * dies. A containerd left running by an earlier pouchd (pid file, socket answering) is adopted rather than
 * started twice: that is what lets containers and their shims survive a pouchd crash.
 */
public final class ContainerdSupervisor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ContainerdSupervisor.class.getName());

    private final DaemonConfig config;
    private final Path dir;
    private final Path pidFile;
    private volatile boolean stopping;
    /** Runs after each successful restart of containerd. */
    private final List<Runnable> restarted = new CopyOnWriteArrayList<>();

    /** {@code r} runs each time containerd was restarted and answers again. */
    public void onRestart(Runnable r) {
        restarted.add(r);
    }
    private volatile ProcessHandle process;
    private Thread monitor;

    public ContainerdSupervisor(DaemonConfig config) {
        this.config = config;
        this.dir = config.execRoot().resolve("containerd");
        this.pidFile = dir.resolve("containerd.pid");
    }

    /** Makes sure containerd runs and answers on its socket; blocks until it does (or fails). */
    public void start() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.createDirectories(config.containerdRoot());
        Files.createDirectories(config.containerdState());
        Optional<ProcessHandle> existing = adoptable();
        if (existing.isPresent()) {
            process = existing.get();
            Files.writeString(pidFile, Long.toString(process.pid()));
            LOG.info("adopted running containerd pid " + process.pid());
        } else {
            launch();
        }
        monitor = Thread.ofPlatform().daemon().name("containerd-supervisor").start(this::supervise);
    }

    /**
     * A containerd an earlier pouchd left running on this config, if it answers. Found by its command line (our
     * config file), not only by the pid file, which a pouchd killed at the wrong moment may not have written. One
     * that is alive but does not answer within 30 s is stopped: starting a second containerd on the same root would
     * wait on the first's database lock, and deleting the socket to make room for it would cut the first one off
     * (both were seen when pouchd was killed and started again in quick succession).
     */
    private Optional<ProcessHandle> adoptable() throws InterruptedException {
        String configFile = dir.resolve("config.toml").toString();
        List<ProcessHandle> ours = ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("containerd")).orElse(false))
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(configFile)).orElse(false))
                .toList();
        Optional<ProcessHandle> answering = Optional.empty();
        if (!ours.isEmpty()) {
            long deadline = System.nanoTime() + adoptWait.toNanos();
            try (Containerd c = new Containerd(config.containerdAddress(), config.namespace())) {
                while (answering.isEmpty() && System.nanoTime() < deadline
                        && ours.stream().anyMatch(ProcessHandle::isAlive)) {
                    if (Files.exists(Path.of(config.containerdAddress())) && c.ping(2000)) {
                        answering = pidFromFile().flatMap(pid -> ours.stream().filter(p -> p.pid() == pid).findFirst())
                                .or(() -> ours.size() == 1 ? Optional.of(ours.get(0)) : Optional.empty());
                        if (answering.isEmpty()) {
                            break; // several answer-able candidates and no pid file to tell which: start clean
                        }
                    } else {
                        Thread.sleep(200);
                    }
                }
            }
        }
        for (ProcessHandle p : ours) {
            if (answering.map(a -> a.pid() != p.pid()).orElse(true) && p.isAlive()) {
                LOG.warning("stopping containerd pid " + p.pid() + " left on " + configFile
                        + (answering.isPresent() ? " (another one serves it)" : " (it does not answer)"));
                p.destroy();
                try {
                    p.onExit().get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly(); // a wedged (e.g. stopped) process never gets to act on SIGTERM
                    p.onExit().join();
                }
            }
        }
        return answering;
    }

    /** How long a containerd left running gets to answer before it is replaced (shorter in tests). */
    Duration adoptWait = Duration.ofSeconds(30);

    /** Tests: what a pouchd killed with SIGKILL leaves behind, its containerd running and no supervisor. */
    void abandon() {
        stopping = true;
        if (monitor != null) {
            monitor.interrupt();
        }
    }

    /** The containerd this supervisor runs (tests). */
    long pid() {
        return process.pid();
    }

    private Optional<Long> pidFromFile() {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void launch() throws IOException, InterruptedException {
        Path configFile = dir.resolve("config.toml");
        Files.writeString(configFile, configToml(), StandardCharsets.UTF_8);
        Path log = config.homeDir().resolve("containerd/containerd.log");
        Files.createDirectories(log.getParent());
        Files.deleteIfExists(Path.of(config.containerdAddress()));
        ProcessBuilder pb = new ProcessBuilder(List.of(config.containerdBinary(), "--config", configFile.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot start containerd (" + config.containerdBinary()
                    + "): is it installed? scripts/install sets it up. " + e.getMessage(), e);
        }
        process = p.toHandle();
        Files.writeString(pidFile, Long.toString(p.pid()));
        waitUntilServing(p);
        LOG.info("started containerd pid " + p.pid() + " on " + config.containerdAddress());
    }

    private void waitUntilServing(Process p) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Path sock = Path.of(config.containerdAddress());
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("containerd exited with code " + p.exitValue() + " at start; see "
                        + config.homeDir().resolve("containerd/containerd.log"));
            }
            if (Files.exists(sock)) {
                try (Containerd c = new Containerd(sock.toString(), config.namespace())) {
                    if (c.ping(1000)) {
                        return;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new IOException("containerd did not answer on " + sock + " within 30 s");
    }

    private void supervise() {
        long backoff = 100;
        while (!stopping) {
            try {
                process.onExit().get();
            } catch (Exception e) {
                return;
            }
            if (stopping) {
                return;
            }
            LOG.warning("containerd (pid " + process.pid() + ") died; restarting in " + backoff + " ms");
            try {
                Thread.sleep(backoff);
                launch();
                backoff = 100;
                restarted.forEach(Runnable::run); // let clients reconnect at once
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                LOG.severe("containerd restart failed: " + e.getMessage());
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
    }

    String configToml() {
        // The CRI plugin is pouchd's own business (a later issue); containerd's would fight it for CNI.
        return """
                version = 2
                root = "%s"
                state = "%s"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]
                oom_score = 0

                [grpc]
                  address = "%s"

                [ttrpc]
                  address = "%s"

                [debug]
                  level = "%s"

                # containerd's default, written out because pouchd's staged blobs rely on it: a writer opened with
                # an expected digest whose bytes the backing store has commits them without reading them again
                [plugins."io.containerd.metadata.v1.bolt"]
                  content_sharing_policy = "shared"
                """.formatted(config.containerdRoot(), config.containerdState(), config.containerdAddress(),
                config.containerdAddress() + ".ttrpc", config.debug() ? "debug" : "warn");
    }

    /** Stops the supervised containerd. Running containers keep running: their shims hold them. */
    @Override
    public void close() {
        stopping = true;
        ProcessHandle p = process;
        if (p != null && p.isAlive()) {
            p.destroy();
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // best effort: a stale pid file is checked before use anyway
        }
    }
}
