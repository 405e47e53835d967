package io.pouch.daemon.cri.streaming;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyVersion;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A SPDY/3.1 streaming client like kubectl's (moby/spdystream): upgrades over HTTP, opens streams with headers,
 * and never sends WINDOW_UPDATE, so a server that waited for send window would stall it.
 */
final class SpdyTestClient implements AutoCloseable {
    static final class Stream {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final CompletableFuture<Void> replied = new CompletableFuture<>();
        final CompletableFuture<byte[]> ended = new CompletableFuture<>();
        final CompletableFuture<Void> reset = new CompletableFuture<>();
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Map<Integer, Stream> streams = new ConcurrentHashMap<>();
    private final CompletableFuture<FullHttpResponse> response = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    private Channel channel;
    private int nextId = 1;

    /** Connects and sends the upgrade request; {@link #response()} tells how the server answered. */
    static SpdyTestClient connect(String url, String... protocols) throws Exception {
        SpdyTestClient c = new SpdyTestClient();
        c.open(URI.create(url), protocols);
        return c;
    }

    private void open(URI uri, String[] protocols) throws Exception {
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("http", new HttpClientCodec());
                        ch.pipeline().addLast("agg", new HttpObjectAggregator(1 << 20));
                        ch.pipeline().addLast("upgrade", new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                if (r.status().code() == 101) {
                                    ctx.pipeline().remove("agg");
                                    ctx.pipeline().replace("http", "spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
                                    ctx.pipeline().replace(this, "frames", new Frames());
                                }
                                response.complete(r.retain());
                            }
                        });
                        ch.closeFuture().addListener(f -> {
                            closed.complete(null);
                            response.completeExceptionally(new IllegalStateException("closed"));
                        });
                    }
                }).connect(uri.getHost(), uri.getPort()).sync().channel();
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri.getRawPath());
        req.headers().set("Host", uri.getHost() + ":" + uri.getPort()).set("Connection", "Upgrade")
                .set("Upgrade", "SPDY/3.1").set("Content-Length", "0");
        for (String p : protocols) {
            req.headers().add(StreamingEntry.PROTOCOL_HEADER, p);
        }
        channel.writeAndFlush(req);
    }

    FullHttpResponse response() throws Exception {
        return response.get(10, TimeUnit.SECONDS);
    }

    private final class Frames extends SimpleChannelInboundHandler<SpdyFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, SpdyFrame f) {
            switch (f) {
                // moby/spdystream reads a header count from every reply: a reply without a header block ends
                // its connection, so this client refuses one too
                case SpdySynReplyFrame r -> {
                    if (r.headers().isEmpty()) {
                        streams.get(r.streamId()).replied.completeExceptionally(
                                new AssertionError("SYN_REPLY " + r.streamId() + " without a header block"));
                        ctx.close();
                    } else {
                        streams.get(r.streamId()).replied.complete(null);
                    }
                }
                case SpdyDataFrame d -> {
                    Stream s = streams.get(d.streamId());
                    synchronized (s) {
                        s.data.writeBytes(ByteBufUtil.getBytes(d.content()));
                    }
                    if (d.isLast()) {
                        s.ended.complete(s.data.toByteArray());
                    }
                }
                case SpdyRstStreamFrame r -> streams.get(r.streamId()).reset.complete(null);
                default -> {
                }
            }
        }
    }

    /** Opens a stream with the given (lower-case) headers and waits for the server's reply (or refusal). */
    int openStream(Map<String, String> headers) throws Exception {
        int id;
        Stream s = new Stream();
        synchronized (this) {
            id = nextId;
            nextId += 2;
            streams.put(id, s);
        }
        DefaultSpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
        headers.forEach((k, v) -> syn.headers().set(k, v));
        channel.writeAndFlush(syn);
        CompletableFuture.anyOf(s.replied, s.reset).get(10, TimeUnit.SECONDS);
        return id;
    }

    Stream stream(int id) {
        return streams.get(id);
    }

    void send(int id, byte[] data) {
        channel.writeAndFlush(new DefaultSpdyDataFrame(id, Unpooled.wrappedBuffer(data)));
    }

    /** Half-closes the stream (FIN), as spdystream's Close does. */
    void finish(int id) {
        channel.writeAndFlush(new DefaultSpdyDataFrame(id).setLast(true));
    }

    byte[] awaitEnd(int id) throws Exception {
        return streams.get(id).ended.get(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
