package io.pouch.daemon.container.io;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Named pipes. {@code mkfifo(3)} is called through the FFM API (Java has no way to make a FIFO, and shelling out
 * to {@code mkfifo} per container start costs a process).
 *
 * <p>Opening a FIFO blocks until the other side appears (O_RDONLY waits for a writer, O_WRONLY for a reader),
 * and in this JDK neither that open nor a FIFO read is "compensated" for virtual threads (FileChannelImpl only
 * calls Blocker.begin for O_DIRECT): a virtual thread blocked on a FIFO pins its carrier. Everything that blocks
 * on a FIFO therefore runs on a (small-stack) platform thread, see {@link #thread}.
 */
public final class Fifos {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle MKFIFO = LINKER.downcallHandle(
            LINKER.defaultLookup().find("mkfifo").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle MKNOD = LINKER.downcallHandle(
            LINKER.defaultLookup().find("mknod").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle CHMOD = LINKER.downcallHandle(
            LINKER.defaultLookup().find("chmod").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle UTIMENSAT = LINKER.downcallHandle(
            LINKER.defaultLookup().find("utimensat").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle LCHOWN = LINKER.downcallHandle(
            LINKER.defaultLookup().find("lchown").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle LSETXATTR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("lsetxattr").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final long UTIME_OMIT = (1L << 30) - 2;
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final int EEXIST = 17;
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    private Fifos() {
    }

    /**
     * Creates a FIFO at {@code path} with {@code mode} (e.g. 0600). A stale FIFO left at that path (a pouchd that
     * died before cleaning up) is replaced; any other existing file is an error.
     *
     * @throws IOException with the libc error text
     */
    public static void mkfifo(Path path, int mode) throws IOException {
        int errno = call(path, mode);
        if (errno == EEXIST && isFifo(path)) {
            Files.delete(path);
            errno = call(path, mode);
        }
        check("mkfifo", path, errno);
    }

    /**
     * The other special files an archive can hold: a character ({@code S_IFCHR}) or block ({@code S_IFBLK}) device
     * node at {@code path}, {@code mode} including the file type bits, {@code dev} as the kernel encodes it
     * ({@link #makedev}). Needs CAP_MKNOD.
     *
     * @throws IOException with the libc error text (EEXIST when something is there)
     */
    public static void mknod(Path path, int mode, long dev) throws IOException {
        check("mknod", path, errno("mknod", path, (capture, cpath, arena) ->
                (int) MKNOD.invokeExact(capture, cpath, mode, dev)));
    }

    /**
     * chmod(2) by path. For special files: the JDK sets permissions (and times) through a descriptor it opens first,
     * and opening a FIFO blocks until a writer comes (a device's open may have effects of its own).
     */
    public static void chmod(Path path, int mode) throws IOException {
        check("chmod", path, errno("chmod", path, (capture, cpath, arena) ->
                (int) CHMOD.invokeExact(capture, cpath, mode)));
    }

    /** Sets the modification time by path (utimensat(2), the access time left alone); see {@link #chmod}. */
    public static void setModifiedTime(Path path, long millis) throws IOException {
        check("utimensat", path, errno("utimensat", path, (capture, cpath, arena) -> {
            MemorySegment times = arena.allocate(JAVA_LONG, 4); // struct timespec[2]: atime, mtime
            times.setAtIndex(JAVA_LONG, 0, 0);
            times.setAtIndex(JAVA_LONG, 1, UTIME_OMIT);
            times.setAtIndex(JAVA_LONG, 2, Math.floorDiv(millis, 1000));
            times.setAtIndex(JAVA_LONG, 3, Math.floorMod(millis, 1000) * 1_000_000L);
            return (int) UTIMENSAT.invokeExact(capture, AT_FDCWD, cpath, times, AT_SYMLINK_NOFOLLOW);
        }));
    }

    /** Sets access and modification times (nanoseconds since the epoch) of the path itself, a symlink too. */
    public static void setTimes(Path path, long atimeNanos, long mtimeNanos) throws IOException {
        check("utimensat", path, errno("utimensat", path, (capture, cpath, arena) -> {
            MemorySegment times = arena.allocate(JAVA_LONG, 4); // struct timespec[2]: atime, mtime
            times.setAtIndex(JAVA_LONG, 0, Math.floorDiv(atimeNanos, 1_000_000_000L));
            times.setAtIndex(JAVA_LONG, 1, Math.floorMod(atimeNanos, 1_000_000_000L));
            times.setAtIndex(JAVA_LONG, 2, Math.floorDiv(mtimeNanos, 1_000_000_000L));
            times.setAtIndex(JAVA_LONG, 3, Math.floorMod(mtimeNanos, 1_000_000_000L));
            return (int) UTIMENSAT.invokeExact(capture, AT_FDCWD, cpath, times, AT_SYMLINK_NOFOLLOW);
        }));
    }

    /** lchown(2): owner and group of the path itself (a symlink is not followed). */
    public static void lchown(Path path, int uid, int gid) throws IOException {
        check("lchown", path, errno("lchown", path, (capture, cpath, arena) ->
                (int) LCHOWN.invokeExact(capture, cpath, uid, gid)));
    }

    /** lsetxattr(2); returns 0 or the errno (the caller decides which failures matter, e.g. ENOTSUP). */
    public static int lsetxattr(Path path, String name, byte[] value) {
        return errno("lsetxattr", path, (capture, cpath, arena) -> {
            MemorySegment v = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, JAVA_BYTE, 0, value.length);
            return (int) LSETXATTR.invokeExact(capture, cpath, arena.allocateFrom(name), v, (long) value.length, 0);
        });
    }

    /** Throws for a non-zero errno from one of the calls that return it. */
    public static void check(String op, Path path, int errno, String detail) throws IOException {
        if (errno != 0) {
            throw new IOException(op + " " + detail + " on " + path + ": " + strerror(errno));
        }
    }

    /** One libc call on a path: its return code, given the errno capture segment and the C path. */
    private interface PathCall {
        int call(MemorySegment capture, MemorySegment cpath, Arena arena) throws Throwable;
    }

    /** Runs {@code c}; 0, or the errno it failed with. */
    private static int errno(String op, Path path, PathCall c) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE);
            int rc = c.call(capture, arena.allocateFrom(path.toString()), arena);
            return rc == 0 ? 0 : (int) ERRNO.get(capture, 0L);
        } catch (Throwable t) {
            throw PouchException.internal(op + " " + path + " failed: " + t, t);
        }
    }

    private static void check(String op, Path path, int errno) throws IOException {
        if (errno != 0) {
            throw new IOException(op + " " + path + ": " + strerror(errno));
        }
    }

    /** glibc's {@code makedev}: a device number from its major and minor. */
    public static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    /** glibc's {@code major} of a device number. */
    public static long major(long dev) {
        return ((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL);
    }

    /** glibc's {@code minor} of a device number. */
    public static long minor(long dev) {
        return ((dev >>> 12) & 0xffffff00L) | (dev & 0xffL);
    }

    private static int call(Path path, int mode) {
        return errno("mkfifo", path, (capture, cpath, arena) -> (int) MKFIFO.invokeExact(capture, cpath, mode));
    }

    private static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** True when {@code path} exists and is a FIFO (not following a symlink). */
    public static boolean isFifo(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFIFO;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Opens {@code path} O_RDWR, which never blocks on Linux. Holding such a handle makes a pending open of either
     * side return at once: it is how {@code close()} wakes a copier whose peer never showed up, and how a reader
     * attaches to a FIFO whose writer may be gone already (live restore) without waiting forever.
     * Returns null when the FIFO no longer exists.
     */
    static FileChannel openKeeper(Path path) {
        try {
            return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing on a teardown path: nothing useful to do with the error
            }
        }
    }

    /** A platform thread for FIFO work (see class doc), daemon, with a small stack: it only copies bytes. */
    static Thread thread(String name, Runnable body) {
        return Thread.ofPlatform().daemon().name(name).stackSize(256 * 1024).start(body);
    }
}
