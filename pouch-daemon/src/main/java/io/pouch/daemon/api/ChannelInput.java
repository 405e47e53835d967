package io.pouch.daemon.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bytes arriving on a channel, read by a blocking consumer (a handler's virtual thread). Back-pressure: the
 * channel runs with auto-read off and this asks it for one more read only when the consumer has drained
 * everything, so a slow consumer (image load into containerd) never makes us buffer a whole upload.
 * The event loop calls {@link #offer}/{@link #end}/{@link #fail}; the consumer calls read.
 */
final class ChannelInput extends InputStream {
    private final Runnable readMore;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<byte[]> chunks = new ArrayDeque<>();
    private byte[] current;
    private int pos;
    private boolean eof;
    private IOException error;
    private boolean readRequested;

    /** @param readMore asks the channel for one more read (a no-op once the client's side is shut) */
    ChannelInput(Runnable readMore) {
        this.readMore = readMore;
    }

    void offer(byte[] data) {
        if (data.length == 0) {
            return;
        }
        lock.lock();
        try {
            chunks.addLast(data);
            readRequested = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** No more bytes will come (end of body, or the client half-closed). */
    void end() {
        lock.lock();
        try {
            eof = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void fail(IOException e) {
        lock.lock();
        try {
            if (!eof) {
                error = e;
            }
            eof = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** True once every byte up to the end was consumed (so the connection can serve another request). */
    boolean fullyConsumed() {
        lock.lock();
        try {
            return eof && error == null && chunks.isEmpty() && (current == null || pos >= current.length);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for data; false at the end. Caller holds the lock. */
    private boolean fill() throws IOException {
        while (current == null || pos >= current.length) {
            current = chunks.pollFirst();
            pos = 0;
            if (current != null) {
                return true;
            }
            if (eof) {
                if (error != null) {
                    throw error;
                }
                return false;
            }
            if (!readRequested) {
                readRequested = true;
                readMore.run();
            }
            try {
                changed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the request");
            }
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        lock.lock();
        try {
            return fill() ? current[pos++] & 0xff : -1;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int available() {
        lock.lock();
        try {
            int n = current == null ? 0 : current.length - pos;
            for (byte[] c : chunks) {
                n += c.length;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }
}
