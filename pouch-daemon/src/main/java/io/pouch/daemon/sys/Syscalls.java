package io.pouch.daemon.sys;

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
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The few libc calls the durable log path needs and the JDK does not offer (through the FFM API):
 * {@code splice(2)} to move a FIFO's bytes into a file inside the kernel, {@code poll(2)} to wait on a FIFO and a
 * wake-up {@code eventfd}, {@code fallocate(2)} to punch consumed spool bytes away, and {@code open}/{@code close}
 * to hold the raw descriptors those calls take. Linux x86_64/aarch64 constants (identical on both for these).
 *
 * <p>Hot calls ({@link Scratch#poll}, {@link Scratch#splice}) run on a per-thread {@link Scratch} object that holds
 * its scratch memory, so the copy loop allocates nothing per chunk.
 */
public final class Syscalls {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_TRUNC = 01000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;
    public static final int SPLICE_F_NONBLOCK = 2;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EOPNOTSUPP = 95;
    private static final short POLLIN = 1;
    private static final int POLL_ANY = 1 | 8 | 16 | 32; // IN, ERR, HUP, NVAL: anything that needs a look
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int FALLOC_FL_PUNCH_HOLE = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");
    private static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            ERRNO_OPT, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SPLICE = handle("splice",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle POLL = handle("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
            ERRNO_OPT);
    private static final MethodHandle EVENTFD = handle("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT),
            ERRNO_OPT);
    private static final MethodHandle WRITE = handle("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
            ERRNO_OPT);
    private static final MethodHandle FALLOCATE = handle("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle STRERROR = handle("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Syscalls() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... opts) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd, opts);
    }

    /** open(2). Blocks for a FIFO opened without O_NONBLOCK until its peer appears (call it on a platform thread). */
    public static int open(Path path, int flags, int mode) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(capture, arena.allocateFrom(path.toString()), flags, mode);
            if (fd < 0) {
                throw new IOException("open " + path + ": " + strerror((int) ERRNO.get(capture, 0L)));
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("open " + path + ": " + t, t);
        }
    }

    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // closing on a teardown path: nothing useful to do with the error
        }
    }

    /** A non-blocking, close-on-exec eventfd: the wake-up a copier polls next to its FIFO. */
    public static int eventfd() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE);
            int fd = (int) EVENTFD.invokeExact(capture, 0, O_CLOEXEC | O_NONBLOCK);
            if (fd < 0) {
                throw new IOException("eventfd: " + strerror((int) ERRNO.get(capture, 0L)));
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("eventfd: " + t, t);
        }
    }

    /** Makes an eventfd readable (wakes its pollers). */
    public static void signal(int eventFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE);
            MemorySegment one = arena.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            long ignored = (long) WRITE.invokeExact(capture, eventFd, one, 8L);
        } catch (Throwable t) {
            // a wake-up that cannot be sent: the copier still stops at the FIFO's EOF
        }
    }

    /**
     * Frees the blocks of {@code [offset, offset+len)} of a file, keeping its size (fallocate PUNCH_HOLE).
     *
     * @return false when the file system cannot punch holes (EOPNOTSUPP)
     */
    public static boolean punchHole(int fd, long offset, long len) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE);
            int rc = (int) FALLOCATE.invokeExact(capture, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, len);
            if (rc == 0) {
                return true;
            }
            int errno = (int) ERRNO.get(capture, 0L);
            if (errno == EOPNOTSUPP) {
                return false;
            }
            throw new IOException("fallocate: " + strerror(errno));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("fallocate: " + t, t);
        }
    }

    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** Scratch memory for the calls one copier thread makes in its loop. Confined to that thread. */
    public static final class Scratch implements AutoCloseable {
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment capture = arena.allocate(CAPTURE);
        private final MemorySegment pollFds = arena.allocate(MemoryLayout.sequenceLayout(2,
                MemoryLayout.structLayout(JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"),
                        JAVA_SHORT.withName("revents"))));
        private final MemorySegment offset = arena.allocate(JAVA_LONG);

        /**
         * Waits until {@code fd} has something to look at (data, EOF, error) or {@code wakeFd} was signalled.
         *
         * @return bit 1: fd is ready; bit 2: woken
         */
        public int poll(int fd, int wakeFd) throws IOException {
            pollFds.set(JAVA_INT, 0, fd);
            pollFds.set(JAVA_SHORT, 4, POLLIN);
            pollFds.set(JAVA_SHORT, 6, (short) 0);
            pollFds.set(JAVA_INT, 8, wakeFd);
            pollFds.set(JAVA_SHORT, 12, POLLIN);
            pollFds.set(JAVA_SHORT, 14, (short) 0);
            while (true) {
                int rc;
                try {
                    rc = (int) POLL.invokeExact(capture, pollFds, 2L, -1);
                } catch (Throwable t) {
                    throw new IOException("poll: " + t, t);
                }
                if (rc < 0) {
                    int errno = (int) ERRNO.get(capture, 0L);
                    if (errno == EINTR) {
                        continue;
                    }
                    throw new IOException("poll: " + strerror(errno));
                }
                int r = 0;
                if ((pollFds.get(JAVA_SHORT, 6) & POLL_ANY) != 0) {
                    r |= 1;
                }
                if ((pollFds.get(JAVA_SHORT, 14) & POLL_ANY) != 0) {
                    r |= 2;
                }
                return r;
            }
        }

        /**
         * Moves up to {@code len} bytes from the pipe {@code fdIn} to the file {@code fdOut} at {@code position},
         * without blocking. The kernel removes from the pipe exactly the bytes it wrote to the file, in one call:
         * a process killed at any point has either moved a byte or left it in the pipe.
         *
         * @return bytes moved; 0 at EOF (no writer left and the pipe empty); -1 when the pipe is empty for now
         */
        public long splice(int fdIn, int fdOut, long position, long len) throws IOException {
            offset.set(JAVA_LONG, 0, position);
            while (true) {
                long n;
                try {
                    n = (long) SPLICE.invokeExact(capture, fdIn, MemorySegment.NULL, fdOut, offset, len,
                            SPLICE_F_NONBLOCK);
                } catch (Throwable t) {
                    throw new IOException("splice: " + t, t);
                }
                if (n >= 0) {
                    return n;
                }
                int errno = (int) ERRNO.get(capture, 0L);
                if (errno == EAGAIN) {
                    return -1;
                }
                if (errno != EINTR) {
                    throw new IOException("splice: " + strerror(errno));
                }
            }
        }

        @Override
        public void close() {
            arena.close();
        }
    }
}
