package io.pouch.daemon.lxcfs;

import io.pouch.daemon.sys.Syscalls;

import java.io.IOException;
import java.nio.file.Path;

/** Whether a container's LXCFS files are binds of a dead lxcfs, seen from the host through /proc/PID/root. */
final class StaleBinds {
    private static final int ENOTCONN = 107;
    private static final String NOT_CONNECTED = Syscalls.strerror(ENOTCONN);

    private StaleBinds() {
    }

    /** The container's /proc/meminfo answers "Transport endpoint is not connected". */
    static boolean isStale(long pid) {
        Path meminfo = Path.of("/proc", Long.toString(pid), "root/proc/meminfo");
        try {
            Syscalls.close(Syscalls.open(meminfo, Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0));
            return false;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().endsWith(NOT_CONNECTED);
        }
    }
}
