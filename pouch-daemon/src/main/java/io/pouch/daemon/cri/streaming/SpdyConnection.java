package io.pouch.daemon.cri.streaming;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The server side of an upgraded SPDY/3.1 connection, over Netty's frame codec: accepts the streams the client
 * opens (replying to each), feeds their data to their pipes, answers pings, and hands each new stream to the
 * session {@link Listener}.
 *
 * <p>Flow control: the server never waits for send window: the Go clients (kubectl, crictl, kubelet's own, all on
 * moby/spdystream) neither advertise windows nor send WINDOW_UPDATE, so a sender that honoured the 64 KiB initial
 * window would stall on any larger output. Backpressure comes from TCP instead ({@link WritabilityGate}). For clients
 * that do honour windows, the server grants back what it receives, per stream and for the session.
 */
final class SpdyConnection extends SimpleChannelInboundHandler<SpdyFrame> {
    private static final Logger LOG = Logger.getLogger(SpdyConnection.class.getName());
    private static final int WINDOW_UPDATE_THRESHOLD = 32 * 1024;

    /** The session the streams belong to; called on the event loop. */
    interface Listener {
        /** A new stream; returns null to accept it, or why it is refused. */
        String onStream(SpdyStream stream);

        /** The connection is gone: stop what is still running. */
        void onClose();
    }

    private final WritabilityGate writeGate;
    private final Listener listener;
    private final Map<Integer, SpdyStream> streams = new HashMap<>();
    private final Map<Integer, Integer> unacknowledged = new HashMap<>();
    private int sessionUnacknowledged;
    private ReadGate readGate;

    SpdyConnection(WritabilityGate writeGate, Listener listener) {
        this.writeGate = writeGate;
        this.listener = listener;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        readGate = new ReadGate(ctx.channel());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, SpdyFrame frame) {
        switch (frame) {
            case SpdySynStreamFrame syn -> onSynStream(ctx, syn);
            case SpdyDataFrame data -> onData(ctx, data);
            case SpdyRstStreamFrame rst -> {
                SpdyStream s = streams.remove(rst.streamId());
                if (s != null) {
                    s.in().finish();
                }
            }
            case SpdyPingFrame ping -> {
                // odd ids are the client's own pings, to be echoed; even ones would be answers to ours (none sent)
                if ((ping.id() & 1) == 1) {
                    ctx.writeAndFlush(new DefaultSpdyPingFrame(ping.id()));
                }
            }
            case SpdyGoAwayFrame goAway -> ctx.close();
            default -> {
                // SETTINGS, WINDOW_UPDATE, HEADERS: nothing this server acts on (see the class comment)
            }
        }
    }

    private void onSynStream(ChannelHandlerContext ctx, SpdySynStreamFrame syn) {
        int id = syn.streamId();
        if (syn.isInvalid() || streams.containsKey(id) || (id & 1) == 0) {
            ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.PROTOCOL_ERROR));
            return;
        }
        Map<String, String> headers = new HashMap<>();
        syn.headers().forEach(h -> headers.putIfAbsent(h.getKey().toString().toLowerCase(Locale.ROOT),
                h.getValue().toString()));
        SpdyStream stream = new SpdyStream(id, headers, ctx.channel(), readGate, writeGate);
        String refusal = listener.onStream(stream);
        if (refusal != null) {
            LOG.fine(() -> "SPDY stream " + id + " refused: " + refusal);
            ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.REFUSED_STREAM));
            return;
        }
        streams.put(id, stream);
        // the reply is queued before the listener's thread can write data on the stream: see Listener.onStream
        ctx.writeAndFlush(reply(id));
        if (syn.isLast()) {
            stream.in().finish();
        }
    }

    /**
     * The SYN_REPLY accepting stream {@code id}. It carries a header: Netty writes no header block at all for a
     * reply without headers, and moby/spdystream (kubectl, crictl, critest, kubelet's client) reads a header count
     * from every reply, so an empty one ends its connection. {@code :status} is what SPDY/3 replies carry.
     */
    static SpdySynReplyFrame reply(int id) {
        SpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(id);
        reply.headers().set(SpdyHeaders.HttpNames.STATUS, "200");
        return reply;
    }

    private void onData(ChannelHandlerContext ctx, SpdyDataFrame data) {
        int id = data.streamId();
        SpdyStream s = streams.get(id);
        if (s == null) {
            ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.INVALID_STREAM));
            return;
        }
        int n = data.content().readableBytes();
        s.in().offer(data.content());
        if (data.isLast()) {
            s.in().finish();
            unacknowledged.remove(id);
        } else if (n > 0) {
            int pending = unacknowledged.merge(id, n, Integer::sum);
            if (pending >= WINDOW_UPDATE_THRESHOLD) {
                unacknowledged.remove(id);
                ctx.write(new DefaultSpdyWindowUpdateFrame(id, pending));
            }
        }
        sessionUnacknowledged += n;
        if (sessionUnacknowledged >= WINDOW_UPDATE_THRESHOLD) {
            ctx.write(new DefaultSpdyWindowUpdateFrame(0, sessionUnacknowledged));
            sessionUnacknowledged = 0;
        }
        ctx.flush();
    }

    /** Says goodbye the SPDY way and closes once everything queued before is written. */
    static void goAwayAndClose(io.netty.channel.Channel ch) {
        ch.eventLoop().execute(() -> {
            if (ch.isActive()) {
                ch.writeAndFlush(new DefaultSpdyGoAwayFrame(0)).addListener(ChannelFutureListener.CLOSE);
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        streams.values().forEach(s -> s.in().finish());
        streams.clear();
        listener.onClose();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.fine(() -> "SPDY connection from " + ctx.channel().remoteAddress() + " failed: " + cause);
        ctx.close();
    }
}
