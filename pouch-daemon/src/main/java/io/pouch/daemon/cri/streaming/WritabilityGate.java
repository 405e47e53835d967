package io.pouch.daemon.cri.streaming;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.io.IOException;

/**
 * Lets writer threads wait while the connection's outbound buffer is above Netty's high-water mark, so a process
 * producing output faster than the client reads it is slowed down instead of queueing it all in memory.
 */
final class WritabilityGate extends ChannelInboundHandlerAdapter {
    private final Object lock = new Object();

    /** Blocks until the channel takes more writes; fails once the connection is gone. */
    void awaitWritable(Channel ch) throws IOException {
        synchronized (lock) {
            while (ch.isActive() && !ch.isWritable()) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the client to read", e);
                }
            }
        }
        if (!ch.isActive()) {
            throw new IOException("the client connection is closed");
        }
    }

    private void wake() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        wake();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        wake();
        ctx.fireChannelInactive();
    }
}
