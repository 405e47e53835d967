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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A connected unix SOCK_SEQPACKET socket that sends messages with descriptors attached (SCM_RIGHTS) and receives
 * replies, through the FFM API: the JDK's unix-domain channels are stream sockets and cannot pass descriptors.
 * Blocking, with 5 s send and receive timeouts so that a wedged peer never hangs the caller. Not thread-safe: the
 * caller serializes requests. Linux x86_64/aarch64 layouts (msghdr, cmsghdr, sockaddr_un are the same on both).
 */
public final class SeqPacketSocket implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_SNDTIMEO = 21;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int MSG_TRUNC = 0x20;
    private static final int MSG_CTRUNC = 0x08;
    private static final int SUN_PATH = 108;
    private static final int MAX_MESSAGE = 65536;
    private static final int MAX_FDS = 8;
    private static final long CMSG_HEADER = 16; // cmsg_len (size_t), cmsg_level, cmsg_type

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");
    private static final MethodHandle SOCKET = handle("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CONNECT = handle("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = handle("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDMSG = handle("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = handle("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    private final int fd;
    private final Path path;
    private boolean closed;

    private SeqPacketSocket(int fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd, ERRNO_OPT);
    }

    /** A message received: its text and the descriptors that came with it (the caller's to close). */
    public record Message(String text, int[] fds) {
    }

    /** Connects to the socket at {@code path}. */
    public static SeqPacketSocket connect(Path path) throws IOException {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH) {
            throw new IOException("socket path too long (" + name.length + " bytes): " + path);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = a.allocate(CAPTURE);
            int s = (int) SOCKET.invokeExact(capture, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
            if (s < 0) {
                throw new IOException("socket: " + Syscalls.strerror(errno(capture)));
            }
            SeqPacketSocket sock = new SeqPacketSocket(s, path);
            try {
                MemorySegment tv = a.allocate(16, 8); // struct timeval {5 s, 0 us}
                tv.set(JAVA_LONG, 0, 5);
                for (int opt : new int[]{SO_RCVTIMEO, SO_SNDTIMEO}) {
                    if ((int) SETSOCKOPT.invokeExact(capture, s, SOL_SOCKET, opt, tv, 16) < 0) {
                        throw new IOException("setsockopt: " + Syscalls.strerror(errno(capture)));
                    }
                }
                MemorySegment addr = a.allocate(2 + SUN_PATH, 2);
                addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
                MemorySegment.copy(name, 0, addr, JAVA_BYTE, 2, name.length);
                if ((int) CONNECT.invokeExact(capture, s, addr, 2 + SUN_PATH) < 0) {
                    throw new IOException("connect " + path + ": " + Syscalls.strerror(errno(capture)));
                }
                return sock;
            } catch (Throwable t) {
                sock.close();
                throw t;
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("connect " + path + ": " + t, t);
        }
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** Sends {@code text} as one message with {@code fds} attached (the caller still owns them). */
    public void send(String text, int... fds) throws IOException {
        if (fds.length > MAX_FDS) {
            throw new IllegalArgumentException("at most " + MAX_FDS + " descriptors");
        }
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = a.allocate(CAPTURE);
            MemorySegment data = a.allocate(Math.max(1, b.length));
            MemorySegment.copy(b, 0, data, JAVA_BYTE, 0, b.length);
            MemorySegment iov = iov(a, data, b.length);
            MemorySegment control = MemorySegment.NULL;
            long controlLen = 0;
            if (fds.length > 0) {
                controlLen = CMSG_HEADER + align8(4L * fds.length);
                control = a.allocate(controlLen, 8);
                control.set(JAVA_LONG, 0, CMSG_HEADER + 4L * fds.length);
                control.set(JAVA_INT, 8, SOL_SOCKET);
                control.set(JAVA_INT, 12, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    control.set(JAVA_INT, CMSG_HEADER + 4L * i, fds[i]);
                }
            }
            MemorySegment msg = msghdr(a, iov, control, controlLen);
            long n = (long) SENDMSG.invokeExact(capture, fd, msg, MSG_NOSIGNAL);
            if (n < 0) {
                throw new IOException("send to " + path + ": " + Syscalls.strerror(errno(capture)));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("send to " + path + ": " + t, t);
        }
    }

    /** Receives one message; an EOF (the peer closed) is an IOException. */
    public Message receive() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = a.allocate(CAPTURE);
            MemorySegment data = a.allocate(MAX_MESSAGE);
            MemorySegment iov = iov(a, data, MAX_MESSAGE);
            long controlLen = CMSG_HEADER + 4L * MAX_FDS;
            MemorySegment control = a.allocate(controlLen, 8);
            MemorySegment msg = msghdr(a, iov, control, controlLen);
            long n = (long) RECVMSG.invokeExact(capture, fd, msg, MSG_CMSG_CLOEXEC);
            if (n < 0) {
                throw new IOException("receive from " + path + ": " + Syscalls.strerror(errno(capture)));
            }
            int[] fds = fdsOf(msg, control);
            if (n == 0) {
                closeAll(fds);
                throw new IOException(path + " closed the connection");
            }
            if ((msg.get(JAVA_INT, 48) & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
                closeAll(fds);
                throw new IOException("message from " + path + " truncated");
            }
            byte[] b = data.asSlice(0, n).toArray(JAVA_BYTE);
            return new Message(new String(b, StandardCharsets.UTF_8), fds);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("receive from " + path + ": " + t, t);
        }
    }

    private static int[] fdsOf(MemorySegment msg, MemorySegment control) {
        long len = msg.get(JAVA_LONG, 40); // msg_controllen as the kernel set it
        if (len < CMSG_HEADER) {
            return new int[0];
        }
        long cmsgLen = control.get(JAVA_LONG, 0);
        if (control.get(JAVA_INT, 8) != SOL_SOCKET || control.get(JAVA_INT, 12) != SCM_RIGHTS) {
            return new int[0];
        }
        int n = (int) ((cmsgLen - CMSG_HEADER) / 4);
        int[] fds = new int[n];
        for (int i = 0; i < n; i++) {
            fds[i] = control.get(JAVA_INT, CMSG_HEADER + 4L * i);
        }
        return fds;
    }

    private static void closeAll(int[] fds) {
        for (int f : fds) {
            Syscalls.close(f);
        }
    }

    private static MemorySegment iov(Arena a, MemorySegment data, long len) {
        MemorySegment iov = a.allocate(16, 8); // struct iovec {base, len}
        iov.set(ADDRESS, 0, data);
        iov.set(JAVA_LONG, 8, len);
        return iov;
    }

    /** struct msghdr: name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48; 56 bytes. */
    private static MemorySegment msghdr(Arena a, MemorySegment iov, MemorySegment control, long controlLen) {
        MemorySegment m = a.allocate(56, 8);
        m.set(ADDRESS, 16, iov);
        m.set(JAVA_LONG, 24, 1);
        m.set(ADDRESS, 32, control);
        m.set(JAVA_LONG, 40, controlLen);
        return m;
    }

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Syscalls.close(fd);
        }
    }
}
