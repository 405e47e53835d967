package io.pouch.daemon.volume;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A docker volume plugin for tests: serves volumes as directories under {@code root} on a unix socket, with
 * Netty (the JDK's HttpServer cannot listen on unix sockets). Records every call as "Method Name [ID]".
 */
public final class TestVolumePlugin implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path root;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final Channel server;
    public final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    public TestVolumePlugin(Path socket, Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root);
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        server = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req)
                                            throws Exception {
                                        Object reply = handle(req.uri().substring(1),
                                                req.content().toString(StandardCharsets.UTF_8));
                                        byte[] b = JSON.writeValueAsBytes(reply);
                                        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                HttpResponseStatus.OK, Unpooled.wrappedBuffer(b));
                                        r.headers().set(HttpHeaderNames.CONTENT_TYPE,
                                                "application/vnd.docker.plugins.v1.2+json");
                                        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, b.length);
                                        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
                                    }
                                });
                    }
                }).bind(new DomainSocketAddress(socket.toString())).syncUninterruptibly().channel();
    }

    private Object handle(String method, String body) throws IOException {
        JsonNode in = body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        String name = in.path("Name").asText("");
        calls.add((method + " " + name + " " + in.path("ID").asText("")).trim());
        Map<String, Object> out = new LinkedHashMap<>();
        Path dir = root.resolve(name.isEmpty() ? "_" : name);
        switch (method) {
            case "Plugin.Activate" -> out.put("Implements", List.of("VolumeDriver"));
            case "VolumeDriver.Capabilities" -> out.put("Capabilities", Map.of("Scope", "local"));
            case "VolumeDriver.Create" -> {
                if (name.equals("fail")) {
                    out.put("Err", "refusing to create fail");
                } else {
                    Files.createDirectories(dir);
                    out.put("Err", "");
                }
            }
            case "VolumeDriver.Remove" -> {
                try (var s = Files.walk(dir)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                } catch (NoSuchFileException ignored) {
                    // already gone
                }
                out.put("Err", "");
            }
            case "VolumeDriver.Mount", "VolumeDriver.Path" -> {
                out.put("Mountpoint", dir.toString());
                out.put("Err", "");
            }
            case "VolumeDriver.Get" -> out.put("Volume", Map.of("Name", name, "Mountpoint", dir.toString()));
            case "VolumeDriver.Unmount" -> out.put("Err", "");
            case "VolumeDriver.List" -> out.put("Volumes", List.of());
            default -> out.put("Err", "unknown method " + method);
        }
        return out;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
