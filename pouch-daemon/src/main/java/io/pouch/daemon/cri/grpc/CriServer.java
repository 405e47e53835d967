package io.pouch.daemon.cri.grpc;

import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.pouch.daemon.sys.Trace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server kubelet dials: the CRI services on a unix socket. Calls run on virtual threads because most of
 * them wait on containerd or a registry; the ones answered from memory run on the event loop that read them.
 */
public final class CriServer implements AutoCloseable {
    /**
     * Calls that read only memory (records and the engine's in-memory state), never block, never wait on I/O. Not
     * Status: it lists the CNI config directory and looks for the plugins' binaries.
     */
    private static final Set<String> FROM_MEMORY = Set.of("Version", "RuntimeConfig", "PodSandboxStatus",
            "ContainerStatus", "ListPodSandbox", "ListContainers");

    private final Path socket;
    private final EpollEventLoopGroup boss = new EpollEventLoopGroup(1);
    private final EpollEventLoopGroup workers = new EpollEventLoopGroup(2);
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private final Server server;

    public CriServer(Path socket, List<BindableService> services) {
        this.socket = socket;
        NettyServerBuilder b = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                // the call's method is looked up on the default executor before the call executor is asked: a
                // direct one does that where the request was read, not after a hand-off to another thread
                .directExecutor()
                .callExecutor(new ServerCallExecutorSupplier() {
                    @Override
                    public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
                        // answered from memory: stay on the event loop that read the request (null), saving the
                        // thread hand-offs on the calls kubelet makes most (every second per pod); the rest wait
                        // on containerd or a registry, on virtual threads
                        return FROM_MEMORY.contains(call.getMethodDescriptor().getBareMethodName()) ? null : calls;
                    }
                })
                .maxInboundMessageSize(16 * 1024 * 1024); // kubelet's own limit for CRI messages
        services.forEach(s -> b.addService(Trace.ENABLED
                ? ServerInterceptors.intercept(s, new TracedCalls()) : s.bindService()));
        this.server = b.build();
    }

    public void start() throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        Files.deleteIfExists(socket); // a socket left by a pouchd that did not stop cleanly
        server.start();
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        calls.shutdownNow();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // best effort: the next start removes it
        }
    }
}
