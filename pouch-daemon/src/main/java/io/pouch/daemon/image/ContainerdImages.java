package io.pouch.daemon.image;

import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import containerd.services.content.v1.ContentOuterClass;
import containerd.services.content.v1.ContentOuterClass.WriteAction;
import containerd.services.content.v1.ContentOuterClass.WriteContentRequest;
import containerd.services.content.v1.ContentOuterClass.WriteContentResponse;
import containerd.services.diff.v1.DiffOuterClass;
import containerd.services.images.v1.ImagesOuterClass;
import containerd.services.leases.v1.LeasesOuterClass;
import containerd.services.snapshots.v1.SnapshotsOuterClass;
import containerd.types.DescriptorOuterClass.Descriptor;
import containerd.types.MountOuterClass.Mount;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.Containerd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The image manager's view of containerd: content blobs, image records, leases and layer snapshots. Thin and
 * stateless; every call goes to containerd. NotFound on a delete is success (the goal state holds).
 */
final class ContainerdImages {
    static final String SNAPSHOTTER = "overlayfs";
    static final String GC_REF_CONFIG = "containerd.io/gc.ref.content.config";
    static final String GC_REF_LAYER = "containerd.io/gc.ref.content.l.";
    static final String GC_REF_SNAPSHOT = "containerd.io/gc.ref.snapshot." + SNAPSHOTTER;
    private static final int CHUNK = 1 << 20;
    private static final Object DONE = new Object();

    private final Containerd ctd;

    ContainerdImages(Containerd ctd) {
        this.ctd = ctd;
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
        try {
            ctd.leases().delete(LeasesOuterClass.DeleteRequest.newBuilder().setId(id).build());
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
     * Stores a blob whose digest and size are known, under the lease, verified by containerd on commit. When it
     * is already there it is only added to the lease and given the labels.
     */
    void writeBlob(String lease, String digest, long size, Source source, Map<String, String> labels) throws IOException {
        if (blobInfo(digest).isPresent()) {
            adoptBlob(lease, digest, labels);
            return;
        }
        String ref = "pouch-" + digest.replace(':', '-') + "-" + UUID.randomUUID();
        BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        StreamObserver<WriteContentRequest> requests = Containerd.withLease(ctd.contentAsync(), lease)
                .write(new StreamObserver<>() {
                    @Override
                    public void onNext(WriteContentResponse value) {
                        answers.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answers.add(t);
                    }

                    @Override
                    public void onCompleted() {
                        answers.add(DONE);
                    }
                });
        try (InputStream in = source.open()) {
            long offset = 0;
            byte[] buf = new byte[CHUNK];
            boolean first = true;
            while (true) {
                int n = in.readNBytes(buf, 0, buf.length);
                if (n <= 0) {
                    break;
                }
                WriteContentRequest.Builder b = WriteContentRequest.newBuilder().setAction(WriteAction.WRITE)
                        .setRef(ref).setOffset(offset).setData(ByteString.copyFrom(buf, 0, n));
                if (first) {
                    b.setTotal(size).setExpected(digest);
                    first = false;
                }
                requests.onNext(b.build());
                offset += n;
                if (await(answers, digest) == DONE) {
                    throw PouchException.internal("containerd ended the write of " + digest + " early", null);
                }
            }
            if (offset != size) {
                throw PouchException.invalidArgument("blob " + digest + " has " + offset + " bytes, expected " + size);
            }
            requests.onNext(WriteContentRequest.newBuilder().setAction(WriteAction.COMMIT).setRef(ref)
                    .setOffset(offset).setTotal(size).setExpected(digest).putAllLabels(labels).build());
            requests.onCompleted();
            while (await(answers, digest) != DONE) {
                // the commit answer, possibly twice; the stream then ends
            }
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) {
                adoptBlob(lease, digest, labels);
                return;
            }
            abort(ref, requests);
            throw e;
        } catch (IOException | RuntimeException e) {
            abort(ref, requests);
            throw e;
        }
    }

    private void abort(String ref, StreamObserver<WriteContentRequest> requests) {
        try {
            requests.onError(Status.CANCELLED.withDescription("write abandoned").asRuntimeException());
        } catch (RuntimeException ignored) {
            // already closed
        }
        try {
            ctd.content().abort(ContentOuterClass.AbortRequest.newBuilder().setRef(ref).build());
        } catch (StatusRuntimeException ignored) {
            // nothing was ingested under that ref
        }
    }

    private static Object await(BlockingQueue<Object> answers, String digest) {
        try {
            Object o = answers.poll(10, TimeUnit.MINUTES);
            if (o == null) {
                throw PouchException.internal("containerd did not answer while writing " + digest, null);
            }
            if (o instanceof StatusRuntimeException sre) {
                throw new StatusRuntimeException(sre.getStatus(), sre.getTrailers());
            }
            if (o instanceof Throwable t) {
                throw PouchException.internal("writing " + digest + " to containerd failed: " + t.getMessage(), t);
            }
            return o;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PouchException.internal("interrupted while writing " + digest, e);
        }
    }

    private void adoptBlob(String lease, String digest, Map<String, String> labels) {
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
     * Unpacks layers into the snapshot chain, as containerd's own unpacker does: for each layer whose chain id
     * is not yet a committed snapshot, Prepare(parent = previous chain id) -> Diff.Apply(layer, mounts) ->
     * Commit(name = chain id). Everything is created under the lease.
     */
    void unpack(String lease, List<Descriptor> layers, List<String> chainIds) {
        var snapshots = Containerd.withLease(ctd.snapshots(), lease);
        var diff = Containerd.withLease(ctd.diff(), lease);
        String parent = "";
        for (int i = 0; i < layers.size(); i++) {
            String chainId = chainIds.get(i);
            if (!snapshotExists(chainId)) {
                String key = "extract-" + UUID.randomUUID() + " " + chainId;
                List<Mount> mounts = snapshots.prepare(SnapshotsOuterClass.PrepareSnapshotRequest.newBuilder()
                        .setSnapshotter(SNAPSHOTTER).setKey(key).setParent(parent)
                        .putLabels("containerd.io/snapshot.ref", chainId).build()).getMountsList();
                try {
                    diff.apply(DiffOuterClass.ApplyRequest.newBuilder().setDiff(layers.get(i))
                            .addAllMounts(mounts).build());
                    snapshots.commit(SnapshotsOuterClass.CommitSnapshotRequest.newBuilder()
                            .setSnapshotter(SNAPSHOTTER).setName(chainId).setKey(key).build());
                } catch (StatusRuntimeException e) {
                    removeSnapshot(key);
                    if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                        throw PouchException.internal("unpacking layer " + layers.get(i).getDigest() + " failed: "
                                + e.getStatus().getDescription(), e);
                    }
                }
            } else {
                ctd.leases().addResource(LeasesOuterClass.AddResourceRequest.newBuilder().setId(lease)
                        .setResource(LeasesOuterClass.Resource.newBuilder().setId(chainId)
                                .setType("snapshots/" + SNAPSHOTTER)).build());
            }
            parent = chainId;
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
