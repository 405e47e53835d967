package io.pouch.daemon.cri.streaming;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Bytes the server sends on one logical stream of a multiplexed connection (a SPDY stream, a WebSocket channel),
 * framed by a {@link Framer}. Writes block while the connection is not writable (see {@link WritabilityGate}).
 */
final class FrameOutputStream extends OutputStream {
    /** Payload per frame: well under SPDY's 24-bit length and small enough to interleave streams fairly. */
    static final int MAX_CHUNK = 32 * 1024;

    /** Wraps payload into the transport's frame, and gives the frame that ends the stream (null when none). */
    interface Framer {
        Object data(ByteBuf payload);

        Object end();
    }

    private final Channel channel;
    private final WritabilityGate gate;
    private final Framer framer;
    private boolean closed;

    FrameOutputStream(Channel channel, WritabilityGate gate, Framer framer) {
        this.channel = channel;
        this.gate = gate;
        this.framer = framer;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        while (len > 0) {
            int n = Math.min(len, MAX_CHUNK);
            gate.awaitWritable(channel);
            channel.writeAndFlush(framer.data(Unpooled.copiedBuffer(b, off, n)));
            off += n;
            len -= n;
        }
    }

    /** Sends a frame with no payload (a WebSocket client reads it as "the channel is ready"). */
    synchronized void writeEmpty() throws IOException {
        gate.awaitWritable(channel);
        channel.writeAndFlush(framer.data(Unpooled.EMPTY_BUFFER));
    }

    /** Ends the stream for the client (end of file on its side); further writes fail. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Object end = framer.end();
        if (end != null && channel.isActive()) {
            channel.writeAndFlush(end);
        }
    }
}
