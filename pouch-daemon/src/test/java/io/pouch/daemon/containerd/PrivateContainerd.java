package io.pouch.daemon.containerd;

import io.pouch.daemon.sys.FileTrees;
import io.pouch.testing.Await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A containerd of an integration test's own, with root, state and sockets under a directory of its own: a fresh
 * one under /tmp per test class ({@link #startFresh}), removed with everything in it by {@link #close}, so two
 * suites on one host never share one.
 */
public final class PrivateContainerd implements AutoCloseable {
    private final Path dir;
    private final Containerd client;
    private final Process started;

    private PrivateContainerd(Path dir, Containerd client, Process started) {
        this.dir = dir;
        this.client = client;
        this.started = started;
    }

    /** Starts a containerd in a new directory {@code /tmp/<prefix>...}; {@link #up} tells whether it answers. */
    public static PrivateContainerd startFresh(String prefix, String namespace) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), prefix);
        Containerd client = new Containerd(dir.resolve("containerd.sock").toString(), namespace);
        Files.writeString(dir.resolve("config.toml"), """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]
                [grpc]
                  address = "%1$s/containerd.sock"
                [ttrpc]
                  address = "%1$s/containerd.sock.ttrpc"
                """.formatted(dir));
        Process p = new ProcessBuilder("containerd", "--config", dir.resolve("config.toml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
        PrivateContainerd ctd = new PrivateContainerd(dir, client, p);
        try {
            Await.until(Duration.ofSeconds(15), () -> client.ping(300), "containerd answering on " + dir);
        } catch (AssertionError e) {
            ctd.close();
            throw e;
        }
        return ctd;
    }

    /** The directory holding its root, state, config and sockets (tests may put files of their own there). */
    public Path dir() {
        return dir;
    }

    public boolean up() {
        return client.ping(1000);
    }

    public Containerd client() {
        return client;
    }

    public String socket() {
        return dir.resolve("containerd.sock").toString();
    }

    /** Stops containerd, unmounts whatever is still mounted below its directory and removes the directory. */
    @Override
    public void close() {
        client.close();
        started.destroy();
        try {
            if (!started.waitFor(10, TimeUnit.SECONDS)) {
                started.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            for (String target : mountsBelow(dir)) {
                new ProcessBuilder("umount", "-l", target).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
            }
            FileTrees.delete(dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }

    /** Mount points below {@code dir}, deepest first (from /proc/self/mountinfo, octal escapes undone). */
    private static List<String> mountsBelow(Path dir) throws IOException {
        List<String> targets = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String target = line.split(" ")[4].replace("\\040", " ").replace("\\011", "\t")
                    .replace("\\012", "\n").replace("\\134", "\\");
            if (target.startsWith(dir + "/")) {
                targets.add(target);
            }
        }
        targets.sort(Comparator.comparingInt(String::length).reversed());
        return targets;
    }
}
