package io.pouch.daemon.registry;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bytes of a registry's answer to a {@code Range: bytes=offset-(offset+length-1)} GET, checked: a 206 must
 * start at the offset asked for and hold exactly the bytes asked for; a 200 (a registry, or a proxy before it,
 * that ignores Range) sends the whole blob, which is read up to the offset and then cut at the end of the range.
 */
final class RangeAnswer {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");

    private RangeAnswer() {
    }

    /** The header asking for {@code length} bytes at {@code offset}. */
    static String header(long offset, int length) {
        return "bytes=" + offset + "-" + (offset + length - 1);
    }

    /**
     * @param stall how long the body may send nothing before it is closed (the JDK client has no read timeout)
     * @return the bytes, or null when the status is neither 200 nor 206 (the caller turns it into the error)
     */
    static byte[] read(HttpResponse<InputStream> r, String digest, long offset, int length, Duration stall)
            throws IOException {
        Watched in = new Watched(r.body());
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                while (System.nanoTime() - in.lastRead < stall.toNanos()) {
                    Thread.sleep(Math.min(1000, stall.toMillis()));
                }
                in.close();
            } catch (InterruptedException | IOException ignored) {
                // read to the end, or closed by the reader
            }
        });
        try {
            return read(r, in, digest, offset, length);
        } catch (IOException e) {
            throw System.nanoTime() - in.lastRead >= stall.toNanos()
                    ? new IOException("the registry sent nothing for " + stall.toSeconds() + " s in the range "
                    + header(offset, length) + " of " + digest, e) : e;
        } finally {
            watchdog.interrupt();
        }
    }

    /** A body that notes when it last gave bytes. */
    private static final class Watched extends FilterInputStream {
        volatile long lastRead = System.nanoTime();

        Watched(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            lastRead = System.nanoTime();
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            lastRead = System.nanoTime();
            return n;
        }

        /** Skipped bytes are read here, so that they count as progress too. */
        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(Math.max(n, 1), 64 << 10)];
            int r = read(buf, 0, (int) Math.min(n, buf.length));
            return Math.max(r, 0);
        }
    }

    private static byte[] read(HttpResponse<InputStream> r, InputStream in, String digest, long offset, int length)
            throws IOException {
        if (r.statusCode() == 200) {
            try {
                in.skipNBytes(offset);
            } catch (EOFException e) {
                throw new IOException("the registry ignored the Range request for " + digest + " and its blob ends"
                        + " before offset " + offset);
            }
            return exactly(in, digest, offset, length);
        }
        if (r.statusCode() != 206) {
            return null;
        }
        String range = r.headers().firstValue("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(range.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) != offset
                || Long.parseLong(m.group(2)) != offset + length - 1) {
            throw new IOException("the registry answered the range " + header(offset, length) + " of " + digest
                    + " with Content-Range \"" + range + "\"");
        }
        byte[] bytes = exactly(in, digest, offset, length);
        if (in.read() != -1) {
            throw new IOException("the registry sent more than the " + length + " bytes of the range "
                    + header(offset, length) + " of " + digest);
        }
        return bytes;
    }

    private static byte[] exactly(InputStream in, String digest, long offset, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("the registry sent " + bytes.length + " of the " + length + " bytes at offset "
                    + offset + " of " + digest);
        }
        return bytes;
    }
}
