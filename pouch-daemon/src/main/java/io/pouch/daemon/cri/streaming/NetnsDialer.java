package io.pouch.daemon.cri.streaming;

import io.pouch.daemon.sys.Syscalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Connects a TCP socket inside another network namespace (a pod's), without a helper process: a socket belongs to
 * the namespace it was created in, so a dedicated platform thread enters the namespace with {@code setns(2)},
 * creates and connects the socket, and goes back. The thread is its own (never a pooled or virtual thread's
 * carrier), so no other work ever runs in the wrong namespace, even if returning fails.
 */
public final class NetnsDialer {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.captureCallState("errno"));

    private NetnsDialer() {
    }

    /**
     * A blocking SocketChannel connected to {@code target} from inside the network namespace at {@code netnsPath}
     * (e.g. {@code /proc/<pid>/ns/net} or {@code /var/run/netns/<name>}).
     */
    public static SocketChannel connect(Path netnsPath, InetSocketAddress target) throws IOException {
        CompletableFuture<SocketChannel> result = new CompletableFuture<>();
        Thread.ofPlatform().name("netns-dial").daemon().start(() -> {
            try {
                result.complete(dialInside(netnsPath, target));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while dialing " + target + " in " + netnsPath, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("dial " + target + " in " + netnsPath + ": " + e.getCause(), e.getCause());
        }
    }

    private static SocketChannel dialInside(Path netnsPath, InetSocketAddress target) throws IOException {
        // thread-self, not self: the namespace of this thread, which is what setns changes
        int original = Syscalls.open(Path.of("/proc/thread-self/ns/net"), Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
        try {
            int inside = Syscalls.open(netnsPath, Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
            try {
                setns(inside, "enter network namespace " + netnsPath);
            } finally {
                Syscalls.close(inside);
            }
            SocketChannel ch;
            try {
                ch = SocketChannel.open();
                try {
                    ch.connect(target);
                } catch (IOException e) {
                    ch.close();
                    throw new IOException("connect to " + target + " in network namespace " + netnsPath + ": "
                            + e.getMessage(), e);
                }
            } finally {
                setns(original, "return to the daemon's network namespace");
            }
            return ch;
        } finally {
            Syscalls.close(original);
        }
    }

    private static void setns(int fd, String what) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE);
            int rc = (int) SETNS.invokeExact(capture, fd, CLONE_NEWNET);
            if (rc != 0) {
                throw new IOException(what + ": setns: " + Syscalls.strerror((int) ERRNO.get(capture, 0L)));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(what + ": " + t, t);
        }
    }
}
