package io.pouch.daemon.api;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves each exchange whose body is ready: a route's inline attempt right here on the event loop, otherwise its
 * handler on a virtual thread, so blocking work never runs on the loop. When the answer is complete it either keeps
 * the connection for the next request ({@link RequestSequencer#NEXT_REQUEST}) or closes it; it tells the exchange
 * when its client has gone.
 */
final class ExchangeDispatcher extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ExchangeDispatcher.class.getName());

    private final Executor handlers;
    private ChannelHandlerContext ctx;
    /** The exchange being served, or null between exchanges. */
    private NettyExchange current;
    private boolean inputShutdown;

    /** @param handlers runs handlers, each on its own virtual thread */
    ExchangeDispatcher(Executor handlers) {
        this.handlers = handlers;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof NettyExchange ex)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        current = ex;
        InlineAttempt inline = ex.route().inline();
        if (inline != null && serve(ex, inline)) {
            return;
        }
        handlers.execute(() -> serve(ex, ex.route().handler()));
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
                finish(ex);
            }
        }
        return answered;
    }

    private static void serve(NettyExchange ex, Handler handler) {
        try {
            handler.handle(ex);
        } catch (Throwable t) {
            ex.fail(t);
        } finally {
            finish(ex);
        }
    }

    private static void finish(NettyExchange ex) {
        try {
            ex.finish();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "finishing " + ex.method() + " " + ex.path() + " failed", e);
            ex.channelClose();
        } finally {
            ex.bodyDone();
        }
    }

    /**
     * The last byte of {@code ex}'s answer was written (or queued as {@code written}), from any thread. Keep the
     * connection for the next request when the client wants that and we consumed its whole body; otherwise close
     * after the write.
     */
    void responseComplete(NettyExchange ex, ChannelFuture written, boolean keepAlive) {
        ctx.executor().execute(() -> {
            if (current != ex) {
                return;
            }
            if (!keepAlive || !ex.bodyConsumed() || inputShutdown || !ctx.channel().isActive()) {
                written.addListener(ChannelFutureListener.CLOSE);
                return;
            }
            current = null;
            ctx.pipeline().fireUserEventTriggered(RequestSequencer.NEXT_REQUEST);
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
            inputShutdown = true;
            // an HTTP client that stops sending mid-exchange has gone and long streams should end; but a request
            // asking to upgrade may half-close before we hijack (stdin-less attach) and still reads
            if (current != null && !current.request().headers().contains(HttpHeaderNames.UPGRADE)) {
                current.markGone();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            current.markGone();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // an operator must see why a client lost its connection; a peer that went away is no fault of ours
        if (cause instanceof IOException) {
            LOG.info("API connection closed: " + cause);
        } else {
            LOG.log(Level.WARNING, "API connection error, closing the connection", cause);
        }
        ctx.close();
    }
}
