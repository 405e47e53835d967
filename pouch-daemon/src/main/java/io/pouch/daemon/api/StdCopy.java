package io.pouch.daemon.api;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Docker's stdcopy framing for non-TTY output: each frame is an 8-byte header {@code [stream, 0, 0, 0,
 * uint32 big-endian length]} then the payload; stream 1 = stdout, 2 = stderr (0 = stdin, 3 = systemerr exist in
 * the format but we never send them). TTY output is sent raw, without headers.
 */
public final class StdCopy {
    public static final int STDIN = 0;
    public static final int STDOUT = 1;
    public static final int STDERR = 2;
    public static final String RAW_STREAM = "application/vnd.docker.raw-stream";
    public static final String MULTIPLEXED_STREAM = "application/vnd.docker.multiplexed-stream";

    private StdCopy() {
    }

    /** The 8-byte header of a frame of {@code length} bytes. */
    public static byte[] header(int stream, int length) {
        return new byte[]{(byte) stream, 0, 0, 0,
                (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    /** One frame (header and payload) as one array, so it goes out in one write. */
    public static byte[] frame(int stream, byte[] b, int off, int len) {
        byte[] f = new byte[8 + len];
        System.arraycopy(header(stream, len), 0, f, 0, 8);
        System.arraycopy(b, off, f, 8, len);
        return f;
    }

    /** Writes {@code b[off..off+len)} framed (non-TTY) or raw (TTY). Empty payloads are not sent. */
    public static void write(OutputStream out, boolean tty, int stream, byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        if (tty) {
            out.write(b, off, len);
        } else {
            out.write(frame(stream, b, off, len));
        }
    }

    /** The content type of an attach, exec or logs stream: multiplexed only for non-TTY from API 1.42 on. */
    public static String contentType(boolean tty, ApiVersion v) {
        return !tty && v.atLeast(1, 42) ? MULTIPLEXED_STREAM : RAW_STREAM;
    }

    /** A decoded frame. */
    public record Frame(int stream, byte[] payload) {
    }

    /** Reads the next frame, or null at a clean EOF between frames. For clients and tests. */
    public static Frame read(InputStream in) throws IOException {
        byte[] h = in.readNBytes(8);
        if (h.length == 0) {
            return null;
        }
        if (h.length < 8) {
            throw new EOFException("truncated stdcopy header");
        }
        int len = ((h[4] & 0xff) << 24) | ((h[5] & 0xff) << 16) | ((h[6] & 0xff) << 8) | (h[7] & 0xff);
        byte[] p = in.readNBytes(len);
        if (p.length < len) {
            throw new EOFException("truncated stdcopy frame");
        }
        return new Frame(h[0], p);
    }
}
