package io.pouch.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The body of one connection as a blocking {@link InputStream}. The channel runs with auto-read off and this
 * stream asks for more only when it has handed out everything it holds, so a slow reader (a pipe, a terminal)
 * holds the daemon back instead of filling our heap with an image tarball.
 */
final class ChannelBody extends InputStream {
    /** Queue marker for "no more bytes": end of the HTTP body or the connection closing. */
    static final Object END = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Channel channel;
    private ByteBuf current;
    private boolean ended;

    ChannelBody(Channel channel) {
        this.channel = channel;
    }

    /** Called on the event loop with a retained buffer, {@link #END} or a Throwable. */
    void offer(Object item) {
        queue.add(item);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (current == null || !current.isReadable()) {
            if (current != null) {
                current.release();
                current = null;
            }
            if (ended) {
                return -1;
            }
            Object item = next();
            if (item == END) {
                ended = true;
                return -1;
            }
            if (item instanceof Throwable t) {
                ended = true;
                throw new IOException(t.getMessage() == null ? t.toString() : t.getMessage(), t);
            }
            current = (ByteBuf) item;
        }
        int n = Math.min(len, current.readableBytes());
        current.readBytes(b, off, n);
        return n;
    }

    private Object next() throws IOException {
        try {
            Object item = queue.poll();
            while (item == null) {
                // Ask for more; repeated asks are harmless and cover a read that produced no body bytes.
                channel.read();
                item = queue.poll(500, TimeUnit.MILLISECONDS);
            }
            return item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading from the daemon");
        }
    }

    @Override
    public int available() {
        return current == null ? 0 : current.readableBytes();
    }

    /**
     * Closes the connection. Safe from another thread while a reader waits in {@link #read}: the channel closes
     * and END is queued before taking the reader's lock, so the reader wakes up, sees the end and lets go.
     */
    @Override
    public void close() {
        channel.close();
        queue.add(END);
        synchronized (this) {
            ended = true;
            if (current != null) {
                current.release();
                current = null;
            }
            Object item;
            while ((item = queue.poll()) != null) {
                if (item instanceof ByteBuf buf) {
                    buf.release();
                }
            }
        }
    }
}
