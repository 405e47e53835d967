package io.pouch.daemon.containerd;

import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import containerd.services.images.v1.ImagesGrpc;
import containerd.services.images.v1.ImagesOuterClass;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * containerd's image records: one per image name, pointing at the image's manifest. A record keeps what its
 * target references (through the GC labels on the blobs) from containerd's garbage collector.
 */
public final class ImageRecords {
    private final Containerd ctd;

    public ImageRecords(Containerd ctd) {
        this.ctd = ctd;
    }

    public List<ImageRecord> list() {
        return Calls.call(() -> ctd.images().list(ImagesOuterClass.ListImagesRequest.getDefaultInstance())
                .getImagesList().stream().map(ImageRecord::of).toList());
    }

    public Optional<ImageRecord> get(String name) {
        try {
            return Optional.of(Calls.call(() -> ImageRecord.of(ctd.images().get(ImagesOuterClass.GetImageRequest
                    .newBuilder().setName(name).build()).getImage())));
        } catch (ContainerdException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Creates the record, or points an existing one at the new target (and labels); returns it as stored. */
    public ImageRecord put(String lease, String name, Descriptor target, Map<String, String> labels) {
        Instant now = Instant.now();
        ImagesOuterClass.Image image = ImagesOuterClass.Image.newBuilder().setName(name).setTarget(target.toProto())
                .putAllLabels(labels)
                .setCreatedAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .build();
        ImagesGrpc.ImagesBlockingStub stub = lease == null ? ctd.images() : Containerd.withLease(ctd.images(), lease);
        try {
            return ImageRecord.of(Calls.call(() -> stub.create(ImagesOuterClass.CreateImageRequest.newBuilder()
                    .setImage(image).build()).getImage()));
        } catch (ContainerdException e) {
            if (!e.isAlreadyExists()) {
                throw e;
            }
            return ImageRecord.of(Calls.call(() -> stub.update(ImagesOuterClass.UpdateImageRequest.newBuilder()
                    .setImage(image).setUpdateMask(FieldMask.newBuilder().addPaths("target").addPaths("labels"))
                    .build()).getImage()));
        }
    }

    /** Deletes the record; one already gone is fine. */
    public void delete(String name) {
        Calls.ignoreNotFound(() -> ctd.images().delete(ImagesOuterClass.DeleteImageRequest.newBuilder().setName(name)
                .build()));
    }
}
