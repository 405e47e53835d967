package io.pouch.daemon.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.pouch.api.ErrorResponse;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection. All fields are confined to the channel's event loop; handlers run on virtual threads and
 * reach back through {@link #responseComplete} and {@link #switchToRaw}, which hop onto the loop.
 *
 * <p>Auto-read is off: we ask for bytes only while aggregating a body, when a streamed body's consumer is empty,
 * or when idle between requests. Bytes can still arrive unasked (epoll reads on peer shutdown), so anything that
 * comes while a handler runs is queued and served once the current answer is complete.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ConnectionHandler.class.getName());
    static final long MAX_BODY = 64L * 1024 * 1024;

    private final HttpServer server;
    private final Router router;
    private final ChannelOutput.WriteGate gate = new ChannelOutput.WriteGate();
    private ChannelHandlerContext ctx;

    /** The request being served, or null when idle. */
    private NettyExchange current;
    private Handler currentHandler;
    private InlineAttempt currentInline;
    private boolean bodyDone;
    private ByteArrayOutputStream aggregate;
    private boolean tooLarge;
    /** Once hijacked, raw client bytes go here. */
    private ChannelInput raw;
    private boolean inputShutdown;
    private final Deque<Object> pending = new ArrayDeque<>();

    ConnectionHandler(HttpServer server, Router router) {
        this.server = server;
        this.router = router;
    }

    HttpServer server() {
        return server;
    }

    Channel channel() {
        return ctx.channel();
    }

    ChannelOutput.WriteGate gate() {
        return gate;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inbound(msg);
    }

    private void inbound(Object msg) {
        if (raw != null) {
            if (msg instanceof ByteBuf b) {
                raw.offer(ByteBufUtil.getBytes(b));
            }
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null && bodyDone) {
            pending.addLast(msg); // pipelined: served after the current answer
            return;
        }
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        try {
            if (current == null) {
                if (!(msg instanceof HttpRequest req)) {
                    return; // stray content of a request we already gave up on
                }
                if (req.decoderResult().isFailure()) {
                    rejectMalformed(req.decoderResult().cause());
                    return;
                }
                begin(req);
            }
            if (msg instanceof HttpContent c) {
                content(c);
            } else if (current != null && current.streamedBody == null && !bodyDone && !inputShutdown) {
                ctx.read(); // the body of an aggregated request has not started to arrive yet
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void begin(HttpRequest req) {
        bodyDone = false;
        tooLarge = false;
        aggregate = null;
        Handler handler;
        RequestTarget target = null;
        Router.Match match = null;
        try {
            target = RequestTarget.parse(req.uri());
            match = router.match(req.method().name(), target.segments());
            if (match == null) {
                handler = router.pathExists(target.segments())
                        ? failing(new PouchException(405, "method " + req.method().name() + " not allowed for " + target.path()))
                        : failing(PouchException.notFound("page not found"));
            } else {
                handler = match.handler();
            }
        } catch (RuntimeException e) {
            handler = failing(e);
        }
        String path = target != null ? target.path() : req.uri();
        ApiVersion version = target != null ? target.version() : ApiVersion.CURRENT;
        Map<String, String> params = match != null ? match.params() : Map.of();
        boolean streaming = match != null && match.streamingBody();
        currentInline = match != null ? match.inline() : null;
        ChannelInput body = streaming ? new ChannelInput(this::readMore) : null;
        current = new NettyExchange(this, req, path, version, params, body);
        currentHandler = handler;
        if (streaming) {
            start(current, handler);
        } else {
            aggregate = new ByteArrayOutputStream();
            if (HttpUtil.getContentLength(req, -1L) > MAX_BODY) {
                tooLarge = true;
            }
        }
    }

    private static Handler failing(RuntimeException e) {
        return ex -> {
            throw e;
        };
    }

    private void content(HttpContent c) {
        NettyExchange ex = current;
        boolean last = c instanceof LastHttpContent;
        if (c.decoderResult().isFailure()) {
            fail(ex, new IOException("malformed request body: " + c.decoderResult().cause()));
            return;
        }
        if (ex.streamedBody != null) {
            ex.streamedBody.offer(ByteBufUtil.getBytes(c.content()));
            if (last) {
                bodyDone = true;
                ex.streamedBody.end();
            }
            return; // the consumer asks for more reads
        }
        if (!tooLarge) {
            ByteBuf b = c.content();
            if (aggregate.size() + (long) b.readableBytes() > MAX_BODY) {
                tooLarge = true;
                aggregate = null;
            } else {
                aggregate.writeBytes(ByteBufUtil.getBytes(b));
            }
        }
        if (tooLarge) {
            // answer at once and drop the connection rather than read up to gigabytes we will not use
            bodyDone = true;
            tooLarge(ex);
            return;
        }
        if (last) {
            bodyDone = true;
            ex.aggregatedBody = aggregate.toByteArray();
            aggregate = null;
            start(ex, currentHandler);
        } else if (!inputShutdown) {
            ctx.read();
        }
    }

    private void fail(NettyExchange ex, IOException e) {
        if (ex.streamedBody != null) {
            ex.streamedBody.fail(e);
        } else {
            ctx.close();
        }
    }

    private void tooLarge(NettyExchange ex) {
        FullHttpResponse resp = errorResponse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "request body too large: the limit is " + (MAX_BODY >> 20) + " MiB");
        resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        current = null;
        ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }

    private void rejectMalformed(Throwable cause) {
        FullHttpResponse resp = errorResponse(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request: " + cause.getMessage());
        resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }

    private FullHttpResponse errorResponse(HttpResponseStatus status, String message) {
        byte[] body;
        try {
            body = (Json.MAPPER.writeValueAsString(new ErrorResponse(message)) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                ctx.alloc().buffer(body.length).writeBytes(body));
        server.commonHeaders(resp.headers());
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        HttpUtil.setContentLength(resp, body.length);
        return resp;
    }

    private void start(NettyExchange ex, Handler handler) {
        // Router#addInline: answered here, on the event loop, unless the attempt needs a thread that may block
        if (currentInline != null && serve(ex, currentInline)) {
            return;
        }
        server.runHandler(() -> serve(ex, e -> {
            handler.handle(e);
            return true;
        }));
    }

    /** Runs {@code attempt}; when it answered (or failed), ends the exchange. */
    private static boolean serve(NettyExchange ex, InlineAttempt attempt) {
        boolean answered = true;
        try {
            answered = attempt.tryHandle(ex);
        } catch (Throwable t) {
            ex.fail(t);
        } finally {
            if (answered) {
                try {
                    ex.finish();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "finishing " + ex.method() + " " + ex.path() + " failed", e);
                    ex.channelClose();
                }
            }
        }
        return answered;
    }

    /**
     * The last byte of {@code ex}'s answer was written (or queued as {@code written}). Keep the connection for the
     * next request when the client wants that and we consumed its whole body; otherwise close after the write.
     */
    void responseComplete(NettyExchange ex, ChannelFuture written, boolean keepAlive) {
        ctx.executor().execute(() -> {
            if (current != ex) {
                return;
            }
            boolean bodyConsumed = bodyDone && (ex.streamedBody == null || ex.streamedBody.fullyConsumed());
            if (!keepAlive || !bodyConsumed || inputShutdown || !ctx.channel().isActive()) {
                written.addListener(ChannelFutureListener.CLOSE);
                return;
            }
            current = null;
            currentHandler = null;
            // re-feed what arrived meanwhile; whatever belongs after the next request queues up again in order
            Object[] queued = pending.toArray();
            pending.clear();
            for (Object m : queued) {
                inbound(m);
            }
            if (current == null && !inputShutdown) {
                ctx.read();
            }
        });
    }

    /**
     * Hijack, on the event loop: write the response head through the HTTP codec, then take the codec out so the
     * connection carries raw bytes both ways. Bytes the decoder had buffered are passed on by its removal.
     */
    void switchToRaw(HttpResponse head, ChannelInput in) {
        raw = in;
        if (inputShutdown) {
            raw.end();
        }
        ctx.write(head);
        var p = ctx.pipeline();
        if (p.get(HttpServer.EXPECT_CONTINUE) != null) {
            p.remove(HttpServer.EXPECT_CONTINUE);
        }
        p.remove(HttpServer.CODEC);
        ctx.flush();
        // anything that arrived pipelined after the request was raw client data
        while (!pending.isEmpty()) {
            Object m = pending.removeFirst();
            if (m instanceof HttpContent c) {
                raw.offer(ByteBufUtil.getBytes(c.content()));
            }
            ReferenceCountUtil.release(m);
        }
    }

    /**
     * One more read, from any thread. Never after the client shut its side: epoll then has nothing to wait for
     * (Netty 4.2 fails such a read with epoll_ctl ENOENT and the connection would be torn down).
     */
    void readMore() {
        ctx.executor().execute(() -> {
            if (!inputShutdown && ctx.channel().isActive()) {
                ctx.read();
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // a TLS client ends its stdin with close_notify (Go's tls.Conn.CloseWrite), not with a TCP half-close
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
            inputShutdown = true;
            if (raw != null) {
                raw.end(); // half-close: stdin ends, output goes on
            } else if (current == null) {
                ctx.close();
            } else {
                if (!bodyDone && current.streamedBody != null) {
                    current.streamedBody.fail(new IOException("client closed the connection before the end of the body"));
                } else if (!bodyDone) {
                    ctx.close();
                }
                // an HTTP client that stops sending mid-exchange has gone and long streams should end; but a
                // request asking to upgrade may half-close before we hijack (stdin-less attach) and still reads
                if (!current.request().headers().contains(HttpHeaderNames.UPGRADE)) {
                    current.markGone();
                }
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        gate.signal();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        gate.signal();
        if (raw != null) {
            raw.end();
        }
        NettyExchange ex = current;
        if (ex != null) {
            if (ex.streamedBody != null) {
                ex.streamedBody.fail(new IOException("client connection closed"));
            }
            ex.markGone();
        }
        while (!pending.isEmpty()) {
            ReferenceCountUtil.release(pending.removeFirst());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "connection error", cause);
        ctx.close();
    }
}
