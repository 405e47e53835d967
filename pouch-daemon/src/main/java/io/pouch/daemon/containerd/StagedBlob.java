package io.pouch.daemon.containerd;

import io.pouch.api.PouchException;
import io.pouch.daemon.sys.NativeSha256;
import io.pouch.daemon.sys.Trace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.logging.Logger;

/**
 * A blob written to a file of pouchd's own beside the supervised containerd's content store
 * ({@link LocalContentStore}), hashed as it is written, and on commit checked, synced, hard-linked into the store's
 * backing directory and committed through the Content API with no data: containerd's "shared" content policy
 * records a blob whose bytes its backing store already has without reading them again
 * ({@link BlobIngest#commitPresent}).
 *
 * <p>Why: through Content.Write, containerd received every byte over gRPC and hashed it again with Go 1.19's SHA-256
 * (no SHA-NI); that was about 0.3 CPU seconds of a 63 MB pull, as much as all of pouchd's own work, on a machine
 * whose pull is CPU-bound. Here the bytes are written once (a plain file write) and hashed once, by libcrypto.
 *
 * <p>containerd's garbage collector removes backing blobs that no namespace records. From the link until the commit's
 * writer is open (it then keeps the expected digest alive) a collection may remove the linked file; containerd then
 * refuses the commit with OUT_OF_RANGE (it found no bytes), and the link and commit are made once more. Should that
 * fail too, the bytes go through Content.Write from the staged file. The staged file is removed in every case.
 * Not thread-safe: one writer thread.
 */
final class StagedBlob implements BlobSink {
    private static final Logger LOG = Logger.getLogger(StagedBlob.class.getName());

    private final LocalContentStore store;
    private final Containerd ctd;
    private final String lease;
    private final String digest;
    private final long size;
    private final Path file;
    private final FileChannel channel;
    private final MessageDigest sha = NativeSha256.create();
    private long offset;
    private boolean closed;

    StagedBlob(LocalContentStore store, Containerd ctd, String lease, String digest, long size) {
        this.store = store;
        this.ctd = ctd;
        this.lease = lease;
        this.digest = digest;
        this.size = size;
        Path staged = null;
        try {
            staged = store.newStagingFile();
            this.channel = FileChannel.open(staged, StandardOpenOption.WRITE);
        } catch (IOException e) {
            if (staged != null) {
                try {
                    Files.deleteIfExists(staged);
                } catch (IOException ignored) {
                    // removed at the next start with the rest of the spool directory
                }
            }
            throw PouchException.internal("cannot stage blob " + digest + ": " + e.getMessage(), e);
        }
        this.file = staged;
    }

    /** For tests: the staged file (its inode becomes the blob's). */
    Path stagedFile() {
        return file;
    }

    @Override
    public long offset() {
        return offset;
    }

    @Override
    public void write(long at, byte[] data, int off, int len) {
        try {
            if (at == 0 && offset > 0) {
                channel.truncate(0);
                channel.position(0);
                sha.reset();
                offset = 0;
            } else if (at != offset) {
                throw new IllegalStateException("write at " + at + " but the staged blob " + digest + " is at " + offset);
            }
            if (at + len > size) {
                throw PouchException.invalidArgument("blob " + digest + " has more than the expected " + size + " bytes");
            }
            ByteBuffer b = ByteBuffer.wrap(data, off, len);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw PouchException.internal("cannot stage blob " + digest + ": " + e.getMessage(), e);
        }
        sha.update(data, off, len);
        offset += len;
    }

    @Override
    public void commit(Map<String, String> labels) {
        try {
            if (offset != size) {
                throw PouchException.invalidArgument("blob " + digest + " has " + offset + " bytes, expected " + size);
            }
            String actual = "sha256:" + HexFormat.of().formatHex(sha.digest());
            if (!actual.equals(digest)) {
                // containerd's own words for it (the callers turn FAILED_PRECONDITION into their message)
                throw new ContainerdException(ContainerdException.Code.FAILED_PRECONDITION, "unexpected commit digest "
                        + actual + ", expected " + digest, null);
            }
            // as containerd's commit: the bytes are on disk before the blob is visible
            channel.force(false);
            closeChannel();
            Trace.mark("blob", digest.substring(digest.indexOf(':') + 1), "staged");
            handOver(store, ctd, lease, digest, size, file, labels);
        } catch (IOException e) {
            throw PouchException.internal("cannot store blob " + digest + ": " + e.getMessage(), e);
        } finally {
            discard();
        }
    }

    /**
     * Puts {@code file}, which holds exactly the blob {@code digest} (checked by pouchd) and is on disk (synced), into
     * containerd's content store under {@code lease}: read-only, hard-linked into the backing store and committed with
     * no data; when containerd does not take it twice (or the link cannot be made), through Content.Write. The file
     * stays where it is, the caller's to remove. Throws {@link ContainerdException} ALREADY_EXISTS when the namespace
     * has the blob.
     */
    static void handOver(LocalContentStore store, Containerd ctd, String lease, String digest, long size, Path file,
                         Map<String, String> labels) throws IOException {
        // read-only from here on, as containerd leaves its blobs
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        Map<String, String> marked = new HashMap<>(labels);
        marked.put(Content.STAGED_BY, "pouchd");
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                store.link(file, digest);
            } catch (IOException e) {
                LOG.warning("cannot link " + file + " into containerd's store (" + e + "): " + digest
                        + " goes through Content.Write");
                stream(ctd, lease, digest, size, file, labels);
                return;
            }
            BlobIngest handover = new BlobIngest(ctd, lease, digest, size);
            try {
                handover.commitPresent(marked);
                return;
            } catch (ContainerdException e) {
                if (e.code() != ContainerdException.Code.OUT_OF_RANGE) {
                    throw e;
                }
                handover.abort(); // containerd found no bytes: a collection removed them, or it does not share
            }
        }
        LOG.warning("containerd did not take the staged blob " + digest + ": its bytes go through Content.Write");
        stream(ctd, lease, digest, size, file, labels);
    }

    /** The fallback: the file's bytes through containerd's Content.Write stream. */
    private static void stream(Containerd ctd, String lease, String digest, long size, Path file,
                               Map<String, String> labels) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            new BlobIngest(ctd, lease, digest, size).writeAll(in, size, labels);
        }
    }

    @Override
    public void abort() {
        discard();
    }

    private void closeChannel() throws IOException {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }

    private void discard() {
        try {
            closeChannel();
        } catch (IOException ignored) {
            // removed below either way
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warning("cannot remove staged blob " + file + ": " + e.getMessage() + " (removed at the next start)");
        }
    }
}
