package io.pouch.daemon.p2p;
/** Where a pull's layer bytes come from when P2P is on. */
public interface P2pBlobs {
    /**
     * Streams the blob into sink in ascending offset order, exactly as Repository.streamBlob does (same ChunkSink
     * contract; bytes verified per piece before they reach the sink), taking pieces from peers the scheduler names
     * and, where told to (or when the scheduler is unreachable), from the registry through {@code registry}.
     * Returns where the bytes came from.
     */
    P2pTransfer stream(String digest, long size, java.util.function.LongConsumer progress,
                       io.pouch.daemon.registry.Repository.ChunkSink sink, RangeSource registry) throws java.io.IOException;
}
