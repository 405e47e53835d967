package io.pouch.daemon.containerd;

import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import containerd.services.content.v1.ContentOuterClass;
import io.pouch.api.PouchException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * containerd's content store: blobs by digest, with labels. A blob is written under a lease, through a
 * {@link BlobSink} that containerd verifies on commit: staged beside the supervised containerd's store and handed
 * over whole ({@link StagedBlob}) when pouchd has that store on its filesystem, else over the Content.Write stream
 * ({@link BlobIngest}). NotFound on a delete is success (the goal state holds).
 */
public final class Content {
    /** The lease resource type of a blob. */
    public static final String LEASE_RESOURCE = "content";
    /**
     * Label of a blob pouchd staged and linked into containerd's store ({@link StagedBlob}); one that went through
     * Content.Write has none. Says which path a pull or load took (the tests check that the fast one is taken).
     */
    public static final String STAGED_BY = "io.pouch.staged-by";
    /** Label containerd's diff service puts on a layer blob it wrote: the digest of its uncompressed tar. */
    public static final String UNCOMPRESSED = "containerd.io/uncompressed";

    private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

    private final Containerd ctd;
    private final Leases leases;
    /** The supervised containerd's store on disk, where blobs are staged; empty: Content.Write. */
    private final Optional<LocalContentStore> local;

    public Content(Containerd ctd, Optional<LocalContentStore> local) {
        this.ctd = ctd;
        this.leases = new Leases(ctd);
        this.local = local;
    }

    /** The stream source of a blob write; opened once per attempt. */
    @FunctionalInterface
    public interface Source {
        InputStream open() throws IOException;
    }

    public Optional<ContentInfo> info(String digest) {
        try {
            return Optional.of(Calls.call(() -> ContentInfo.of(ctd.content().info(ContentOuterClass.InfoRequest
                    .newBuilder().setDigest(digest).build()).getInfo())));
        } catch (ContainerdException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Stores a blob whose digest and size are known, under the lease, verified on commit ({@link #ingest}). When it
     * is already there it is only added to the lease and given the labels.
     */
    public void write(String lease, String digest, long size, Source source, Map<String, String> labels)
            throws IOException {
        if (info(digest).isPresent()) {
            adopt(lease, digest, labels);
            return;
        }
        writeNew(lease, digest, size, source, labels);
    }

    /**
     * As {@link #write} for a blob that is almost certainly not stored yet (a new image's config or manifest): written
     * without asking first, adopted when it was there after all.
     */
    public void writeNew(String lease, String digest, long size, Source source, Map<String, String> labels)
            throws IOException {
        try (InputStream in = source.open()) {
            ingest(lease, digest, size).writeAll(in, size, labels);
        } catch (ContainerdException e) {
            if (!e.isAlreadyExists()) {
                throw e;
            }
            adopt(lease, digest, labels);
        }
    }

    /**
     * Stores {@code file}, a file of pouchd's own whose digest pouchd computed over its bytes (a spooled layer of a
     * load or import), under the lease: synced and linked into the supervised containerd's store without a copy
     * ({@link StagedBlob#handOver}), else written as {@link #write} does. Adopted when the namespace has it
     * already. The file stays, read-only, the caller's to remove.
     */
    public void storeOwnFile(String lease, String digest, long size, Path file, Map<String, String> labels)
            throws IOException {
        Optional<LocalContentStore> staging = stagingFor(digest);
        if (staging.isEmpty()) {
            write(lease, digest, size, () -> Files.newInputStream(file), labels);
            return;
        }
        if (info(digest).isPresent()) {
            adopt(lease, digest, labels);
            return;
        }
        if (Files.size(file) != size) {
            throw PouchException.invalidArgument("blob " + digest + " has " + Files.size(file) + " bytes, expected " + size);
        }
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
            c.force(false); // as containerd's commit: the bytes are on disk before the blob is visible
        }
        try {
            StagedBlob.handOver(staging.get(), ctd, lease, digest, size, file, labels);
        } catch (ContainerdException e) {
            if (!e.isAlreadyExists()) {
                throw e;
            }
            adopt(lease, digest, labels);
        }
    }

    /**
     * An open write of a blob; the caller commits or aborts it. Staged beside the supervised containerd's store
     * ({@link StagedBlob}), else through its Content.Write stream ({@link BlobIngest}).
     */
    public BlobSink ingest(String lease, String digest, long size) {
        return stagingFor(digest).<BlobSink>map(store -> new StagedBlob(store, ctd, lease, digest, size))
                .orElseGet(() -> new BlobIngest(ctd, lease, digest, size));
    }

    /** The local store a blob is staged in: only a SHA-256 one (pouchd hashes what it stages), when there is one. */
    private Optional<LocalContentStore> stagingFor(String digest) {
        return local.filter(store -> SHA256.matcher(digest).matches());
    }

    /** Puts a stored blob under the lease and merges {@code labels} into its own. */
    public void adopt(String lease, String digest, Map<String, String> labels) {
        leases.addResource(lease, LEASE_RESOURCE, digest);
        if (!labels.isEmpty()) {
            updateLabels(digest, labels);
        }
    }

    /** Sets (merges) labels on a blob. */
    public void updateLabels(String digest, Map<String, String> labels) {
        FieldMask.Builder mask = FieldMask.newBuilder();
        labels.keySet().forEach(k -> mask.addPaths("labels." + k));
        Calls.run(() -> ctd.content().update(ContentOuterClass.UpdateRequest.newBuilder()
                .setInfo(ContentOuterClass.Info.newBuilder().setDigest(digest).putAllLabels(labels))
                .setUpdateMask(mask).build()));
    }

    /** A whole blob in memory: only for manifests, indexes and configs. */
    public byte[] read(String digest) {
        return Calls.call(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Iterator<ContentOuterClass.ReadContentResponse> it = ctd.content().read(
                    ContentOuterClass.ReadContentRequest.newBuilder().setDigest(digest).build());
            while (it.hasNext()) {
                byte[] b = it.next().getData().toByteArray();
                out.write(b, 0, b.length);
            }
            return out.toByteArray();
        });
    }

    /** A blob as a stream, read in the chunks containerd sends (layers can be large). */
    public InputStream open(String digest) {
        Iterator<ContentOuterClass.ReadContentResponse> it = Calls.call(() -> ctd.content().read(
                ContentOuterClass.ReadContentRequest.newBuilder().setDigest(digest).build()));
        return new InputStream() {
            private ByteString current = ByteString.EMPTY;
            private int pos;

            private boolean fill() {
                while (pos >= current.size()) {
                    if (!Calls.call(it::hasNext)) {
                        return false;
                    }
                    current = Calls.call(it::next).getData();
                    pos = 0;
                }
                return true;
            }

            @Override
            public int read() {
                return fill() ? current.byteAt(pos++) & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) {
                    return 0;
                }
                if (!fill()) {
                    return -1;
                }
                int n = Math.min(len, current.size() - pos);
                current.substring(pos, pos + n).copyTo(b, off);
                pos += n;
                return n;
            }
        };
    }

    /** Deletes the blob; one already gone is fine. */
    public void delete(String digest) {
        Calls.ignoreNotFound(() -> ctd.content().delete(ContentOuterClass.DeleteContentRequest.newBuilder()
                .setDigest(digest).build()));
    }

    /** The digests of every blob. */
    public List<String> list() {
        List<String> out = new ArrayList<>();
        Calls.run(() -> ctd.content().list(ContentOuterClass.ListContentRequest.getDefaultInstance())
                .forEachRemaining(r -> r.getInfoList().forEach(i -> out.add(i.getDigest()))));
        return out;
    }
}
