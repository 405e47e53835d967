package io.pouch.daemon.containerd;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * One blob on its way into containerd's content store, written in order by one thread and then committed with its
 * expected digest and size, or aborted. Two ways: through containerd's Content.Write stream ({@link BlobIngest}),
 * or staged beside the supervised containerd's local store and handed over whole ({@link StagedBlob}).
 */
public interface BlobSink {
    /** Bytes written so far. */
    long offset();

    /**
     * Appends {@code data[off, off + len)}; the caller may reuse the array when this returns. {@code at} must be the
     * current offset, or 0 to start over.
     */
    void write(long at, byte[] data, int off, int len);

    /**
     * Commits with the expected digest and size. Throws {@link ContainerdException} as containerd answers:
     * FAILED_PRECONDITION when the bytes are not the expected ones (nothing is stored), ALREADY_EXISTS when the blob is
     * there already (the caller adopts it).
     */
    void commit(Map<String, String> labels);

    /** Drops what was written; nothing is stored. */
    void abort();

    /**
     * Writes everything {@code in} holds, then commits (as {@link #commit}); any failure aborts first. One byte past
     * {@code size} is read, so a source longer than the blob fails instead of being cut.
     */
    default void writeAll(InputStream in, long size, Map<String, String> labels) throws IOException {
        try {
            while (true) {
                byte[] buf = in.readNBytes((int) Math.max(1, Math.min(BlobIngest.CHUNK, size - offset())));
                if (buf.length == 0) {
                    break;
                }
                write(offset(), buf, 0, buf.length);
            }
            commit(labels);
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }
}
