package io.pouch.daemon.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Function;

/**
 * A blocking OutputStream onto a channel for a handler's virtual thread. Every write is flushed at once (log
 * follow, progress and attach output must reach the client as they happen) and blocks while Netty's outbound
 * buffer is above its high-water mark, so a slow client slows the producer instead of filling our memory.
 */
final class ChannelOutput extends OutputStream {
    private final Channel channel;
    private final WriteGate gate;
    private final Function<ByteBuf, Object> wrap;
    private final Runnable onClose;
    private volatile Throwable failure;
    private boolean closed;

    /**
     * @param wrap    turns bytes into the message the pipeline expects (HttpContent, or a raw ByteBuf once hijacked)
     * @param onClose ends the answer (last chunk, or closing the connection); runs once
     */
    ChannelOutput(Channel channel, WriteGate gate, Function<ByteBuf, Object> wrap, Runnable onClose) {
        this.channel = channel;
        this.gate = gate;
        this.wrap = wrap;
        this.onClose = onClose;
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
        if (len == 0) {
            return;
        }
        check();
        gate.awaitWritable(channel);
        check();
        ByteBuf buf = Unpooled.copiedBuffer(b, off, len);
        ChannelFuture f = channel.writeAndFlush(wrap.apply(buf));
        f.addListener(x -> {
            if (!x.isSuccess()) {
                failure = x.cause();
            }
        });
    }

    private void check() throws IOException {
        if (failure != null) {
            throw new IOException("client connection lost: " + failure.getMessage(), failure);
        }
        if (!channel.isActive()) {
            throw new IOException("client connection closed");
        }
    }

    @Override
    public void flush() {
        // every write is flushed already
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }
}
