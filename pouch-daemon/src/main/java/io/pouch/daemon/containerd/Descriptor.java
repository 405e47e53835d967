package io.pouch.daemon.containerd;

import containerd.types.DescriptorOuterClass;

import java.util.Map;

/**
 * A content descriptor as OCI and containerd define it: what a blob is ({@code mediaType}), its {@code digest} and
 * {@code size}, and optional annotations.
 */
public record Descriptor(String mediaType, String digest, long size, Map<String, String> annotations) {
    public Descriptor {
        annotations = Map.copyOf(annotations);
    }

    public Descriptor(String mediaType, String digest, long size) {
        this(mediaType, digest, size, Map.of());
    }

    static Descriptor of(DescriptorOuterClass.Descriptor d) {
        return new Descriptor(d.getMediaType(), d.getDigest(), d.getSize(), d.getAnnotationsMap());
    }

    DescriptorOuterClass.Descriptor toProto() {
        return DescriptorOuterClass.Descriptor.newBuilder().setMediaType(mediaType).setDigest(digest).setSize(size)
                .putAllAnnotations(annotations).build();
    }
}
