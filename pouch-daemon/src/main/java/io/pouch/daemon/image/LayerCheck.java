package io.pouch.daemon.image;

import io.pouch.api.PouchException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
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
     * computed ({@link Result#diffId()} is null): a pull that leaves unpacking to containerd's Apply, which returns
     * the digest of what it unpacked, checked before the snapshot is committed.
     */
    static Result check(InputStream blob, String what, boolean diffId) throws IOException {
        return check(blob, what, diffId, null);
    }

    /**
     * As {@link #check(InputStream, String, boolean)}, and when {@code unpack} is not null each checked entry is
     * also unpacked into the snapshot it hands over ({@link LayerUnpacker}), and the diff id is computed whatever
     * {@code diffId} says (it proves what was unpacked); a failure to unpack is reported there, never as a fault of
     * the layer.
     */
    static Result check(InputStream blob, String what, boolean diffId, UnpackHandoff unpack) throws IOException {
        if (unpack == null) {
            return checkAndUnpack(blob, what, diffId, null);
        }
        try {
            Result r = checkAndUnpack(blob, what, true, unpack);
            unpack.done(r.diffId()); // no-op when unpacking stopped before (it completed the handoff then)
            return r;
        } finally {
            unpack.abandon();
        }
    }

    private static Result checkAndUnpack(InputStream blob, String what, boolean diffId, UnpackHandoff unpack)
            throws IOException {
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
            // an entry's content is read through here in large pieces; left to getNextEntry, the tar
            // stream skips it through small buffers allocated per call (5 of 16 JFR samples of pouchd in a pull)
            byte[] content = new byte[1 << 16];
            Unpacking unpacking = new Unpacking(unpack);
            while ((e = tar.getNextEntry()) != null) {
                String name = guard.check(e);
                unpacking.entry(e, name, tar);
                while (tar.read(content) > 0) {
                    // only the entries are checked
                }
            }
            unpacking.finish();
        } catch (InterruptedIOException e) {
            throw e; // cancelled: not a fault of the layer
        } catch (IOException e) {
            throw PouchException.invalidArgument(what + " is not a valid tar archive: " + e.getMessage());
        }
        counted.transferTo(OutputSink.INSTANCE);
        return new Result(md == null ? null : "sha256:" + HexFormat.of().formatHex(md.digest()), gzip, counted.count, zstd);
    }

    /** The unpacking side of a check: waits for its snapshot at the first entry, stops at its first failure. */
    private static final class Unpacking {
        private final UnpackHandoff handoff;
        private LayerUnpacker unpacker;
        private boolean active;

        Unpacking(UnpackHandoff handoff) {
            this.handoff = handoff;
            this.active = handoff != null;
        }

        void entry(TarArchiveEntry e, String name, InputStream content) throws IOException {
            if (open()) {
                try {
                    unpacker.entry(e, name, content);
                } catch (IOException | RuntimeException x) {
                    stop(x);
                }
            }
        }

        void finish() throws IOException {
            if (open()) {
                try {
                    unpacker.finish();
                } catch (IOException | RuntimeException x) {
                    stop(x);
                }
            } else if (handoff != null) {
                handoff.abandon();
            }
        }

        private boolean open() throws IOException {
            if (active && unpacker == null) {
                try {
                    unpacker = handoff.await();
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("layer check cancelled");
                }
                active = unpacker != null;
            }
            return active;
        }

        private void stop(Exception x) {
            active = false;
            handoff.failed(x);
        }
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

    private static final class OutputSink extends OutputStream {
        static final OutputSink INSTANCE = new OutputSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
