package io.pouch.daemon.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Gives each exchange its request body. A JSON body is collected whole and the exchange goes on once it is complete.
 * It is admitted first: over {@link BodyBudget#MAX_JSON_BODY} it is answered 413, and when the server's
 * {@link BodyBudget} for collected bodies cannot take it, 503; a client that asked {@code Expect: 100-continue} gets
 * that answer instead of the go-ahead. After such an answer the rest of the body is read and dropped, so that the
 * client, still sending, gets to read the answer, and then the connection closes. The budget share of an admitted
 * body is given back when its exchange ends. A streaming route's exchange goes on at once with a
 * {@link ChannelInput} that its handler reads as the body arrives; that input asks for more bytes only when its
 * consumer has drained it, and is not counted against the JSON limit or the budget.
 */
final class RequestBodyHandler extends ChannelInboundHandlerAdapter {
    /** How much of a refused body we read and drop before we close anyway. */
    static final long MAX_DISCARD = 256L * 1024 * 1024;
    private static final Logger LOG = Logger.getLogger(RequestBodyHandler.class.getName());

    private final ResponseHeaders headers;
    private final long maxBody;
    private final BodyBudget budget;
    private ChannelHandlerContext ctx;
    /** The exchange whose body is arriving, or null. */
    private NettyExchange exchange;
    /** Its streamed body, or null when collected into {@link #collected}. */
    private ChannelInput streamed;
    private ByteArrayOutputStream collected;
    /** What the collected body holds of the budget. */
    private long reserved;
    /** After a refusal: the rest of the refused body is being dropped; how much so far. */
    private boolean discarding;
    private long discarded;
    private boolean inputShutdown;

    RequestBodyHandler(ResponseHeaders headers, long maxBody, BodyBudget budget) {
        this.headers = headers;
        this.maxBody = maxBody;
        this.budget = budget;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof NettyExchange ex) {
            begin(ex);
        } else if (msg instanceof HttpContent c) {
            try {
                if (exchange != null) {
                    content(c);
                } else if (discarding) {
                    discard(c);
                } // else: stray content of a request already answered
            } finally {
                c.release();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void begin(NettyExchange ex) {
        exchange = ex;
        boolean expectsContinue = HttpUtil.is100ContinueExpected(ex.request());
        if (ex.route().streamingBody()) {
            streamed = new ChannelInput(this::readMore);
            ex.streamBody(streamed);
            if (expectsContinue) {
                continueBody(ex);
            }
            ctx.fireChannelRead(ex);
            return;
        }
        long length = HttpUtil.getContentLength(ex.request(), -1L);
        if (length > maxBody) {
            refuse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge(), !expectsContinue);
            return;
        }
        if (length > BodyBudget.FREE && !reserve(length)) {
            refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, overBudget(), !expectsContinue);
            return;
        }
        collected = new ByteArrayOutputStream(length > 0 ? (int) length : 32);
        if (expectsContinue) {
            continueBody(ex);
        }
        if (!inputShutdown) {
            ctx.read(); // the body may not have started to arrive yet
        }
    }

    /** The go-ahead a client that sent {@code Expect: 100-continue} waits for before it sends the body. */
    private void continueBody(NettyExchange ex) {
        ex.request().headers().remove(HttpHeaderNames.EXPECT);
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                Unpooled.EMPTY_BUFFER));
    }

    private boolean reserve(long n) {
        if (!budget.tryReserve(n)) {
            return false;
        }
        reserved += n;
        return true;
    }

    private String tooLarge() {
        return "request body too large: the limit for a JSON body is "
                + (maxBody >= 1 << 20 ? (maxBody >> 20) + " MiB" : maxBody + " bytes");
    }

    private String overBudget() {
        return "the daemon is busy with other large requests (" + (budget.limit() >> 20)
                + " MiB for request bodies in use): try again later";
    }

    /**
     * Answers the current body's exchange with an error and closes the connection; when the client is sending the
     * body ({@code drain}) we first read and drop the rest of it, so that the client gets to read the answer.
     */
    private void refuse(HttpResponseStatus status, String message, boolean drain) {
        LOG.info(() -> "refused " + exchange.method() + " " + exchange.path() + ": " + status.code() + " " + message);
        done();
        ChannelFuture written = ctx.writeAndFlush(ErrorResponses.closing(ctx.alloc(), headers, status, message));
        if (!drain || inputShutdown) {
            written.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        discarding = true;
        discarded = 0;
        ctx.read();
    }

    private void discard(HttpContent c) {
        discarded += c.content().readableBytes();
        if (c instanceof LastHttpContent || discarded > MAX_DISCARD) {
            discarding = false;
            ctx.close();
        } else if (!inputShutdown) {
            ctx.read();
        }
    }

    private void content(HttpContent c) {
        boolean last = c instanceof LastHttpContent;
        if (c.decoderResult().isFailure()) {
            IOException e = new IOException("malformed request body: " + c.decoderResult().cause());
            if (streamed != null) {
                streamed.fail(e);
            } else {
                ctx.close();
            }
            return;
        }
        if (streamed != null) {
            streamed.offer(ByteBufUtil.getBytes(c.content()));
            if (last) {
                streamed.end();
                done();
            }
            return; // the consumer asks for more reads
        }
        ByteBuf b = c.content();
        long size = collected.size() + (long) b.readableBytes();
        if (size > maxBody) {
            releaseReserved();
            refuse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge(), !last);
            return;
        }
        if (size > BodyBudget.FREE && size > reserved && !reserve(size - reserved)) {
            releaseReserved();
            refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, overBudget(), !last);
            return;
        }
        collected.writeBytes(ByteBufUtil.getBytes(b));
        if (last) {
            NettyExchange ex = exchange;
            ex.collectedBody(collected.toByteArray(), releasing(reserved));
            reserved = 0;
            done();
            ctx.fireChannelRead(ex);
        } else if (!inputShutdown) {
            ctx.read();
        }
    }

    private void done() {
        exchange = null;
        streamed = null;
        collected = null;
    }

    private void releaseReserved() {
        budget.release(reserved);
        reserved = 0;
    }

    /** Gives {@code n} back to the budget, once, when the exchange that holds it ends. */
    private Runnable releasing(long n) {
        if (n == 0) {
            return () -> { };
        }
        AtomicBoolean once = new AtomicBoolean();
        return () -> {
            if (once.compareAndSet(false, true)) {
                budget.release(n);
            }
        };
    }

    /** One more read for a streamed body, from its consumer's thread; never after the client shut its side. */
    private void readMore() {
        ctx.executor().execute(() -> {
            if (!inputShutdown && ctx.channel().isActive()) {
                ctx.read();
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
            inputShutdown = true;
            if (streamed != null) {
                streamed.fail(new IOException("client closed the connection before the end of the body"));
            } else if (exchange != null) {
                releaseReserved();
                ctx.close(); // the collected body cannot complete
            } else if (discarding) {
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseReserved();
        if (streamed != null) {
            streamed.fail(new IOException("client connection closed"));
        }
        ctx.fireChannelInactive();
    }
}
