package io.pouch.daemon.cri.streaming;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Kubernetes CRI streaming server: the URLs that the CRI Exec, Attach and PortForward calls return, and the
 * sessions clients (kubelet, kubectl, crictl) open on them, over SPDY/3.1 or WebSocket, as kubelet's own streaming
 * server serves them. Each URL carries a single-use token that expires after a minute.
 */
public final class StreamingServer implements AutoCloseable {
    /** containerd's default stream_idle_timeout: a session with no traffic either way for this long is closed. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(4);

    private final InetSocketAddress bind;
    private final StreamRuntime runtime;
    private final Duration idleTimeout;
    private final RequestCache cache = new RequestCache();
    private EventLoopGroup group;
    private Channel listener;

    public StreamingServer(InetSocketAddress bind, StreamRuntime runtime) {
        this(bind, runtime, DEFAULT_IDLE_TIMEOUT);
    }

    public StreamingServer(InetSocketAddress bind, StreamRuntime runtime, Duration idleTimeout) {
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("stream idle timeout must be positive: " + idleTimeout);
        }
        this.bind = bind;
        this.runtime = runtime;
        this.idleTimeout = idleTimeout;
    }

    /** Starts listening (port 0 picks a free port; see {@link #address()}). */
    public synchronized void start() throws InterruptedException {
        if (listener != null) {
            throw new IllegalStateException("streaming server already started on " + address());
        }
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            listener = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            // first in the pipeline, so it outlives the upgrade and sees every byte either way
                            ch.pipeline().addLast(new IdleStateHandler(0, 0, idleTimeout.toMillis(),
                                    TimeUnit.MILLISECONDS), new IdleCloser());
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                    new StreamingEntry(cache, runtime));
                        }
                    })
                    .bind(bind).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully();
            group = null;
            throw e;
        }
    }

    /** The address the server listens on (the actual port once started). */
    public synchronized InetSocketAddress address() {
        return listener != null ? (InetSocketAddress) listener.localAddress() : bind;
    }

    /** A URL for one exec session; same checks as kubelet's GetExec. */
    public String execUrl(String containerId, List<String> cmd, boolean tty, boolean stdin, boolean stdout,
                          boolean stderr) {
        requireId(containerId, "container_id");
        if (cmd == null || cmd.isEmpty()) {
            throw new IllegalArgumentException("missing required cmd: exec needs a command to run");
        }
        checkStreams(tty, stdin, stdout, stderr);
        return url("exec", new StreamRequest.Exec(containerId, List.copyOf(cmd),
                new StreamRequest.StreamOptions(stdin, stdout, stderr, tty)));
    }

    /** A URL for one attach session; same checks as kubelet's GetAttach. */
    public String attachUrl(String containerId, boolean tty, boolean stdin, boolean stdout, boolean stderr) {
        requireId(containerId, "container_id");
        checkStreams(tty, stdin, stdout, stderr);
        return url("attach", new StreamRequest.Attach(containerId,
                new StreamRequest.StreamOptions(stdin, stdout, stderr, tty)));
    }

    /**
     * A URL for one port-forward session. Over WebSocket the session forwards exactly {@code ports}; over SPDY the
     * client names a port per connection and, when {@code ports} is not empty, only those are allowed.
     */
    public String portForwardUrl(String podSandboxId, List<Integer> ports) {
        requireId(podSandboxId, "pod_sandbox_id");
        for (Integer p : ports) {
            if (p == null || p < 1 || p > 65535) {
                throw new IllegalArgumentException("invalid port " + p + ": ports are 1 to 65535");
            }
        }
        return url("portforward", new StreamRequest.PortForward(podSandboxId, List.copyOf(ports)));
    }

    private static void requireId(String id, String field) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("missing required " + field);
        }
    }

    private static void checkStreams(boolean tty, boolean stdin, boolean stdout, boolean stderr) {
        if (tty && stderr) {
            throw new IllegalArgumentException("tty and stderr cannot both be true: a terminal has one output stream");
        }
        if (!stdin && !stdout && !stderr) {
            throw new IllegalArgumentException("one of stdin, stdout, or stderr must be set");
        }
    }

    private String url(String kind, StreamRequest request) {
        String token = cache.insert(request);
        InetSocketAddress a = address();
        // a wildcard bind is reachable on the loopback address; the URL needs one concrete host
        InetAddress host = a.getAddress() == null || a.getAddress().isAnyLocalAddress()
                ? InetAddress.getLoopbackAddress() : a.getAddress();
        String h = host instanceof Inet6Address ? "[" + host.getHostAddress() + "]" : host.getHostAddress();
        return "http://" + h + ":" + a.getPort() + "/" + kind + "/" + token;
    }

    /** Stops listening and ends every open session. */
    @Override
    public synchronized void close() {
        if (listener != null) {
            listener.close().awaitUninterruptibly();
            listener = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            group = null;
        }
    }

    /** Closes a connection that has been idle for the idle timeout. */
    private static final class IdleCloser extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }
    }
}
