package io.pouch.daemon.container;

import io.pouch.daemon.sys.Trace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * SIGKILL to a container's main process straight from pouchd, instead of containerd's Tasks/Kill, which has the
 * shim run {@code runc kill} (a process start per signal: 50-90 ms each with ten removals in parallel on a busy
 * host). runc's kill without {@code --all} is that same kill(2) of the init pid, and the shim, the process's
 * reaper, reports the exit as it does after runc's. The pid must still be the container's: the process found by
 * the pid (which {@link ProcessHandle} pins by its start time) must sit in the container's cgroup, read from
 * {@code /proc} while that process is still the one found; then the kill checks the start time again. Anything
 * else (the process gone, another one, no {@code /proc}) answers false and the caller asks containerd.
 */
final class DirectKill {
    private DirectKill() {
    }

    /** True when SIGKILL was sent to {@code pid}, the main process of container {@code id}. */
    static boolean kill(long pid, String id) {
        if (pid <= 1) {
            return false;
        }
        long t0 = Trace.start();
        Optional<ProcessHandle> found = ProcessHandle.of(pid);
        if (found.isEmpty()) {
            return false;
        }
        ProcessHandle p = found.get();
        if (!inContainerCgroup(pid, id) || !p.isAlive()) {
            return false;
        }
        boolean sent = p.destroyForcibly();
        Trace.end("container", sent ? "direct-kill" : "direct-kill-refused", id, t0);
        return sent;
    }

    /** Whether {@code /proc/<pid>/cgroup} names a cgroup ending in the container's id, as runc makes it. */
    static boolean inContainerCgroup(long pid, String id) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
                if (line.endsWith("/" + id)) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
