package io.pouch.daemon.image;

import io.pouch.api.PouchException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Reads a whole layer blob before anything is stored: its diff id (sha256 of the uncompressed tar, including
 * the zero blocks after the end marker) and every entry checked by {@link TarGuard}.
 */
final class LayerCheck {
    /** @param diffId {@code sha256:<hex>} of the uncompressed stream; {@code gzip} whether the blob is gzipped */
    record Result(String diffId, boolean gzip, long uncompressedSize, boolean zstd) {
        Result(String diffId, boolean gzip, long uncompressedSize) {
            this(diffId, gzip, uncompressedSize, false);
        }

        /** The layer media type for the blob's compression (Docker's names; OCI's for zstd, which Docker's lack). */
        String mediaType() {
            return zstd ? ArchiveLoader.OCI_LAYER_ZSTD : gzip ? ArchiveLoader.DOCKER_LAYER_GZIP : ArchiveLoader.DOCKER_LAYER;
        }
    }

    private LayerCheck() {
    }

    static Result check(InputStream blob, String what) throws IOException {
        return check(blob, what, true);
    }

    /**
     * As {@link #check(InputStream, String)}; with {@code diffId} false the entries are checked but no digest is
     * computed ({@link Result#diffId()} is null): a pull leaves that to containerd's diff service, whose Apply
     * returns the digest of what it unpacked, checked before the snapshot is committed.
     */
    static Result check(InputStream blob, String what, boolean diffId) throws IOException {
        BufferedInputStream b = new BufferedInputStream(blob, 1 << 16);
        b.mark(4);
        byte[] magic = b.readNBytes(4);
        b.reset();
        boolean gzip = magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
        boolean zstd = magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd;
        InputStream raw = ArchiveSpool.decompressed(b);
        MessageDigest md = diffId ? ChainIds.digest() : null;
        CountingDigestStream counted = new CountingDigestStream(raw, md);
        TarGuard guard = new TarGuard(what);
        try {
            TarArchiveInputStream tar = new TarArchiveInputStream(counted);
            TarArchiveEntry e;
            // perf: an entry's content is read through here in large pieces; left to getNextEntry, the tar
            // stream skips it through small buffers allocated per call (5 of 16 JFR samples of pouchd in a pull)
            byte[] content = new byte[1 << 16];
            while ((e = tar.getNextEntry()) != null) {
                guard.check(e);
                while (tar.read(content) > 0) {
                    // only the entries are checked
                }
            }
        } catch (IOException e) {
            throw PouchException.invalidArgument(what + " is not a valid tar archive: " + e.getMessage());
        }
        counted.transferTo(OutputSink.INSTANCE);
        return new Result(md == null ? null : "sha256:" + HexFormat.of().formatHex(md.digest()), gzip, counted.count, zstd);
    }

    private static final class CountingDigestStream extends DigestInputStream {
        long count;

        CountingDigestStream(InputStream in, MessageDigest md) {
            super(in, md);
            on(md != null);
        }

        @Override
        public int read() throws IOException {
            int r = super.read();
            if (r >= 0) {
                count++;
            }
            return r;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int r = super.read(b, off, len);
            if (r > 0) {
                count += r;
            }
            return r;
        }

        /** Never closes the underlying stream early: TarArchiveInputStream must not end the digest. */
        @Override
        public void close() {
        }
    }

    private static final class OutputSink extends java.io.OutputStream {
        static final OutputSink INSTANCE = new OutputSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
