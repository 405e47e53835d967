package io.pouch.daemon.p2p;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.pouch.api.Json;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The small HTTP/1.1 server under the scheduler and the piece server: Netty parses and writes HTTP (TLS with
 * required client certificates, or the bearer token, in front), bodies are collected up to 1 MiB (the protocol's
 * requests are small JSON), and each request runs on its own virtual thread so long-polls and disk reads never
 * stall the event loop. With a write limit, one traffic shaper bounds what all connections send together.
 */
final class P2pHttpServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(P2pHttpServer.class.getName());
    private static final int MAX_BODY = 1 << 20;
    private static final long CLOSE_WAIT_MS = 3000;

    record Request(String method, String path, byte[] body) {
        <T> T json(Class<T> type) {
            try {
                return Json.MAPPER.readValue(body, type);
            } catch (IOException e) {
                throw new IllegalArgumentException("the body is not a valid " + type.getSimpleName() + ": "
                        + e.getMessage());
            }
        }
    }

    /** @param afterSent runs once the response was written or the connection failed (frees an upload slot) */
    record Response(int status, Map<String, String> headers, byte[] body, Runnable afterSent) {
        static Response json(Object value) {
            try {
                return new Response(200, Map.of("Content-Type", "application/json"),
                        Json.MAPPER.writeValueAsBytes(value), null);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Response status(int status) {
            return new Response(status, Map.of(), new byte[0], null);
        }

        static Response text(int status, String message) {
            return new Response(status, Map.of("Content-Type", "text/plain; charset=utf-8"),
                    (message + "\n").getBytes(StandardCharsets.UTF_8), null);
        }
    }

    @FunctionalInterface
    interface Handler {
        /** @throws IllegalArgumentException a bad request, answered 400 with its message */
        Response handle(Request r) throws Exception;
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ExecutorService handlers;
    private final GlobalTrafficShapingHandler shaper;
    /** Open connections: closed with the server, so a client waiting on one learns at once that it is gone. */
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Channel channel;

    private P2pHttpServer(String name, String listen, P2pSecurity security, long writeLimit, Handler handler)
            throws IOException {
        handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-", 0).factory());
        shaper = writeLimit > 0 ? new GlobalTrafficShapingHandler(group, writeLimit, 0) : null;
        InetSocketAddress bind = HostPort.parse(listen).socketAddress();
        try {
            channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            connections.add(ch);
                            if (shaper != null) {
                                ch.pipeline().addLast("shaper", shaper);
                            }
                            if (security.serverContext() != null) {
                                ch.pipeline().addLast("tls", security.serverContext().newHandler(ch.alloc()));
                            }
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY),
                                    new Dispatch(security, handler));
                        }
                    }).bind(bind).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while binding " + listen, e);
        } catch (RuntimeException e) {
            close();
            throw new IOException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param listen     host:port; port 0 picks a free one
     * @param writeLimit bytes per second all connections send together, 0 for no limit
     */
    static P2pHttpServer start(String name, String listen, P2pSecurity security, long writeLimit, Handler handler)
            throws IOException {
        return new P2pHttpServer(name, listen, security, writeLimit, handler);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        handlers.shutdownNow(); // long-polls end first; their answers are not written any more
        // bounded waits: a close future whose event loop is already gone would never complete
        if (channel != null) {
            channel.close().awaitUninterruptibly(CLOSE_WAIT_MS);
        }
        connections.close().awaitUninterruptibly(CLOSE_WAIT_MS);
        if (shaper != null) {
            shaper.release();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(CLOSE_WAIT_MS);
    }

    private final class Dispatch extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final P2pSecurity security;
        private final Handler handler;

        Dispatch(P2pSecurity security, Handler handler) {
            this.security = security;
            this.handler = handler;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (!req.decoderResult().isSuccess()) {
                send(ctx, Response.text(400, "malformed request"), false);
                return;
            }
            if (!security.admits(req.headers().get(HttpHeaderNames.AUTHORIZATION))) {
                send(ctx, Response.text(401, "a valid Authorization: Bearer token is required"), keepAlive);
                return;
            }
            Request r = new Request(req.method().name(), new QueryStringDecoder(req.uri()).path(),
                    ByteBufUtil.getBytes(req.content()));
            handlers.execute(() -> {
                Response resp;
                try {
                    resp = handler.handle(r);
                } catch (InterruptedException e) {
                    ctx.close(); // the server is closing
                    return;
                } catch (IllegalArgumentException e) {
                    resp = Response.text(400, e.getMessage());
                } catch (Exception e) {
                    LOG.log(Level.WARNING, r.method() + " " + r.path() + " failed", e);
                    resp = Response.text(500, r.method() + " " + r.path() + " failed: " + e);
                }
                send(ctx, resp, keepAlive);
            });
        }

        private void send(ChannelHandlerContext ctx, Response resp, boolean keepAlive) {
            if (group.isShuttingDown()) {
                if (resp.afterSent() != null) {
                    resp.afterSent().run();
                }
                return;
            }
            FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(resp.status()), Unpooled.wrappedBuffer(resp.body()));
            resp.headers().forEach(out.headers()::set);
            HttpUtil.setContentLength(out, resp.body().length);
            if (!keepAlive) {
                out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            ctx.writeAndFlush(out).addListener((ChannelFutureListener) f -> {
                if (resp.afterSent() != null) {
                    resp.afterSent().run();
                }
                if (!keepAlive || !f.isSuccess()) {
                    f.channel().close();
                }
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.fine("p2p connection from " + ctx.channel().remoteAddress() + " closed: " + cause);
            ctx.close();
        }
    }
}
