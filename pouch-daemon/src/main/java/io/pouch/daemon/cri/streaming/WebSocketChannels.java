package io.pouch.daemon.cri.streaming;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.util.logging.Logger;

/**
 * The channel multiplexing of kubelet's WebSocket streams: every binary message starts with its channel number and
 * the rest is that channel's data. With v5 a message {@code [255, n]} is the client closing channel {@code n}.
 * Channels the session does not read are dropped.
 */
final class WebSocketChannels extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger LOG = Logger.getLogger(WebSocketChannels.class.getName());
    private static final int CLOSE_SIGNAL = 255;

    private final InboundPipe[] inbound;
    private final boolean halfClose;
    private final Runnable onClose;

    /** {@code inbound[n]} receives channel n's data, or is null when the session does not read channel n. */
    WebSocketChannels(InboundPipe[] inbound, boolean halfClose, Runnable onClose) {
        this.inbound = inbound;
        this.halfClose = halfClose;
        this.onClose = onClose;
    }

    /** An output stream on channel {@code n}: each write becomes one binary message. */
    static FrameOutputStream output(Channel ch, WritabilityGate gate, int n) {
        return new FrameOutputStream(ch, gate, new FrameOutputStream.Framer() {
            @Override
            public Object data(ByteBuf payload) {
                return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(new byte[]{(byte) n}),
                        payload));
            }

            @Override
            public Object end() {
                return null; // the protocol has no server-side close of a channel: the connection's close ends all
            }
        });
    }

    /** Ends the session: a normal close frame, then the connection. */
    static void close(Channel ch) {
        ch.eventLoop().execute(() -> {
            if (ch.isActive()) {
                ch.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        });
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        switch (frame) {
            case BinaryWebSocketFrame bin -> onMessage(bin.content());
            case PingWebSocketFrame ping -> ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            case CloseWebSocketFrame close -> {
                finishAll();
                ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                        .addListener(ChannelFutureListener.CLOSE);
            }
            default -> LOG.fine(() -> "ignored WebSocket frame " + frame.getClass().getSimpleName()
                    + ": the base64 protocols are not offered");
        }
    }

    private void onMessage(ByteBuf msg) {
        if (!msg.isReadable()) {
            return;
        }
        int channel = msg.getUnsignedByte(msg.readerIndex());
        if (halfClose && channel == CLOSE_SIGNAL) {
            if (msg.readableBytes() == 2) {
                int closed = msg.getUnsignedByte(msg.readerIndex() + 1);
                if (closed < inbound.length && inbound[closed] != null) {
                    inbound[closed].finish();
                }
            }
            return;
        }
        if (channel < inbound.length && inbound[channel] != null) {
            inbound[channel].offer(msg.slice(msg.readerIndex() + 1, msg.readableBytes() - 1));
        }
    }

    private void finishAll() {
        for (InboundPipe p : inbound) {
            if (p != null) {
                p.finish();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finishAll();
        onClose.run();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.fine(() -> "WebSocket stream connection from " + ctx.channel().remoteAddress() + " failed: " + cause);
        ctx.close();
    }
}
