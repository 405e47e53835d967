package io.pouch.daemon.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Starts a helper process that outlives pouchd: {@code posix_spawn(3)} through the FFM API, because
 * {@link ProcessBuilder} closes every descriptor above 2 in the child and keeps the child in pouchd's session. The
 * child gets /dev/null on 0-2, the given descriptors at 3, 4, ..., every other descriptor closed
 * ({@code addclosefrom_np}: pouchd's sockets and the write ends it holds must not leak into a long-lived process),
 * an empty signal mask, and a session of its own ({@code POSIX_SPAWN_SETSID}: pouchd's kill -9 or its process
 * group's signals do not reach it). Linux glibc 2.34+ (x86_64/aarch64).
 */
public final class DetachedSpawn {
    private static final int POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int POSIX_SPAWN_SETSID = 0x80;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int WNOHANG = 1;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SPAWN = handle("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle FA_INIT = handle("posix_spawn_file_actions_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DESTROY = handle("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DUP2 = handle("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_OPEN = handle("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_CLOSEFROM = handle("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_INIT = handle("posix_spawnattr_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = handle("posix_spawnattr_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_FLAGS = handle("posix_spawnattr_setflags",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SIGMASK = handle("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle FCNTL = LINKER.downcallHandle(LINKER.defaultLookup().find("fcntl")
                    .orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle KILL = handle("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle WAITPID = handle("waitpid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));

    private DetachedSpawn() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsupportedOperationException("libc has no " + name)), fd);
    }

    /**
     * Spawns {@code program} with {@code argv} (argv[0] included) and a minimal PATH, with {@code fds} at 3, 4, ...
     * (pouchd's descriptors stay open: the caller closes them).
     *
     * @return the child's pid (pouchd's child: reap it with {@link #reap} once it is killed)
     */
    public static long spawn(Path program, List<String> argv, int... fds) throws IOException {
        if (!Files.isExecutable(program)) {
            throw new IOException(program + " is missing or not executable");
        }
        int[] high = new int[fds.length];
        java.util.Arrays.fill(high, -1);
        try (Arena a = Arena.ofConfined()) {
            for (int i = 0; i < fds.length; i++) {
                high[i] = high(fds[i]);
            }
            MemorySegment fa = a.allocate(256, 16); // posix_spawn_file_actions_t is 80 bytes on glibc x86_64
            MemorySegment attr = a.allocate(1024, 16); // posix_spawnattr_t is 336
            MemorySegment mask = a.allocate(128, 16); // an empty sigset_t (all zero)
            check("file_actions_init", (int) FA_INIT.invokeExact(fa));
            check("attr_init", (int) ATTR_INIT.invokeExact(attr));
            try {
                MemorySegment devNull = a.allocateFrom("/dev/null");
                check("addopen", (int) FA_OPEN.invokeExact(fa, 0, devNull, Syscalls.O_RDONLY, 0));
                check("addopen", (int) FA_OPEN.invokeExact(fa, 1, devNull, Syscalls.O_WRONLY, 0));
                check("adddup2", (int) FA_DUP2.invokeExact(fa, 1, 2));
                for (int i = 0; i < high.length; i++) {
                    check("adddup2", (int) FA_DUP2.invokeExact(fa, high[i], 3 + i));
                }
                check("addclosefrom_np", (int) FA_CLOSEFROM.invokeExact(fa, 3 + high.length));
                check("setflags", (int) ATTR_FLAGS.invokeExact(attr,
                        (short) (POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK)));
                check("setsigmask", (int) ATTR_SIGMASK.invokeExact(attr, mask));
                MemorySegment args = strings(a, argv.toArray(String[]::new));
                MemorySegment envp = strings(a, "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
                MemorySegment pid = a.allocate(JAVA_INT);
                check("posix_spawn", (int) SPAWN.invokeExact(pid, a.allocateFrom(program.toString()), fa, attr,
                        args, envp));
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) FA_DESTROY.invokeExact(fa);
                ignored = (int) ATTR_DESTROY.invokeExact(attr);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("posix_spawn: " + t, t);
        } finally {
            for (int fd : high) {
                Syscalls.close(fd);
            }
        }
    }

    /** A close-on-exec copy of a descriptor at 10 or above, so that no dup2 of the file actions overwrites another. */
    private static int high(int fd) throws IOException {
        try {
            int moved = (int) FCNTL.invokeExact(fd, F_DUPFD_CLOEXEC, 10);
            if (moved < 0) {
                throw new IOException("fcntl F_DUPFD_CLOEXEC failed");
            }
            return moved;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("fcntl: " + t, t);
        }
    }

    private static MemorySegment strings(Arena a, String... s) {
        MemorySegment array = a.allocate(ADDRESS, s.length + 1);
        for (int i = 0; i < s.length; i++) {
            array.setAtIndex(ADDRESS, i, a.allocateFrom(s[i], StandardCharsets.UTF_8));
        }
        array.setAtIndex(ADDRESS, s.length, MemorySegment.NULL);
        return array;
    }

    private static void check(String what, int rc) throws IOException {
        if (rc != 0) {
            throw new IOException(what + ": " + Syscalls.strerror(rc)); // posix_spawn* return the errno
        }
    }

    public static void kill(long pid, int signal) {
        try {
            int ignored = (int) KILL.invokeExact((int) pid, signal);
        } catch (Throwable t) {
            // nothing to kill
        }
    }

    /** Reaps our own child, waiting for it (ECHILD, returned at once, for a process a previous pouchd spawned). */
    public static void reap(long pid) {
        try {
            int ignored = (int) WAITPID.invokeExact((int) pid, MemorySegment.NULL, 0);
        } catch (Throwable t) {
            // not ours
        }
    }

    /** Reaps our own child if it has exited; never waits. */
    public static void reapIfExited(long pid) {
        try {
            int ignored = (int) WAITPID.invokeExact((int) pid, MemorySegment.NULL, WNOHANG);
        } catch (Throwable t) {
            // not ours
        }
    }
}
