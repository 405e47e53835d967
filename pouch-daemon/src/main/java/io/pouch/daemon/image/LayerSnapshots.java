package io.pouch.daemon.image;

import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Descriptor;
import io.pouch.daemon.containerd.Diff;
import io.pouch.daemon.containerd.Leases;
import io.pouch.daemon.containerd.SnapshotMounts;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.registry.RegistryException;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Unpacking a layer into the snapshot named by its chain id, as containerd's own unpacker does: Prepare(parent =
 * the previous chain id) under the lease, which needs only the parent's snapshot (a pull does it while the layer's
 * blob still downloads); then pouchd unpacks into it ({@link LayerUnpacker}) or containerd does (Diff.Apply of the
 * stored blob); the snapshot is committed under the chain id once what was unpacked has the config's diff id.
 */
final class LayerSnapshots {
    private static final Logger LOG = Logger.getLogger(LayerSnapshots.class.getName());
    /**
     * Label of a layer snapshot pouchd unpacked itself ({@link LayerUnpacker}); one containerd's Apply unpacked has
     * none. Says which path a pull or load took (the tests check that the fast one is taken).
     */
    static final String UNPACKED_BY = "io.pouch.unpacked-by";

    private final Snapshots snapshots;
    private final Leases leases;
    private final Diff diff;

    LayerSnapshots(Snapshots snapshots, Leases leases, Diff diff) {
        this.snapshots = snapshots;
        this.leases = leases;
        this.diff = diff;
    }

    /**
     * The first step of unpacking a layer: an active snapshot on {@code parent} under the lease, or, when the chain
     * id is committed already, that snapshot put under the lease (nothing to unpack).
     */
    UnpackTarget prepare(String lease, String chainId, String parent) {
        if (snapshots.exists(chainId)) {
            leases.addResource(lease, Snapshots.LEASE_RESOURCE, chainId);
            return new UnpackTarget(chainId, null, SnapshotMounts.of(List.of()));
        }
        String key = "extract-" + UUID.randomUUID() + " " + chainId;
        return new UnpackTarget(chainId, key,
                snapshots.prepare(lease, key, parent, Map.of("containerd.io/snapshot.ref", chainId)));
    }

    /**
     * The end of one layer's unpacking, for pulls and loads alike. A layer pouchd unpacked whole ({@code unpacked}:
     * the digest of the uncompressed stream it unpacked) is committed when that is the config's {@code diffId};
     * otherwise containerd's Apply unpacks the stored blob, into a freshly prepared snapshot when {@code handoff}'s
     * was written to, and its diff id is checked the same way. A mismatch refuses the layer with nothing committed.
     */
    void finish(String lease, UnpackTarget target, UnpackHandoff handoff, String unpacked, String parent,
                Descriptor layer, String diffId) {
        if (unpacked != null) {
            commitUnpacked(lease, target, layer.digest(), unpacked, diffId);
            return;
        }
        UnpackTarget into = target;
        if (handoff != null && handoff.touched()) {
            LOG.fine("layer " + layer.digest() + ": unpacked by containerd instead (" + handoff.failure() + ")");
            abandon(target);
            into = prepare(lease, target.chainId(), parent);
        }
        apply(lease, into, layer, diffId);
    }

    /**
     * containerd unpacks: Diff.Apply of the stored blob into the prepared snapshot; when {@code diffId} is given, the
     * digest of what Apply unpacked must equal it, else the snapshot is dropped before it is committed; Commit.
     */
    void apply(String lease, UnpackTarget target, Descriptor layer, String diffId) {
        if (target.key() == null) {
            return;
        }
        String applied;
        try {
            applied = diff.apply(lease, layer, target.mounts().mounts());
        } catch (ContainerdException e) {
            snapshots.remove(target.key());
            throw PouchException.internal("unpacking layer " + layer.digest() + " failed: " + e.description(), e);
        }
        commitChecked(lease, target, layer.digest(), applied, diffId, Map.of());
    }

    /** Commits a target pouchd unpacked itself ({@link LayerUnpacker}), as {@link #apply} does after Apply. */
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
            snapshots.remove(target.key());
            throw new RegistryException(500, "layer " + layerDigest + " has diff id " + unpacked
                    + " but the image config says " + diffId + ": refused");
        }
        try {
            snapshots.commit(lease, target.chainId(), target.key(), labels);
        } catch (ContainerdException e) {
            snapshots.remove(target.key());
            if (!e.isAlreadyExists()) {
                throw PouchException.internal("committing the unpacked layer " + layerDigest + " failed: "
                        + e.description(), e);
            }
        }
    }

    /** A prepared target that will not be unpacked (its download failed): its active snapshot goes. */
    void abandon(UnpackTarget target) {
        if (target.key() != null) {
            snapshots.remove(target.key());
        }
    }
}
