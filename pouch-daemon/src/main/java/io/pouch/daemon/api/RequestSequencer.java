package io.pouch.daemon.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * HTTP/1.1 pipelining: one request at a time, answered in the order they came. Once a request has fully arrived,
 * whatever follows (the next pipelined requests) is held until its exchange ends with the connection kept
 * ({@link #NEXT_REQUEST}), then passed on in order.
 *
 * <p>Auto-read is off: this asks for the first request and, when nothing is held, for the next one. Bytes can still
 * arrive unasked (epoll reads on peer shutdown); they wait here like pipelined ones.
 */
final class RequestSequencer extends ChannelInboundHandlerAdapter {
    /** User event: the current exchange has ended and the connection stays open for the next request. */
    static final Object NEXT_REQUEST = new Object() {
        @Override
        public String toString() {
            return "NEXT_REQUEST";
        }
    };

    private final Deque<Object> held = new ArrayDeque<>();
    /** A request head has passed and its exchange has not ended. */
    private boolean requestOpen;
    /** ... and its last content has passed too: what comes now belongs to later requests. */
    private boolean requestComplete;
    private boolean inputShutdown;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (requestComplete) {
            held.addLast(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            requestOpen = true;
        }
        if (requestOpen && msg instanceof LastHttpContent) {
            requestComplete = true;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == NEXT_REQUEST) {
            next(ctx);
            return;
        }
        // a TLS client ends its stdin with close_notify (Go's tls.Conn.CloseWrite), not with a TCP half-close
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
            inputShutdown = true;
            if (!requestOpen) {
                ctx.close(); // between requests: the client is done with this connection
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void next(ChannelHandlerContext ctx) {
        requestOpen = false;
        requestComplete = false;
        // what arrived meanwhile goes on; whatever belongs after the next request is held again, in order
        Object[] queued = held.toArray();
        held.clear();
        for (Object m : queued) {
            channelRead(ctx, m);
        }
        // never after the client shut its side: epoll then has nothing to wait for (Netty 4.2 fails such a read
        // with epoll_ctl ENOENT and the connection would be torn down)
        if (!requestOpen && !inputShutdown) {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        while (!held.isEmpty()) {
            ReferenceCountUtil.release(held.removeFirst());
        }
        ctx.fireChannelInactive();
    }

    /** Taken out when the connection is hijacked: what was held is raw client data and goes on as it is. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        while (!held.isEmpty()) {
            ctx.fireChannelRead(held.removeFirst());
        }
    }
}
