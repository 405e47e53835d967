package io.pouch.daemon.image;

import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import containerd.services.content.v1.ContentOuterClass;
import containerd.services.diff.v1.DiffOuterClass;
import containerd.services.images.v1.ImagesOuterClass;
import containerd.services.leases.v1.LeasesOuterClass;
import containerd.services.snapshots.v1.SnapshotsOuterClass;
import containerd.types.DescriptorOuterClass.Descriptor;
import containerd.types.MountOuterClass.Mount;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.Containerd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The image manager's view of containerd: content blobs, image records, leases and layer snapshots. Thin and
 * stateless; every call goes to containerd. NotFound on a delete is success (the goal state holds).
 */
final class ContainerdImages {
    static final String SNAPSHOTTER = "overlayfs";
    /**
     * Label of a layer snapshot pouchd unpacked itself ({@link LayerUnpacker}); one containerd's Apply unpacked has
     * none. Says which path a pull or load took (the tests check that the fast one is taken).
     */
    static final String UNPACKED_BY = "io.pouch.unpacked-by";
    /**
     * Label of a blob pouchd staged and linked into containerd's store ({@link StagedBlob}); one that went through
     * Content.Write has none. As {@link #UNPACKED_BY}: the tests check that the fast path is taken.
     */
    static final String STAGED_BY = "io.pouch.staged-by";
    static final String GC_REF_CONFIG = "containerd.io/gc.ref.content.config";
    static final String GC_REF_LAYER = "containerd.io/gc.ref.content.l.";
    static final String GC_REF_SNAPSHOT = "containerd.io/gc.ref.snapshot." + SNAPSHOTTER;

    private static final java.util.regex.Pattern SHA256 = java.util.regex.Pattern.compile("sha256:[a-f0-9]{64}");

    private final Containerd ctd;
    /** The supervised containerd's store on disk, where blobs are staged ({@link StagedBlob}); null: Content.Write. */
    private final LocalContentStore local;

    ContainerdImages(Containerd ctd, Optional<LocalContentStore> local) {
        this.ctd = ctd;
        this.local = local.orElse(null);
    }

    // ---- leases ----

    /** A lease that expires by itself after a day, so a crash of pouchd mid-load leaves nothing pinned forever. */
    String createLease(String purpose) {
        String id = "pouch-image-" + purpose + "-" + UUID.randomUUID();
        ctd.leases().create(LeasesOuterClass.CreateRequest.newBuilder().setId(id)
                .putLabels("containerd.io/gc.expire", Instant.now().plusSeconds(86400).toString())
                .build());
        return id;
    }

    void deleteLease(String id) {
        deleteLease(id, false);
    }

