package io.pouch.daemon.volume;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Docker's plugin transport: one JSON POST per call ({@code /Plugin.Activate}, {@code /VolumeDriver.Mount}...)
 * over a unix socket or TCP, with Netty's HTTP codec. A connection per call, as docker's plugin client does for
 * unix sockets; calls are rare (create, mount, unmount).
 */
final class PluginClient {
    static final String MEDIA_TYPE = "application/vnd.docker.plugins.v1.2+json";
    private static final long TIMEOUT_SECONDS = 30;
    private static volatile EventLoopGroup group;

    private final String name;
    private final SocketAddress address;
    private final boolean unix;

    PluginClient(String name, String address) {
        this.name = name;
        if (address.startsWith("unix://")) {
            this.address = new DomainSocketAddress(address.substring(7));
            this.unix = true;
        } else if (address.startsWith("tcp://") || address.startsWith("http://")) {
            URI u = URI.create(address.replaceFirst("^tcp://", "http://"));
            this.address = new InetSocketAddress(u.getHost(), u.getPort());
            this.unix = false;
        } else if (address.startsWith("/")) {
            this.address = new DomainSocketAddress(address);
            this.unix = true;
        } else {
            throw PouchException.invalidArgument("plugin " + name + ": unsupported address " + address);
        }
    }

    private static EventLoopGroup group() {
        if (group == null) {
            synchronized (PluginClient.class) {
                if (group == null) {
                    group = new MultiThreadIoEventLoopGroup(1, r -> {
                        Thread t = new Thread(r, "volume-plugins");
                        t.setDaemon(true);
                        return t;
                    }, EpollIoHandler.newFactory());
                }
            }
        }
        return group;
    }

    /** POSTs {@code body} as JSON to {@code /<method>}; answers the JSON reply; a non-empty Err is a 500. */
    JsonNode call(String method, Object body) {
        byte[] payload;
        try {
            payload = Json.MAPPER.writeValueAsBytes(body == null ? Map.of() : body);
        } catch (JsonProcessingException e) {
            throw PouchException.internal("cannot encode a plugin request", e);
        }
        CompletableFuture<FullHttpResponse> reply = new CompletableFuture<>();
        Bootstrap b = new Bootstrap().group(group())
                .channel(unix ? EpollDomainSocketChannel.class : EpollSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(16 << 20),
                                new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                        reply.complete(r.retainedDuplicate());
                                        ctx.close();
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        reply.completeExceptionally(cause);
                                        ctx.close();
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        reply.completeExceptionally(new IOException("connection closed"));
                                    }
                                });
                    }
                });
        Channel ch = null;
        try {
            ch = b.connect(address).syncUninterruptibly().channel();
            DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                    "/" + method, Unpooled.wrappedBuffer(payload));
            req.headers().set(HttpHeaderNames.HOST, unix ? "plugin" : address.toString());
            req.headers().set(HttpHeaderNames.ACCEPT, MEDIA_TYPE);
            req.headers().set(HttpHeaderNames.CONTENT_TYPE, MEDIA_TYPE);
            req.headers().set(HttpHeaderNames.CONTENT_LENGTH, payload.length);
            req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ch.writeAndFlush(req);
            FullHttpResponse r = reply.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            try {
                String text = r.content().toString(StandardCharsets.UTF_8);
                JsonNode json = text.isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(text);
                String err = json.path("Err").asText("");
                if (r.status().code() != 200 || !err.isEmpty()) {
                    throw PouchException.internal("volume plugin " + name + ": " + method + ": "
                            + (err.isEmpty() ? r.status().toString() + " " + text : err), null);
                }
                return json;
            } finally {
                r.release();
            }
        } catch (PouchException e) {
            throw e;
        } catch (ExecutionException e) {
            throw PouchException.internal("volume plugin " + name + ": " + method + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw PouchException.internal("volume plugin " + name + ": " + method + " timed out after "
                    + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PouchException.internal("volume plugin " + name + ": interrupted", e);
        } catch (Exception e) {
            throw PouchException.internal("volume plugin " + name + ": " + method + ": " + e.getMessage(), e);
        } finally {
            if (ch != null) {
                ch.close();
            }
        }
    }
}
