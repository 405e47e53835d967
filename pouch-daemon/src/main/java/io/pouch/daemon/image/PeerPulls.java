package io.pouch.daemon.image;

import io.pouch.daemon.p2p.P2pBlobs;
import io.pouch.daemon.p2p.P2pTransfer;
import io.pouch.daemon.registry.Repository;

import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * Layer downloads through P2P: each goes to the peer ({@link P2pBlobs}) with the host's own registry access for
 * that one blob, and what came from where is added to the daemon's totals ({@code pouch info}, {@code /metrics}).
 * Only layers named by a manifest this host fetched get here: the puller passes the digests of its plan.
 */
public final class PeerPulls {
    private final P2pBlobs blobs;
    private final LongAdder fromRegistry = new LongAdder();
    private final LongAdder fromPeers = new LongAdder();

    public PeerPulls(P2pBlobs blobs) {
        this.blobs = blobs;
    }

    /** Streams one layer of {@code repo} as {@link Repository#streamBlob} would, through the peer. */
    P2pTransfer stream(Repository repo, String digest, long size, LongConsumer progress, Repository.ChunkSink sink)
            throws IOException {
        P2pTransfer t = blobs.stream(digest, size, progress, sink, (offset, length) -> repo.readRange(digest, offset,
                length));
        fromRegistry.add(t.fromRegistry());
        fromPeers.add(t.fromPeers());
        return t;
    }

    /** Layer bytes pulled from registries through P2P since pouchd started. */
    public long fromRegistry() {
        return fromRegistry.sum();
    }

    /** Layer bytes pulled from peers since pouchd started. */
    public long fromPeers() {
        return fromPeers.sum();
    }

    /** {@code P2P: 180 MB from peers, 12 MB from the registry}: a pull's last status line, and pouch info's. */
    static String summary(long fromPeers, long fromRegistry) {
        return size(fromPeers) + " from peers, " + size(fromRegistry) + " from the registry";
    }

    /** Docker's decimal sizes with a space before the unit, as in a sentence: {@code 180 MB}, {@code 0 B}. */
    private static String size(long bytes) {
        return ProgressWriter.humanSize(bytes).replaceFirst("(?<=\\d)(?=[a-zA-Z])", " ");
    }

    /** The totals as {@link #summary} words them. */
    public String totals() {
        return summary(fromPeers(), fromRegistry());
    }
}
