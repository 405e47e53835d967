package io.pouch.it;

import io.pouch.testing.Await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Debian docker-registry on 127.0.0.1 for the tests, on a port the OS picks (port 0 in its config): the port is
 * read from the registry's log line {@code listening on 127.0.0.1:PORT}, which it writes once it accepts
 * connections, so two suites on one host never compete for a port.
 */
final class LocalRegistry implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/docker-registry");
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final int port;

    /**
     * Starts a registry with its storage and files under {@code dir}, named {@code name}; {@code extra} is YAML
     * added to the config at the top level (indented keys of {@code http:} may follow, as {@code "  tls: ..."}).
     */
    LocalRegistry(Path dir, String name, String extra) throws IOException {
        Path storage = Files.createDirectories(dir.resolve("storage-" + name));
        Path cfg = dir.resolve("registry-" + name + ".yml");
        Path log = dir.resolve("registry-" + name + ".log");
        Files.writeString(cfg, "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: "
                + storage + "\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:0\n" + extra);
        process = new ProcessBuilder(BINARY.toString(), "serve", cfg.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            port = Await.until(Duration.ofSeconds(30), () -> listeningPort(log), p -> p > 0,
                    "registry " + name + " listening (log " + log + ")");
        } catch (AssertionError e) {
            close();
            throw e;
        }
    }

    private int listeningPort(Path log) {
        if (!process.isAlive()) {
            throw new AssertionError("docker-registry exited with " + process.exitValue() + ": " + read(log));
        }
        Matcher m = LISTENING.matcher(read(log));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, the registry's host in image references. */
    String host() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
