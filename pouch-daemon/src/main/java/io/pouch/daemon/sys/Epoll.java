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

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * An {@code epoll(7)} instance over raw descriptors (through the FFM API): the JDK's selectors only take its own
 * channels, and the FIFOs of the durable log path are raw descriptors (see {@link Syscalls}). Interest is one-shot
 * (EPOLLONESHOT): a ready descriptor is reported once, then {@link #rearm} asks for the next readiness, so a
 * descriptor is never handled by two threads at once. {@code struct epoll_event} is packed on x86_64 (12 bytes)
 * and naturally aligned elsewhere (16 bytes).
 */
public final class Epoll implements AutoCloseable {
    public static final int EPOLLIN = 1;
    private static final int EPOLLONESHOT = 1 << 30;
    private static final int CTL_ADD = 1;
    private static final int CTL_DEL = 2;
    private static final int CTL_MOD = 3;
    private static final int MAX_EVENTS = 64;
    private static final boolean PACKED = System.getProperty("os.arch").matches("amd64|x86_64");
    private static final long EVENT_SIZE = PACKED ? 12 : 16;
    private static final long DATA_OFFSET = PACKED ? 4 : 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");
    private static final MethodHandle CREATE = handle("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CTL = handle("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPT);
    private static final MethodHandle WAIT = handle("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO_OPT);

    private final int epfd;
    /** epoll_wait's output; used by the one thread that calls {@link #await}. */
    private final MemorySegment events = Arena.ofAuto().allocate(EVENT_SIZE * MAX_EVENTS, 8);

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... opts) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd, opts);
    }

    public Epoll() throws IOException {
        int fd;
        try {
            fd = (int) CREATE.invokeExact(Syscalls.O_CLOEXEC);
        } catch (Throwable t) {
            throw new IOException("epoll_create1: " + t, t);
        }
        if (fd < 0) {
            throw new IOException("epoll_create1 failed");
        }
        epfd = fd;
    }

    /** Watches {@code fd} for input (and hang-up, error) once; {@code key} comes back from {@link #await}. */
    public void add(int fd, long key) throws IOException {
        ctl(CTL_ADD, fd, key);
    }

    /** Watches {@code fd} again after it was reported. */
    public void rearm(int fd, long key) throws IOException {
        ctl(CTL_MOD, fd, key);
    }

    /** Stops watching {@code fd} (before closing it, so a report never names a reused descriptor). */
    public void remove(int fd) {
        try {
            ctl(CTL_DEL, fd, 0);
        } catch (IOException ignored) {
            // not registered any more (or already closed): nothing to undo
        }
    }

    private void ctl(int op, int fd, long key) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE);
            MemorySegment ev = arena.allocate(EVENT_SIZE, 8);
            ev.set(JAVA_INT_UNALIGNED, 0, EPOLLIN | EPOLLONESHOT);
            ev.set(JAVA_LONG_UNALIGNED, DATA_OFFSET, key);
            int rc = (int) CTL.invokeExact(capture, epfd, op, fd, ev);
            if (rc < 0) {
                throw new IOException("epoll_ctl(" + fd + "): " + Syscalls.strerror((int) ERRNO.get(capture, 0L)));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("epoll_ctl: " + t, t);
        }
    }

    /**
     * Waits for ready descriptors and hands their keys to {@code ready}. Called by one thread only.
     */
    public void await(java.util.function.LongConsumer ready) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE);
            int n;
            while (true) {
                n = (int) WAIT.invokeExact(capture, epfd, events, MAX_EVENTS, -1);
                if (n >= 0) {
                    break;
                }
                int errno = (int) ERRNO.get(capture, 0L);
                if (errno != Syscalls.EINTR) {
                    throw new IOException("epoll_wait: " + Syscalls.strerror(errno));
                }
            }
            for (int i = 0; i < n; i++) {
                ready.accept(events.get(JAVA_LONG_UNALIGNED, i * EVENT_SIZE + DATA_OFFSET));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("epoll_wait: " + t, t);
        }
    }

    @Override
    public void close() {
        Syscalls.close(epfd);
    }
}
