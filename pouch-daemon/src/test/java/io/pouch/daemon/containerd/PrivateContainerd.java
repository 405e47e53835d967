package io.pouch.daemon.containerd;

import io.pouch.testing.Await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A containerd of an integration test's own, with root, state and sockets under {@code dir}: started unless one
 * already answers on its socket (left by an interrupted run), stopped by {@link #close} only when started here.
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

    /** Starts (or finds) the containerd under {@code dir}; {@link #up} tells whether it answers. */
    public static PrivateContainerd start(Path dir, String namespace) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Containerd client = new Containerd(dir.resolve("containerd.sock").toString(), namespace);
        if (client.ping(500)) {
            return new PrivateContainerd(dir, client, null);
        }
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
        try {
            Await.until(Duration.ofSeconds(15), () -> client.ping(300), "containerd answering on " + dir);
        } catch (AssertionError e) {
            p.destroy();
            throw e;
        }
        return new PrivateContainerd(dir, client, p);
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

    @Override
    public void close() throws InterruptedException {
        client.close();
        if (started != null) {
            started.destroy();
            started.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
