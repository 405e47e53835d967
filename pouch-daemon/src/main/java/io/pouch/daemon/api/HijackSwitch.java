package io.pouch.daemon.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes a connection over from HTTP for attach and exec ({@link HttpExchange#hijack}). Until then it lets everything
 * pass. On a {@link Takeover} written to the channel it writes the response head through the HTTP codec, then takes
 * the codec (and what sits between it and here) out of the pipeline, so the connection carries raw bytes both
 * ways: what the client sends from then on goes to the takeover's input, which ends when the client half-closes
 * while the output goes on.
 */
final class HijackSwitch extends ChannelDuplexHandler {
    private static final Logger LOG = Logger.getLogger(HijackSwitch.class.getName());
    /** What leaves the pipeline at a takeover, in this order. */
    private static final List<String> HTTP_HANDLERS = List.of(ApiPipeline.SEQUENCER, ApiPipeline.CODEC);

    /** The outbound message that hijacks the connection: {@code head} is the last HTTP written on it. */
    record Takeover(HttpResponse head, ChannelInput input) {
    }

    private ChannelHandlerContext ctx;
    /** Once taken over, the client's raw bytes go here. */
    private ChannelInput raw;
    private boolean inputShutdown;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** An input for a takeover, reading from this connection on demand. */
    ChannelInput newInput() {
        return new ChannelInput(this::readMore);
    }

    /** One more read, from any thread; never after the client shut its side (see {@link RequestSequencer}). */
    private void readMore() {
        ctx.executor().execute(() -> {
            if (!inputShutdown && ctx.channel().isActive()) {
                ctx.read();
            }
        });
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Takeover t) {
            takeOver(ctx, t, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    private void takeOver(ChannelHandlerContext ctx, Takeover t, ChannelPromise promise) {
        raw = t.input();
        if (inputShutdown || !ctx.channel().isActive()) {
            raw.end(); // the client half-closed before (a stdin-less attach), or left: no more input comes
        }
        try {
            ctx.write(t.head(), promise);
            ChannelPipeline p = ctx.pipeline();
            // held pipelined messages, then the bytes the decoder had buffered, come here as they leave
            for (String name : HTTP_HANDLERS) {
                if (p.context(name) != null) {
                    p.remove(name);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "taking over the connection failed", e);
            raw.end();
            ctx.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (raw == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (msg instanceof ByteBuf b) {
                raw.offer(ByteBufUtil.getBytes(b));
            } else if (msg instanceof HttpContent c) {
                raw.offer(ByteBufUtil.getBytes(c.content()));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // a TLS client ends its stdin with close_notify (Go's tls.Conn.CloseWrite), not with a TCP half-close
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
            inputShutdown = true;
            if (raw != null) {
                raw.end(); // half-close: stdin ends, the output goes on
                return;
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (raw != null) {
            raw.end();
        }
        ctx.fireChannelInactive();
    }
}