    /** {@code sync}: containerd collects what only this lease kept before answering. */
    void deleteLease(String id, boolean sync) {
        try {
            ctd.leases().delete(LeasesOuterClass.DeleteRequest.newBuilder().setId(id).setSync(sync).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
    }

    // ---- content ----

    Optional<ContentOuterClass.Info> blobInfo(String digest) {
        try {
            return Optional.of(ctd.content().info(ContentOuterClass.InfoRequest.newBuilder().setDigest(digest).build()).getInfo());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The stream source of a blob write; opened once per attempt. */
    @FunctionalInterface
    interface Source {
        InputStream open() throws IOException;
    }

    /**
     * Stores a blob whose digest and size are known, under the lease, verified on commit ({@link #ingest}). When it
     * is already there it is only added to the lease and given the labels.
     */
    void writeBlob(String lease, String digest, long size, Source source, Map<String, String> labels) throws IOException {
        if (blobInfo(digest).isPresent()) {
            adoptBlob(lease, digest, labels);
            return;
        }
        try (InputStream in = source.open()) {
            ingest(lease, digest, size).writeAll(in, size, labels);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                throw e;
            }
            adoptBlob(lease, digest, labels);
        }
    }

    /**
     * Stores {@code file}, a file of pouchd's own whose digest pouchd computed over its bytes (a spooled layer of a
     * load or import), under the lease: synced and linked into the supervised containerd's store without a copy
     * ({@link StagedBlob#handOver}), else written as {@link #writeBlob} does. Adopted when the namespace has it
     * already. The file stays, read-only, the caller's to remove.
     */
    void storeOwnFile(String lease, String digest, long size, Path file, Map<String, String> labels) throws IOException {
        if (local == null || !SHA256.matcher(digest).matches()) {
            writeBlob(lease, digest, size, () -> Files.newInputStream(file), labels);
            return;
        }
        if (blobInfo(digest).isPresent()) {
            adoptBlob(lease, digest, labels);
            return;
        }
        if (Files.size(file) != size) {
            throw PouchException.invalidArgument("blob " + digest + " has " + Files.size(file) + " bytes, expected " + size);
        }
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
            c.force(false); // as containerd's commit: the bytes are on disk before the blob is visible
        }
        try {
            StagedBlob.handOver(local, ctd, lease, digest, size, file, labels);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                throw e;
            }
            adoptBlob(lease, digest, labels);
        }
    }

    /**
     * An open write of a blob; the caller commits or aborts it. Staged beside the supervised containerd's store
     * ({@link StagedBlob}), else through its Content.Write stream ({@link BlobIngest}).
     */
    BlobSink ingest(String lease, String digest, long size) {
        if (local != null && SHA256.matcher(digest).matches()) {
            return new StagedBlob(local, ctd, lease, digest, size);
        }
        return new BlobIngest(ctd, lease, digest, size);
    }

    void adoptBlob(String lease, String digest, Map<String, String> labels) {
        ctd.leases().addResource(LeasesOuterClass.AddResourceRequest.newBuilder().setId(lease)
                .setResource(LeasesOuterClass.Resource.newBuilder().setId(digest).setType("content")).build());
        if (!labels.isEmpty()) {
            setBlobLabels(digest, labels);
        }
    }

    /** Sets (merges) labels on a blob. */
    void setBlobLabels(String digest, Map<String, String> labels) {
        FieldMask.Builder mask = FieldMask.newBuilder();
        labels.keySet().forEach(k -> mask.addPaths("labels." + k));
        ctd.content().update(ContentOuterClass.UpdateRequest.newBuilder()
                .setInfo(ContentOuterClass.Info.newBuilder().setDigest(digest).putAllLabels(labels))
                .setUpdateMask(mask).build());
    }

    /** A whole blob in memory: only for manifests, indexes and configs. */
    byte[] readBlob(String digest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Iterator<ContentOuterClass.ReadContentResponse> it = ctd.content().read(
                ContentOuterClass.ReadContentRequest.newBuilder().setDigest(digest).build());
        while (it.hasNext()) {
            byte[] b = it.next().getData().toByteArray();
            out.write(b, 0, b.length);
        }
        return out.toByteArray();
    }

    /** A blob as a stream, read in the chunks containerd sends (layers can be large). */
    InputStream openBlob(String digest) {
        Iterator<ContentOuterClass.ReadContentResponse> it = ctd.content().read(
                ContentOuterClass.ReadContentRequest.newBuilder().setDigest(digest).build());
        return new InputStream() {
            private ByteString current = ByteString.EMPTY;
            private int pos;

            private boolean fill() {
                while (pos >= current.size()) {
                    if (!it.hasNext()) {
                        return false;
                    }
                    current = it.next().getData();
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

    void deleteBlob(String digest) {
        try {
            ctd.content().delete(ContentOuterClass.DeleteContentRequest.newBuilder().setDigest(digest).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
    }

    // ---- image records ----

    List<ImagesOuterClass.Image> listImages() {
        return ctd.images().list(ImagesOuterClass.ListImagesRequest.getDefaultInstance()).getImagesList();
    }

    Optional<ImagesOuterClass.Image> getImage(String name) {
        try {
            return Optional.of(ctd.images().get(ImagesOuterClass.GetImageRequest.newBuilder().setName(name).build()).getImage());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Creates the record, or points an existing one at the new target. */
    ImagesOuterClass.Image putImage(String lease, String name, Descriptor target, Map<String, String> labels) {
        Instant now = Instant.now();
        ImagesOuterClass.Image image = ImagesOuterClass.Image.newBuilder().setName(name).setTarget(target)
                .putAllLabels(labels)
                .setCreatedAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .build();
        var stub = lease == null ? ctd.images() : Containerd.withLease(ctd.images(), lease);
        try {
            return stub.create(ImagesOuterClass.CreateImageRequest.newBuilder().setImage(image).build()).getImage();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                throw e;
            }
            return stub.update(ImagesOuterClass.UpdateImageRequest.newBuilder().setImage(image)
                    .setUpdateMask(FieldMask.newBuilder().addPaths("target").addPaths("labels")).build()).getImage();
        }
    }

    void deleteImage(String name) {
        try {
            ctd.images().delete(ImagesOuterClass.DeleteImageRequest.newBuilder().setName(name).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
    }

    // ---- snapshots ----

    boolean snapshotExists(String key) {
        try {
            ctd.snapshots().stat(SnapshotsOuterClass.StatSnapshotRequest.newBuilder()
                    .setSnapshotter(SNAPSHOTTER).setKey(key).build());
            return true;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The snapshot one layer is unpacked into: {@code key} of an active snapshot prepared on the parent chain, or
     * null when the chain id is a committed snapshot already (then only leased).
     */
    record UnpackTarget(String chainId, String key, List<Mount> mounts) {
    }

    /**
     * The first step of unpacking a layer, as containerd's own unpacker does: Prepare(parent = the previous chain
     * id) under the lease, which needs only the parent's snapshot (a pull does it while the layer's blob still
     * downloads). Then pouchd unpacks into it ({@link LayerUnpacker}, then {@link #commitUnpacked}) or containerd
     * does ({@link #applyUnpack}); the snapshot is committed under the chain id.
     */
    UnpackTarget prepareUnpack(String lease, String chainId, String parent) {
        if (snapshotExists(chainId)) {
            ctd.leases().addResource(LeasesOuterClass.AddResourceRequest.newBuilder().setId(lease)
                    .setResource(LeasesOuterClass.Resource.newBuilder().setId(chainId)
                            .setType("snapshots/" + SNAPSHOTTER)).build());
            return new UnpackTarget(chainId, null, List.of());
        }
        String key = "extract-" + UUID.randomUUID() + " " + chainId;
        List<Mount> mounts = Containerd.withLease(ctd.snapshots(), lease).prepare(SnapshotsOuterClass.PrepareSnapshotRequest.newBuilder()
                .setSnapshotter(SNAPSHOTTER).setKey(key).setParent(parent)
                .putLabels("containerd.io/snapshot.ref", chainId).build()).getMountsList();
        return new UnpackTarget(chainId, key, mounts);
    }

    /**
     * containerd unpacks: Diff.Apply of the stored blob into the prepared snapshot; when {@code diffId} is given, the
     * digest of what Apply unpacked must equal it, else the snapshot is dropped before it is committed; Commit.
     */
    void applyUnpack(String lease, UnpackTarget target, Descriptor layer, String diffId) {
        if (target.key() == null) {
            return;
        }
        String applied;
        try {
            applied = Containerd.withLease(ctd.diff(), lease).apply(DiffOuterClass.ApplyRequest.newBuilder()
                    .setDiff(layer).addAllMounts(target.mounts()).build()).getApplied().getDigest();
        } catch (StatusRuntimeException e) {
            removeSnapshot(target.key());
            throw PouchException.internal("unpacking layer " + layer.getDigest() + " failed: "
                    + e.getStatus().getDescription(), e);
        }
        commitChecked(lease, target, layer.getDigest(), applied, diffId, Map.of());
    }

    /** Commits a target pouchd unpacked itself ({@link LayerUnpacker}), as {@link #applyUnpack} does after Apply. */
    void commitUnpacked(String lease, UnpackTarget target, String layerDigest, String unpacked, String diffId) {
        if (target.key() != null) {
            commitChecked(lease, target, layerDigest, unpacked, diffId, Map.of(UNPACKED_BY, "pouchd"));
        }
    }

    /**
     * Commits the unpacked snapshot under its chain id when what was unpacked ({@code unpacked}, the digest of the
     * uncompressed stream) is the config's {@code diffId}; otherwise drops it and refuses the layer. A chain another
     * pull committed meanwhile is taken as it is.
     */
    private void commitChecked(String lease, UnpackTarget target, String layerDigest, String unpacked, String diffId,
                               Map<String, String> labels) {
        if (diffId != null && !diffId.equals(unpacked)) {
            removeSnapshot(target.key());
            throw new io.pouch.daemon.registry.RegistryException(500, "layer " + layerDigest + " has diff id "
                    + unpacked + " but the image config says " + diffId + ": refused");
        }
        try {
            Containerd.withLease(ctd.snapshots(), lease).commit(SnapshotsOuterClass.CommitSnapshotRequest.newBuilder()
                    .setSnapshotter(SNAPSHOTTER).setName(target.chainId()).setKey(target.key()).putAllLabels(labels)
                    .build());
        } catch (StatusRuntimeException e) {
            removeSnapshot(target.key());
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                throw PouchException.internal("committing the unpacked layer " + layerDigest + " failed: "
                        + e.getStatus().getDescription(), e);
            }
        }
    }

    /** A prepared target that will not be applied (its download failed): its active snapshot goes. */
    void abandonUnpack(UnpackTarget target) {
        if (target.key() != null) {
            removeSnapshot(target.key());
        }
    }

    /** Removes a snapshot; false when it still has children (another image or a container builds on it). */
    boolean removeSnapshot(String key) {
        try {
            ctd.snapshots().remove(SnapshotsOuterClass.RemoveSnapshotRequest.newBuilder()
                    .setSnapshotter(SNAPSHOTTER).setKey(key).build());
            return true;
        } catch (StatusRuntimeException e) {
            Status.Code c = e.getStatus().getCode();
            if (c == Status.Code.NOT_FOUND) {
                return true;
            }
            if (c == Status.Code.FAILED_PRECONDITION) {
                return false;
            }
            throw e;
        }
    }

    List<String> listSnapshots() {
        List<String> out = new ArrayList<>();
        ctd.snapshots().list(SnapshotsOuterClass.ListSnapshotsRequest.newBuilder().setSnapshotter(SNAPSHOTTER).build())
                .forEachRemaining(r -> r.getInfoList().forEach(i -> out.add(i.getName())));
        return out;
    }

    List<String> listBlobs() {
        List<String> out = new ArrayList<>();
        ctd.content().list(ContentOuterClass.ListContentRequest.getDefaultInstance())
                .forEachRemaining(r -> r.getInfoList().forEach(i -> out.add(i.getDigest())));
        return out;
    }
}
