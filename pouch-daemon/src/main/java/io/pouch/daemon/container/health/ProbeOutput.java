package io.pouch.daemon.container.health;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A probe's stdout and stderr as dockerd keeps them: the first 4096 bytes, then {@code ...} when there was more. */
final class ProbeOutput extends OutputStream {
    static final int MAX = 4096;

    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private boolean truncated;

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int keep = Math.min(MAX - buf.size(), len);
        if (keep > 0) {
            buf.write(b, off, keep);
        }
        if (keep < len) {
            truncated = true;
        }
    }

    /** Invalid UTF-8 becomes U+FFFD, as Go's JSON encoding makes it. */
    @Override
    public synchronized String toString() {
        String s = buf.toString(StandardCharsets.UTF_8);
        return truncated ? s + "..." : s;
    }

    synchronized boolean isEmpty() {
        return buf.size() == 0 && !truncated;
    }
}
