package io.pouch.daemon.containerd;

import containerd.services.diff.v1.DiffOuterClass;

import java.util.List;

/**
 * containerd's diff service: applies a layer blob of the content store onto mounts, and computes the layer
 * between two sets of mounts (stored as a blob). Calls that take a lease create what the lease then protects.
 */
public final class Diff {
    private final Containerd ctd;

    public Diff(Containerd ctd) {
        this.ctd = ctd;
    }

    /**
     * Unpacks the stored blob {@code layer} into {@code mounts} (an active snapshot's); returns the digest of what
     * was unpacked (the uncompressed stream: the layer's diff id).
     */
    public String apply(String lease, Descriptor layer, List<Mount> mounts) {
        return Calls.call(() -> Containerd.withLease(ctd.diff(), lease).apply(DiffOuterClass.ApplyRequest.newBuilder()
                .setDiff(layer.toProto()).addAllMounts(Mount.toProto(mounts)).build()).getApplied().getDigest());
    }

    /**
     * The changes from {@code left} to {@code right} as a layer blob of {@code mediaType}, written to the content
     * store under {@code ref}; its descriptor. The blob's {@code containerd.io/uncompressed} label is its diff id.
     */
    public Descriptor diff(String lease, List<Mount> left, List<Mount> right, String mediaType, String ref) {
        return Descriptor.of(Calls.call(() -> Containerd.withLease(ctd.diff(), lease).diff(DiffOuterClass.DiffRequest
                .newBuilder().addAllLeft(Mount.toProto(left)).addAllRight(Mount.toProto(right)).setMediaType(mediaType)
                .setRef(ref).build()).getDiff()));
    }
}
