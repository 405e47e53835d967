package io.pouch.daemon.sys;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes on at most {@code limit} bytes and drops the rest: a file archived at the size it was stat'ed at stays
 * that size in the tar even when it grows meanwhile.
 */
public final class BoundedOutputStream extends OutputStream {
    private final OutputStream out;
    private long left;

    public BoundedOutputStream(OutputStream out, long limit) {
        this.out = out;
        this.left = limit;
    }

    @Override
    public void write(int b) throws IOException {
        if (left > 0) {
            out.write(b);
            left--;
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int n = (int) Math.min(len, left);
        if (n > 0) {
            out.write(b, off, n);
            left -= n;
        }
    }
}
