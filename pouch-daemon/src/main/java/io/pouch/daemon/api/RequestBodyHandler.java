package io.pouch.daemon.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Gives each exchange its request body. A small JSON body is collected whole, up to a limit, and the exchange goes
 * on once it is complete; a body over the limit is answered 413 at once and the connection closes, rather than
 * reading up to gigabytes we will not use. A streaming route's exchange goes on at once with a {@link ChannelInput}
 * that its handler reads as the body arrives; that input asks for more bytes only when its consumer has drained it.
 */
final class RequestBodyHandler extends ChannelInboundHandlerAdapter {
    /** The server's limit for a collected body. */
    static final long MAX_BODY = 64L * 1024 * 1024;

    private final ResponseHeaders headers;
    private final long maxBody;
    private ChannelHandlerContext ctx;
    /** The exchange whose body is arriving, or null. */
    private NettyExchange exchange;
    /** Its streamed body, or null when collected into {@link #collected}. */
    private ChannelInput streamed;
    private ByteArrayOutputStream collected;
    private boolean inputShutdown;

    RequestBodyHandler(ResponseHeaders headers, long maxBody) {
        this.headers = headers;
        this.maxBody = maxBody;
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
        if (ex.route().streamingBody()) {
            streamed = new ChannelInput(this::readMore);
            ex.streamBody(streamed);
            ctx.fireChannelRead(ex);
            return;
        }
        if (HttpUtil.getContentLength(ex.request(), -1L) > maxBody) {
            collected = null; // answered 413 when the body starts to arrive
        } else {
            collected = new ByteArrayOutputStream();
        }
        if (!inputShutdown) {
            ctx.read(); // the body may not have started to arrive yet
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
        if (collected == null || collected.size() + (long) b.readableBytes() > maxBody) {
            done();
            ctx.writeAndFlush(ErrorResponses.closing(ctx.alloc(), headers, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body too large: the limit is " + (maxBody >> 20) + " MiB"))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        collected.writeBytes(ByteBufUtil.getBytes(b));
        if (last) {
            NettyExchange ex = exchange;
            ex.collectedBody(collected.toByteArray());
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
                ctx.close(); // the collected body cannot complete
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (streamed != null) {
            streamed.fail(new IOException("client connection closed"));
        }
        ctx.fireChannelInactive();
    }
}
