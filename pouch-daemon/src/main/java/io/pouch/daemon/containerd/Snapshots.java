package io.pouch.daemon.containerd;

import containerd.services.snapshots.v1.SnapshotsGrpc;
import containerd.services.snapshots.v1.SnapshotsOuterClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * containerd's overlayfs snapshotter: image layers as committed snapshots named by chain id, a container's rootfs
 * as the active snapshot named by its id. Calls that take a lease create what the lease then protects.
 */
public final class Snapshots {
    /** The one snapshotter pouchd uses, as containerd names it. */
    public static final String SNAPSHOTTER = "overlayfs";
    /** The lease resource type of a snapshot of {@link #SNAPSHOTTER}. */
    public static final String LEASE_RESOURCE = "snapshots/" + SNAPSHOTTER;

    private final Containerd ctd;

    public Snapshots(Containerd ctd) {
        this.ctd = ctd;
    }

    private SnapshotsGrpc.SnapshotsBlockingStub stub(String lease) {
        return lease == null ? ctd.snapshots() : Containerd.withLease(ctd.snapshots(), lease);
    }

    /** An active (writable) snapshot {@code key} on {@code parent} (null: an empty one); its mounts. */
    public SnapshotMounts prepare(String lease, String key, String parent) {
        return SnapshotMounts.of(Mount.of(Calls.call(() -> stub(lease).prepare(SnapshotsOuterClass.PrepareSnapshotRequest
                .newBuilder().setSnapshotter(SNAPSHOTTER).setKey(key).setParent(parent == null ? "" : parent)
                .build()).getMountsList())));
    }

    /** A read-only view {@code key} of the committed {@code parent}; its mounts. */
    public SnapshotMounts view(String lease, String key, String parent) {
        return SnapshotMounts.of(Mount.of(Calls.call(() -> stub(lease).view(SnapshotsOuterClass.ViewSnapshotRequest
                .newBuilder().setSnapshotter(SNAPSHOTTER).setKey(key).setParent(parent).build()).getMountsList())));
    }

    /** Turns the active snapshot {@code key} into the committed {@code name} (the key is free again). */
    public void commit(String lease, String name, String key) {
        Calls.run(() -> stub(lease).commit(SnapshotsOuterClass.CommitSnapshotRequest.newBuilder()
                .setSnapshotter(SNAPSHOTTER).setName(name).setKey(key).build()));
    }

    public SnapshotMounts mounts(String key) {
        return SnapshotMounts.of(Mount.of(Calls.call(() -> ctd.snapshots().mounts(SnapshotsOuterClass.MountsRequest
                .newBuilder().setSnapshotter(SNAPSHOTTER).setKey(key).build()).getMountsList())));
    }

    /**
     * Removes a snapshot. True when it is gone (or was already); false when it still has children (another
     * image or a container builds on it).
     */
    public boolean remove(String key) {
        try {
            Calls.run(() -> ctd.snapshots().remove(SnapshotsOuterClass.RemoveSnapshotRequest.newBuilder()
                    .setSnapshotter(SNAPSHOTTER).setKey(key).build()));
            return true;
        } catch (ContainerdException e) {
            if (e.isNotFound()) {
                return true;
            }
            if (e.code() == ContainerdException.Code.FAILED_PRECONDITION) {
                return false;
            }
            throw e;
        }
    }

    public boolean exists(String key) {
        try {
            parent(key);
            return true;
        } catch (ContainerdException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw e;
        }
    }

    /** The parent of snapshot {@code key}, "" for a bottom layer. */
    public String parent(String key) {
        return Calls.call(() -> ctd.snapshots().stat(SnapshotsOuterClass.StatSnapshotRequest.newBuilder()
                .setSnapshotter(SNAPSHOTTER).setKey(key).build()).getInfo().getParent());
    }

    /** Bytes used by the snapshot itself (its upper dir), and by the whole chain down from it. */
    public record Usage(long own, long total) {
    }

    public Usage usage(String key) {
        long own = 0;
        long total = 0;
        String k = key;
        boolean first = true;
        while (k != null && !k.isEmpty()) {
            String current = k;
            long size = Calls.call(() -> ctd.snapshots().usage(SnapshotsOuterClass.UsageRequest.newBuilder()
                    .setSnapshotter(SNAPSHOTTER).setKey(current).build()).getSize());
            if (first) {
                own = size;
                first = false;
            }
            total += size;
            k = parent(k);
        }
        return new Usage(own, total);
    }

    /** The names (keys) of every snapshot. */
    public List<String> list() {
        List<String> out = new ArrayList<>();
        Calls.run(() -> ctd.snapshots().list(SnapshotsOuterClass.ListSnapshotsRequest.newBuilder()
                .setSnapshotter(SNAPSHOTTER).build()).forEachRemaining(r -> r.getInfoList().forEach(i -> out.add(i.getName()))));
        return out;
    }

    /**
     * An active snapshot {@code key} on {@code parent} ("" or null: an empty one) carrying {@code labels}, under the
     * lease; its mounts.
     */
    public SnapshotMounts prepare(String lease, String key, String parent, Map<String, String> labels) {
        return SnapshotMounts.of(Mount.of(Calls.call(() -> stub(lease).prepare(SnapshotsOuterClass.PrepareSnapshotRequest
                .newBuilder().setSnapshotter(SNAPSHOTTER).setKey(key).setParent(parent == null ? "" : parent)
                .putAllLabels(labels).build()).getMountsList())));
    }

    /** Turns the active snapshot {@code key} into the committed {@code name} carrying {@code labels}. */
    public void commit(String lease, String name, String key, Map<String, String> labels) {
        Calls.run(() -> stub(lease).commit(SnapshotsOuterClass.CommitSnapshotRequest.newBuilder()
                .setSnapshotter(SNAPSHOTTER).setName(name).setKey(key).putAllLabels(labels).build()));
    }
}
