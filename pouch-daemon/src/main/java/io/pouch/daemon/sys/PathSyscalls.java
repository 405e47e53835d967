package io.pouch.daemon.sys;

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
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libc calls on paths that the JDK cannot make, or makes only through a descriptor it opens first (opening a FIFO
 * blocks, opening a device may have effects of its own, and a symlink must not be followed): device nodes, mode,
 * owner, times and extended attributes by path, for unpacking archives and image layers. Through the FFM API, each
 * call's errno captured with it.
 */
public final class PathSyscalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle MKNOD = errnoCall("mknod",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle CHMOD = errnoCall("chmod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle UTIMENSAT = errnoCall("utimensat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle LCHOWN = errnoCall("lchown",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle LSETXATTR = errnoCall("lsetxattr",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle FSTATAT = errnoCall("fstatat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    /** Larger than struct stat on every 64-bit Linux ABI (144 bytes on x86_64, 128 on arm64). */
    private static final long STAT_BUFFER = 256;
    private static final int ENOENT = 2;
    private static final int ENOTDIR = 20;
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final long UTIME_OMIT = (1L << 30) - 2;
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private PathSyscalls() {
    }

    /** A downcall to libc's {@code name} that captures errno (read with {@link #errno}). */
    private static MethodHandle errnoCall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor,
                Linker.Option.captureCallState("errno"));
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

    /**
     * Whether something is at {@code path} itself (a dangling symlink counts), answered without an exception. The
     * JDK answers a missing path of a no-follow lookup only by throwing NoSuchFileException, and filling in its
     * stack trace was most of the cost of unpacking a layer of small files into an empty directory. Errors other
     * than "not there" answer true, so that the caller's own lookup reports them.
     */
    public static boolean lexists(Path path) {
        int errno = errno("fstatat", path, (capture, cpath, arena) ->
                (int) FSTATAT.invokeExact(capture, AT_FDCWD, cpath, arena.allocate(STAT_BUFFER), AT_SYMLINK_NOFOLLOW));
        return errno != ENOENT && errno != ENOTDIR;
    }

    /** Throws for a non-zero errno from one of the calls that return it. */
    public static void check(String op, Path path, int errno, String detail) throws IOException {
        if (errno != 0) {
            throw new IOException(op + " " + detail + " on " + path + ": " + strerror(errno));
        }
    }

    /** One libc call on a path: its return code, given the errno capture segment and the C path. */
    public interface PathCall {
        int call(MemorySegment capture, MemorySegment cpath, Arena arena) throws Throwable;
    }

    /** Runs {@code c}; 0, or the errno it failed with. */
    public static int errno(String op, Path path, PathCall c) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE);
            int rc = c.call(capture, arena.allocateFrom(path.toString()), arena);
            return rc == 0 ? 0 : (int) ERRNO.get(capture, 0L);
        } catch (Throwable t) {
            throw PouchException.internal(op + " " + path + " failed: " + t, t);
        }
    }

    public static void check(String op, Path path, int errno) throws IOException {
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

    private static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
