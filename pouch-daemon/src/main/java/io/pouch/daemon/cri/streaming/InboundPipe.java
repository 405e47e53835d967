package io.pouch.daemon.cri.streaming;

import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * The bytes a client sends on one stream, as a blocking {@link InputStream} for the runtime's thread. The event loop
 * {@link #offer}s chunks and {@link #finish}es it on the client's half-close; past {@link #HIGH_WATER} buffered
 * bytes the connection stops reading (see {@link ReadGate}).
 */
final class InboundPipe extends InputStream {
    static final int HIGH_WATER = 256 * 1024;

    private final ReadGate gate;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private byte[] current;
    private int pos;
    private int buffered;
    private boolean eof;
    private boolean closed;
    private boolean holdingGate;

    InboundPipe(ReadGate gate) {
        this.gate = gate;
    }

    /** Copies the readable bytes of {@code data} (the caller keeps ownership of the buffer). */
    void offer(ByteBuf data) {
        int n = data.readableBytes();
        if (n == 0) {
            return;
        }
        byte[] copy = new byte[n];
        data.getBytes(data.readerIndex(), copy);
        boolean pause;
        synchronized (this) {
            if (closed || eof) {
                return;
            }
            chunks.add(copy);
            buffered += n;
            pause = buffered > HIGH_WATER && !holdingGate;
            if (pause) {
                holdingGate = true;
            }
            notifyAll();
        }
        if (pause) {
            gate.pipeFull();
        }
    }

    /** The client will send no more: readers get end of stream once the buffered bytes are read. */
    synchronized void finish() {
        eof = true;
        notifyAll();
    }

    synchronized boolean finished() {
        return eof;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n;
        boolean resume = false;
        synchronized (this) {
            while (current == null && chunks.isEmpty() && !eof && !closed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while reading the client's stream", e);
                }
            }
            if (closed) {
                throw new IOException("stream closed");
            }
            if (current == null) {
                current = chunks.poll();
                pos = 0;
                if (current == null) {
                    return -1;
                }
            }
            n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            if (pos == current.length) {
                current = null;
            }
            buffered -= n;
            if (holdingGate && buffered <= HIGH_WATER / 2) {
                holdingGate = false;
                resume = true;
            }
        }
        if (resume) {
            gate.pipeDrained();
        }
        return n;
    }

    @Override
    public synchronized int available() {
        return current == null ? (chunks.isEmpty() ? 0 : chunks.peek().length) : current.length - pos;
    }

    /** Drops what is buffered and wakes a blocked reader; later offers are discarded. */
    @Override
    public void close() {
        boolean resume;
        synchronized (this) {
            closed = true;
            chunks.clear();
            current = null;
            buffered = 0;
            resume = holdingGate;
            holdingGate = false;
            notifyAll();
        }
        if (resume) {
            gate.pipeDrained();
        }
    }
}
