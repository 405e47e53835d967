package io.pouch.daemon.containerd;

import com.google.protobuf.Empty;
import containerd.services.containers.v1.ContainersGrpc;
import containerd.services.content.v1.ContentGrpc;
import containerd.services.diff.v1.DiffGrpc;
import containerd.services.events.v1.EventsGrpc;
import containerd.services.images.v1.ImagesGrpc;
import containerd.services.introspection.v1.IntrospectionGrpc;
import containerd.services.leases.v1.LeasesGrpc;
import containerd.services.snapshots.v1.SnapshotsGrpc;
import containerd.services.tasks.v1.TasksGrpc;
import containerd.services.version.v1.VersionGrpc;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;

import java.util.concurrent.TimeUnit;

/**
 * The gRPC connection to containerd. Every call carries the {@code containerd-namespace} header, so all of
 * pouchd's objects live in its own namespace ("pouch") and never mix with another user of the same containerd.
 */
public final class Containerd implements AutoCloseable {
    public static final Metadata.Key<String> NAMESPACE_HEADER =
            Metadata.Key.of("containerd-namespace", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> LEASE_HEADER =
            Metadata.Key.of("containerd-lease", Metadata.ASCII_STRING_MARSHALLER);

    private final String address;
    private final String namespace;
    private final EpollEventLoopGroup group;
    private final ManagedChannel channel;
    private final ClientInterceptor namespaceInterceptor;

    public Containerd(String socketPath, String namespace) {
        this.address = socketPath;
        this.namespace = namespace;
        this.group = new EpollEventLoopGroup(2);
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(new DomainSocketAddress(socketPath))
                .eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class)
                .usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024);
        if (CallTimer.ENABLED) {
            b.intercept(new CallTimer());
        }
        this.channel = b.build();
        Metadata md = new Metadata();
        md.put(NAMESPACE_HEADER, namespace);
        this.namespaceInterceptor = MetadataUtils.newAttachHeadersInterceptor(md);
    }

    public String address() {
        return address;
    }

    public String namespace() {
        return namespace;
    }

    private <S extends AbstractStub<S>> S ns(S stub) {
        return stub.withInterceptors(namespaceInterceptor);
    }

    /** A stub whose calls also carry a lease, protecting what they create from containerd's GC until released. */
    public static <S extends AbstractStub<S>> S withLease(S stub, String leaseId) {
        Metadata md = new Metadata();
        md.put(LEASE_HEADER, leaseId);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }

    public ContainersGrpc.ContainersBlockingStub containers() {
        return ns(ContainersGrpc.newBlockingStub(channel));
    }

    public TasksGrpc.TasksBlockingStub tasks() {
        return ns(TasksGrpc.newBlockingStub(channel));
    }

    public TasksGrpc.TasksStub tasksAsync() {
        return ns(TasksGrpc.newStub(channel));
    }

    public ImagesGrpc.ImagesBlockingStub images() {
        return ns(ImagesGrpc.newBlockingStub(channel));
    }

    public ContentGrpc.ContentBlockingStub content() {
        return ns(ContentGrpc.newBlockingStub(channel));
    }

    public ContentGrpc.ContentStub contentAsync() {
        return ns(ContentGrpc.newStub(channel));
    }

    public SnapshotsGrpc.SnapshotsBlockingStub snapshots() {
        return ns(SnapshotsGrpc.newBlockingStub(channel));
    }

    public DiffGrpc.DiffBlockingStub diff() {
        return ns(DiffGrpc.newBlockingStub(channel));
    }

    public LeasesGrpc.LeasesBlockingStub leases() {
        return ns(LeasesGrpc.newBlockingStub(channel));
    }

    public EventsGrpc.EventsStub eventsAsync() {
        return ns(EventsGrpc.newStub(channel));
    }

    public IntrospectionGrpc.IntrospectionBlockingStub introspection() {
        return ns(IntrospectionGrpc.newBlockingStub(channel));
    }

    public VersionGrpc.VersionBlockingStub version() {
        return VersionGrpc.newBlockingStub(channel);
    }

    /**
     * Reconnects now rather than after gRPC's back-off (up to minutes): call when containerd is known to
     * be back, so the next calls do not fail fast with "io exception".
     */
    public void resetConnectBackoff() {
        channel.resetConnectBackoff();
    }

    /** containerd's version and git revision, as its Version service reports them. */
    public record ServerVersion(String version, String revision) {
    }

    /** Asks containerd for its version, waiting two seconds at most; throws when it does not answer. */
    public ServerVersion serverVersion() {
        var v = Calls.call(() -> version().withDeadlineAfter(2, TimeUnit.SECONDS).version(Empty.getDefaultInstance()));
        return new ServerVersion(v.getVersion(), v.getRevision());
    }

    /** True when containerd answers a Version call within the timeout. */
    public boolean ping(long timeoutMillis) {
        try {
            channel.resetConnectBackoff(); // a ping after a containerd restart must not see an old failure
            version().withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS).version(Empty.getDefaultInstance());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
