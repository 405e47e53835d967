package io.pouch.daemon.containerd;

import com.google.protobuf.Timestamp;
import containerd.services.images.v1.ImagesOuterClass;

import java.time.Instant;
import java.util.Map;

/** One of containerd's image records: a name pointing at a target (a manifest or an index), with labels. */
public record ImageRecord(String name, Descriptor target, Map<String, String> labels, Instant updatedAt) {
    public ImageRecord {
        labels = Map.copyOf(labels);
    }

    static ImageRecord of(ImagesOuterClass.Image i) {
        return new ImageRecord(i.getName(), Descriptor.of(i.getTarget()), i.getLabelsMap(), instant(i.getUpdatedAt()));
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
