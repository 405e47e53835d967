package io.pouch.daemon.api;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Holds back a connection's blocking writers ({@link ChannelOutput}) while Netty's outbound buffer is above its
 * high-water mark, and wakes them when the channel becomes writable again or closes.
 */
final class WriteGate extends ChannelInboundHandlerAdapter {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    void awaitWritable(Channel ch) throws IOException {
        lock.lock();
        try {
            while (ch.isActive() && !ch.isWritable()) {
                // the timeout only guards against a missed signal; normally the channel's events wake us
                changed.await(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing the response");
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        signal();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        signal();
        ctx.fireChannelInactive();
    }
}
