package io.pouch.daemon.cri.streaming;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP request that opens a session: {@code /exec/<token>}, {@code /attach/<token>} or
 * {@code /portforward/<token>}. Claims the token (404 when unknown, expired or already used), then upgrades the
 * connection to SPDY/3.1 or to a WebSocket, negotiating the sub-protocol as kubelet does.
 */
final class StreamingEntry extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = Logger.getLogger(StreamingEntry.class.getName());
    static final String PROTOCOL_HEADER = "X-Stream-Protocol-Version";
    static final String ACCEPTED_PROTOCOLS_HEADER = "X-Accepted-Stream-Protocol-Versions";
    static final String PORT_FORWARD_PROTOCOL = "portforward.k8s.io";
    private static final String WS_PORT_FORWARD_PROTOCOL = "v4.channel.k8s.io";

    private final RequestCache cache;
    private final StreamRuntime runtime;

    StreamingEntry(RequestCache cache, StreamRuntime runtime) {
        this.cache = cache;
        this.runtime = runtime;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            respond(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request", List.of());
            return;
        }
        if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.POST)) {
            respond(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET and POST open a stream", List.of());
            return;
        }
        String[] parts = new QueryStringDecoder(req.uri()).path().split("/");
        Optional<StreamRequest> granted = parts.length == 3 && parts[0].isEmpty()
                ? cache.consume(parts[2]).filter(r -> kindOf(r).equals(parts[1])) : Optional.empty();
        if (granted.isEmpty()) {
            respond(ctx, HttpResponseStatus.NOT_FOUND, "404 page not found", List.of());
            return;
        }
        try {
            if (isUpgrade(req, "websocket")) {
                upgradeToWebSocket(ctx, req, granted.get());
            } else if (isUpgrade(req, "spdy/3.1")) {
                upgradeToSpdy(ctx, req, granted.get());
            } else {
                respond(ctx, HttpResponseStatus.BAD_REQUEST,
                        "unable to upgrade: missing upgrade headers in request (SPDY/3.1 or websocket)", List.of());
            }
        } catch (Exception e) {
            LOG.log(Level.WARNING, "streaming session setup failed", e);
            ctx.close();
        }
    }

    private static String kindOf(StreamRequest r) {
        return switch (r) {
            case StreamRequest.Exec e -> "exec";
            case StreamRequest.Attach a -> "attach";
            case StreamRequest.PortForward p -> "portforward";
        };
    }

    private static boolean isUpgrade(FullHttpRequest req, String protocol) {
        String connection = req.headers().get(HttpHeaderNames.CONNECTION, "").toLowerCase(Locale.ROOT);
        String upgrade = req.headers().get(HttpHeaderNames.UPGRADE, "").toLowerCase(Locale.ROOT);
        return connection.contains("upgrade") && upgrade.contains(protocol);
    }

    private static List<String> listHeader(FullHttpRequest req, CharSequence name) {
        List<String> values = new ArrayList<>();
        for (String h : req.headers().getAll(name)) {
            for (String v : h.split(",")) {
                if (!v.isBlank()) {
                    values.add(v.trim());
                }
            }
        }
        return values;
    }

    private void upgradeToSpdy(ChannelHandlerContext ctx, FullHttpRequest req, StreamRequest request) {
        List<String> offered = request instanceof StreamRequest.PortForward ? List.of(PORT_FORWARD_PROTOCOL)
                : RemoteCommandProtocol.SPDY.stream().map(RemoteCommandProtocol::wireName).toList();
        List<String> asked = listHeader(req, PROTOCOL_HEADER);
        if (asked.isEmpty()) {
            respond(ctx, HttpResponseStatus.BAD_REQUEST, "unable to upgrade: " + PROTOCOL_HEADER + " is required",
                    List.of());
            return;
        }
        Optional<String> chosen = asked.stream().filter(offered::contains).findFirst();
        if (chosen.isEmpty()) {
            respond(ctx, HttpResponseStatus.FORBIDDEN, "unable to upgrade: unable to negotiate protocol: client supports "
                    + asked + ", server accepts " + offered, offered);
            return;
        }
        HttpResponse switching = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        switching.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                .set(HttpHeaderNames.UPGRADE, "SPDY/3.1")
                .set(PROTOCOL_HEADER, chosen.get());
        // on the event loop the response is encoded by the HTTP codec right here, before it leaves the pipeline
        ctx.writeAndFlush(switching);
        ChannelPipeline p = ctx.pipeline();
        p.remove(HttpObjectAggregator.class);
        p.replace(HttpServerCodec.class, "spdy-codec", new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        WritabilityGate gate = new WritabilityGate();
        SpdyConnection.Listener session = switch (request) {
            case StreamRequest.PortForward pf -> new SpdyPortForward(runtime, pf, ctx.channel());
            case StreamRequest.Exec e -> new SpdyRemoteCommand(runtime, e, e.options(),
                    RemoteCommandProtocol.byWireName(chosen.get(), RemoteCommandProtocol.SPDY).orElseThrow(),
                    ctx.channel());
            case StreamRequest.Attach a -> new SpdyRemoteCommand(runtime, a, a.options(),
                    RemoteCommandProtocol.byWireName(chosen.get(), RemoteCommandProtocol.SPDY).orElseThrow(),
                    ctx.channel());
        };
        p.addBefore(ctx.name(), "spdy-writability", gate);
        p.replace(this, "spdy-connection", new SpdyConnection(gate, session));
    }

    private void upgradeToWebSocket(ChannelHandlerContext ctx, FullHttpRequest req, StreamRequest request) {
        List<String> offered = request instanceof StreamRequest.PortForward ? List.of(WS_PORT_FORWARD_PROTOCOL)
                : RemoteCommandProtocol.WEBSOCKET.stream().map(RemoteCommandProtocol::wireName).toList();
        List<String> asked = listHeader(req, HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        Optional<String> chosen = asked.stream().filter(offered::contains).findFirst();
        if (!asked.isEmpty() && chosen.isEmpty()) {
            respond(ctx, HttpResponseStatus.BAD_REQUEST, "requested protocol(s) are not supported: " + asked
                    + "; supports " + offered, List.of());
            return;
        }
        String url = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + req.uri();
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(url, chosen.orElse(null), false,
                WebSocketSessions.MAX_MESSAGE).newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        // without a sub-protocol kubelet speaks the first binary channel protocol (v1 status on the error channel)
        RemoteCommandProtocol protocol = chosen.flatMap(c -> RemoteCommandProtocol.byWireName(c,
                RemoteCommandProtocol.WEBSOCKET)).orElse(RemoteCommandProtocol.V1);
        ctx.pipeline().remove(this);
        handshaker.handshake(ctx.channel(), req).addListener(f -> {
            if (!f.isSuccess()) {
                ctx.channel().close();
                return;
            }
            try {
                switch (request) {
                    case StreamRequest.PortForward pf -> WebSocketSessions.portForward(ctx.channel(), runtime, pf);
                    case StreamRequest.Exec e -> WebSocketSessions.remoteCommand(ctx.channel(), runtime, e,
                            e.options(), protocol);
                    case StreamRequest.Attach a -> WebSocketSessions.remoteCommand(ctx.channel(), runtime, a,
                            a.options(), protocol);
                }
            } catch (Exception e) {
                LOG.log(Level.WARNING, "WebSocket streaming session setup failed", e);
                ctx.channel().close();
            }
        });
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body,
                                List<String> acceptedProtocols) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        acceptedProtocols.forEach(p -> resp.headers().add(ACCEPTED_PROTOCOLS_HEADER, p));
        HttpUtil.setContentLength(resp, resp.content().readableBytes());
        ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.fine(() -> "streaming request from " + ctx.channel().remoteAddress() + " failed: " + cause);
        ctx.close();
    }
}
