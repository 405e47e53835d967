package io.pouch.daemon.lxcfs;

import io.pouch.api.PouchException;
import io.pouch.daemon.sys.Syscalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.logging.Logger;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Notices an lxcfs restart and remounts the containers: the kernel wakes a {@code poll} on
 * {@code /proc/self/mountinfo} with POLLPRI whenever the mount table changes (an lxcfs restart is an unmount and a
 * mount), and a new live LXCFS mount ID at the home dir means the containers' binds point at the previous, dead one.
 * The first live mount seen after pouchd starts counts as new too, as lxcfs may have restarted while pouchd was down.
 * The poll also times out every few seconds, and then, or when the ID is the same, only the containers whose files
 * answer "Transport endpoint is not connected" are remounted.
 */
public final class LxcfsWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LxcfsWatcher.class.getName());
    private static final short POLLPRI = 2;
    private static final short POLLERR = 8;
    private static final int TIMEOUT_MS = 5000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle POLL = LINKER.downcallHandle(LINKER.defaultLookup().find("poll").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private final LxcfsRemounter remounter;
    private volatile boolean closed;
    private long boundTo = -1;

    private LxcfsWatcher(LxcfsRemounter remounter) {
        this.remounter = remounter;
    }

    /** Starts watching on a daemon thread of its own (nothing to do when the daemon has LXCFS off). */
    public static LxcfsWatcher start(LxcfsRemounter remounter) {
        LxcfsWatcher w = new LxcfsWatcher(remounter);
        if (remounter.lxcfs().config().enabled()) {
            Thread.ofPlatform().name("lxcfs-watcher").daemon().start(w::run);
        }
        return w;
    }

    private void run() {
        int fd;
        try {
            fd = Syscalls.open(Path.of("/proc/self/mountinfo"), Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
        } catch (IOException e) {
            LOG.warning("cannot watch the mount table, lxcfs restarts will need pouch remount-lxcfs: "
                    + e.getMessage());
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8, 4);
            while (!closed) {
                check();
                pollfd.set(JAVA_INT, 0, fd);
                pollfd.set(JAVA_SHORT, 4, (short) (POLLPRI | POLLERR));
                pollfd.set(JAVA_SHORT, 6, (short) 0);
                int ignored = (int) POLL.invokeExact(pollfd, 1L, TIMEOUT_MS);
            }
        } catch (Throwable t) {
            LOG.warning("lxcfs watcher stopped: " + t);
        } finally {
            Syscalls.close(fd);
        }
    }

    /**
     * Remounts every container once per new live mount ID, and else the containers whose files went stale (the
     * kernel may give the new mount the old one's ID); a dead or missing mount waits for the next one.
     */
    void check() {
        OptionalLong id = remounter.lxcfs().liveMountId();
        if (id.isEmpty()) {
            return;
        }
        try {
            var results = id.getAsLong() == boundTo ? remounter.remountStale() : remounter.remountAll();
            boundTo = id.getAsLong();
            if (!results.isEmpty()) {
                LOG.info("lxcfs mount " + id.getAsLong() + " at " + remounter.lxcfs().config().home()
                        + ": remounted in " + results);
            }
        } catch (PouchException e) {
            LOG.warning("lxcfs remount: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
