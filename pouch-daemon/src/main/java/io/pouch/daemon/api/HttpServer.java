package io.pouch.daemon.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslContext;
import io.pouch.api.PouchException;
import io.pouch.daemon.config.TlsConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The Engine API's HTTP/1.1 server: Netty on epoll, one unix socket per {@code unix://} listen address and, with
 * TLS and client certificates only, a TCP socket per {@code tcp://} address. Netty parses and writes HTTP; every
 * handler runs on its own virtual thread so blocking manager calls never stall the event loop. See
 * {@link ApiPipeline} for the handlers of a connection (pipelining, streamed bodies, hijack).
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HttpServer.class.getName());
    static final String TCP_NEEDS_TLS = "TCP listening requires TLS with client certificates: give --tlsverify,"
            + " --tlscacert, --tlscert and --tlskey (or listen on a unix socket)";

    /** Event loops made ahead of a server's start by {@link #prepareEventLoops()}; taken by the first start. */
    private static volatile CompletableFuture<EventLoopGroup> prepared;

    private final List<ListenAddress> addresses;
    private final Router router;
    private final ResponseHeaders headers;
    private final TlsConfig tls;
    private final ExecutorService handlers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("api-", 0).factory());
    private final BodyBudget bodyBudget = BodyBudget.forHeap();
    private EventLoopGroup group;
    private final List<Channel> servers = new ArrayList<>();

    public HttpServer(List<String> listen, Router router) {
        this(listen, router, defaultVersion());
    }

    /** @param version the engine version for the {@code Server: Pouch/<version> (linux)} header */
    public HttpServer(List<String> listen, Router router, String version) {
        this(listen, router, version, TlsConfig.none());
    }

    /** @param tls what tcp:// addresses are served with; TCP without complete TLS settings is refused at start */
    public HttpServer(List<String> listen, Router router, String version, TlsConfig tls) {
        this.tls = tls;
        if (listen.isEmpty()) {
            throw PouchException.invalidArgument("no listen address given");
        }
        this.addresses = listen.stream().map(ListenAddress::parse).toList();
        this.router = router;
        this.headers = ResponseHeaders.forVersion(version);
    }

    /**
     * Checks the listen addresses and, when one is tcp://, the TLS settings, before anything else starts (a daemon
     * must not start containerd only to find it cannot serve).
     */
    public static void check(List<String> listen, TlsConfig tls) {
        if (listen.stream().map(ListenAddress::parse).anyMatch(a -> a.scheme().equals("tcp"))) {
            TlsContexts.server(tls);
        }
    }

    /**
     * Starts making the event loops of the next server to start on a thread of its own. Netty's first start costs a
     * few hundred milliseconds before anything listens (its platform probes, the epoll library's extraction and
     * loading, the cleaner's native linking), which this overlaps with whatever the caller does meanwhile (pouchd:
     * parsing its flags and configuration).
     */
    public static void prepareEventLoops() {
        CompletableFuture<EventLoopGroup> f = new CompletableFuture<>();
        prepared = f;
        Thread.ofPlatform().daemon().name("api-event-loops").start(() -> {
            try {
                f.complete(newEventLoops());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
    }

    private static EventLoopGroup newEventLoops() {
        return new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                EpollIoHandler.newFactory());
    }

    /** The prepared event loops, or new ones when none were prepared or making them failed. */
    private static EventLoopGroup takeEventLoops() {
        CompletableFuture<EventLoopGroup> f = prepared;
        prepared = null;
        if (f != null) {
            try {
                return f.join();
            } catch (RuntimeException e) {
                LOG.fine("prepared event loops failed, making them again: " + e);
            }
        }
        return newEventLoops();
    }

    private static String defaultVersion() {
        String v = HttpServer.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-dev";
    }

    public List<ListenAddress> addresses() {
        return addresses;
    }

    /** Binds every address; on failure nothing stays bound. */
    public synchronized void start() throws IOException, InterruptedException {
        boolean anyTcp = addresses.stream().anyMatch(a -> a.scheme().equals("tcp"));
        SslContext ssl = anyTcp ? TlsContexts.server(tls) : null; // refuses TCP without TLS and client certs
        group = takeEventLoops();
        try {
            for (ListenAddress a : addresses) {
                Channel ch;
                if (a.scheme().equals("tcp")) {
                    ch = bootstrap(ssl).channel(EpollServerSocketChannel.class)
                            .bind(new InetSocketAddress(a.host(), a.port())).sync().channel();
                } else {
                    Path p = a.path();
                    prepareSocketPath(p);
                    ch = bootstrap(null).channel(EpollServerDomainSocketChannel.class)
                            .bind(new DomainSocketAddress(p.toFile())).sync().channel();
                    // root and the socket's group only: whoever can talk to the API is root on this host
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw----"));
                }
                servers.add(ch);
                LOG.info("API listening on " + a + (a.scheme().equals("tcp") ? " (TLS, client certificates required)"
                        : ""));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private ServerBootstrap bootstrap(SslContext ssl) {
        return new ServerBootstrap()
                .group(group)
                // we read on demand: bodies are pulled by their consumer, the next request after the answer
                .childOption(ChannelOption.AUTO_READ, false)
                // attach/exec: the client half-closes after stdin and still reads the output
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()));
                        }
                        ApiPipeline.install(ch, router, headers, handlers, bodyBudget);
                        if (ssl != null && !tls.managerWhitelist().isEmpty()) {
                            ch.pipeline().addAfter(ApiPipeline.CODEC, ManagerWhitelist.NAME,
                                    new ManagerWhitelist(Set.copyOf(tls.managerWhitelist())));
                        }
                    }
                });
    }

    /** A socket file left by a daemon that died is removed; a live one or a non-socket file is an error. */
    private static void prepareSocketPath(Path p) throws IOException {
        Files.createDirectories(p.toAbsolutePath().getParent());
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isOther()) {
            throw new IOException("cannot listen on " + p + ": a file that is not a socket is in the way");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(p));
            throw new IOException("cannot listen on " + p + ": another daemon is serving that socket");
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("cannot listen")) {
                throw e;
            }
            Files.deleteIfExists(p); // stale: nobody accepts there
        }
    }

    @Override
    public synchronized void close() {
        for (Channel ch : servers) {
            ch.close().awaitUninterruptibly();
        }
        for (ListenAddress a : addresses) {
            if (a.path() != null && !servers.isEmpty()) {
                try {
                    Files.deleteIfExists(a.path());
                } catch (IOException ignored) {
                    // best effort: a stale socket is removed by the next start anyway
                }
            }
        }
        servers.clear();
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            group = null;
        }
        handlers.shutdownNow();
    }
}
