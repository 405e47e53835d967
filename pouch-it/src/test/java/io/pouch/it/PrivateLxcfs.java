package io.pouch.it;

import io.pouch.testing.Await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An lxcfs of the test's own, mounted on a fresh directory under /tmp (never the host's /var/lib/lxcfs, so two suites
 * and the system lxcfs share a host), started in the foreground so the test holds its process. Killing it leaves the
 * dead FUSE mount containers then see as "Transport endpoint is not connected"; {@link #restart} unmounts that and
 * mounts a new lxcfs there. {@link #close} kills it and unmounts, whatever state it is in.
 */
final class PrivateLxcfs implements AutoCloseable {
    private final Path dir;
    private final Path mount;
    private Process process;

    private PrivateLxcfs(Path dir) {
        this.dir = dir;
        this.mount = dir.resolve("mnt");
    }

    static PrivateLxcfs start() throws IOException {
        PrivateLxcfs l = new PrivateLxcfs(Files.createTempDirectory(Path.of("/tmp"), "pouch-it-lxcfs-"));
        try {
            Files.createDirectories(l.mount);
            l.launch();
        } catch (RuntimeException | Error | IOException e) {
            l.close();
            throw e;
        }
        return l;
    }

    /** Where lxcfs is mounted (pouchd's --lxcfs-home). */
    Path mount() {
        return mount;
    }

    private void launch() throws IOException {
        process = new ProcessBuilder("lxcfs", "--foreground", "--pidfile=" + dir.resolve("lxcfs.pid"),
                mount.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("lxcfs.log").toFile())).start();
        Await.until(Duration.ofSeconds(30), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("lxcfs exited: " + log());
            }
            return mounted() && Files.isReadable(mount.resolve("proc/meminfo"));
        }, "lxcfs mounted at " + mount);
    }

    /** An lxcfs FUSE mount (live or dead) is on the directory. */
    boolean mounted() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .anyMatch(l -> l.contains(" " + mount + " ") && l.contains(" - fuse"));
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL: the mount stays, dead. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Unmounts the dead mount and mounts a new lxcfs on the same directory (a new mount ID). */
    void restart() throws IOException, InterruptedException {
        kill();
        unmount();
        launch();
    }

    private void unmount() {
        while (mounted()) {
            Cmd.Result r = Cmd.run(List.of("umount", "-l", mount.toString()), Map.of(), null, Duration.ofSeconds(30));
            if (r.exit() != 0) {
                throw new AssertionError("cannot unmount " + mount + ": " + r);
            }
        }
    }

    String log() {
        try {
            return Files.readString(dir.resolve("lxcfs.log"));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            if (process != null) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        unmount();
        Cmd.run(List.of("rm", "-rf", dir.toString()), Map.of(), null, Duration.ofSeconds(30));
    }
}
