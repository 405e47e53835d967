package io.pouch.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Docker's stdcopy framing, used for the output of containers without a TTY: each frame is an 8-byte header
 * {@code [stream, 0, 0, 0, size as uint32 big-endian]} followed by {@code size} bytes. Stream 0 is stdin (written
 * to stdout, as docker does), 1 stdout, 2 stderr, 3 an error message from the daemon that ends the stream.
 */
public final class StdCopy {
    public static final int STDIN = 0;
    public static final int STDOUT = 1;
    public static final int STDERR = 2;
    public static final int SYSTEM_ERROR = 3;

    private StdCopy() {
    }

    /**
     * Copies frames from {@code in} to {@code out}/{@code err} until EOF. A truncated frame at the very end is an
     * error (the daemon died mid-frame); a stream-3 frame becomes a {@link PouchClientException}.
     *
     * @return the number of payload bytes written
     */
    public static long demux(InputStream in, OutputStream out, OutputStream err) throws IOException {
        byte[] header = new byte[8];
        byte[] buf = new byte[32 * 1024];
        long total = 0;
        while (true) {
            int got = readFully(in, header, 0, 8);
            if (got == 0) {
                return total;
            }
            if (got < 8) {
                throw new EOFException("truncated stream header from the daemon");
            }
            int stream = header[0] & 0xff;
            long size = ((header[4] & 0xffL) << 24) | ((header[5] & 0xffL) << 16) | ((header[6] & 0xffL) << 8)
                    | (header[7] & 0xffL);
            if (stream == SYSTEM_ERROR) {
                byte[] msg = in.readNBytes((int) Math.min(size, 1 << 20));
                throw new PouchClientException(500, new String(msg, StandardCharsets.UTF_8));
            }
            OutputStream target = switch (stream) {
                case STDIN, STDOUT -> out;
                case STDERR -> err;
                default -> throw new IOException("unrecognized stream in the daemon's output: " + stream);
            };
            long left = size;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new EOFException("truncated stream frame from the daemon");
                }
                target.write(buf, 0, n);
                left -= n;
                total += n;
            }
            target.flush();
        }
    }

    /** Encodes one frame (used by tests and by anything that fakes a daemon). */
    public static byte[] frame(int stream, byte[] payload) {
        byte[] out = new byte[8 + payload.length];
        out[0] = (byte) stream;
        int n = payload.length;
        out[4] = (byte) (n >>> 24);
        out[5] = (byte) (n >>> 16);
        out[6] = (byte) (n >>> 8);
        out[7] = (byte) n;
        System.arraycopy(payload, 0, out, 8, n);
        return out;
    }

    private static int readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int n = in.read(b, off + done, len - done);
            if (n < 0) {
                break;
            }
            done += n;
        }
        return done;
    }
}
