package io.pouch.daemon;

import io.pouch.daemon.p2p.P2pBlobs;
import io.pouch.daemon.p2p.P2pTransfer;
import io.pouch.daemon.p2p.RangeSource;
import io.pouch.daemon.registry.Repository;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * pouchd with a stand-in P2P peer, for the end-to-end tests of the pull path around the seam (the real peer
 * replaces it): the peer gets each piece of a blob from the registry through the pull's {@link RangeSource} the
 * first time, and keeps it, as if another peer now held it; a later pull of the same blob (after an rmi) gets
 * those pieces "from peers". So a first pull is all registry bytes, a second one all peer bytes.
 */
public final class RangeSourcePouchd {
    private RangeSourcePouchd() {
    }

    public static void main(String[] args) {
        Pouchd.main(args, (settings, spoolDir) -> new HeldPieces(settings.pieceSize()));
    }

    /** Pieces by blob digest and index, kept for the daemon's life. */
    static final class HeldPieces implements P2pBlobs {
        private final int pieceSize;
        private final Map<String, byte[]> held = new ConcurrentHashMap<>();

        HeldPieces(int pieceSize) {
            this.pieceSize = pieceSize;
        }

        @Override
        public P2pTransfer stream(String digest, long size, LongConsumer progress, Repository.ChunkSink sink,
                                  RangeSource registry) throws IOException {
            long fromRegistry = 0;
            long fromPeers = 0;
            for (long offset = 0; offset < size; offset += pieceSize) {
                int length = (int) Math.min(pieceSize, size - offset);
                String key = digest + "/" + offset / pieceSize;
                byte[] piece = held.get(key);
                if (piece == null) {
                    piece = registry.read(offset, length);
                    if (piece.length != length) {
                        throw new IOException("piece " + key + ": " + piece.length + " bytes, not " + length);
                    }
                    held.put(key, piece);
                    fromRegistry += length;
                } else {
                    fromPeers += length;
                }
                sink.accept(offset, piece, length);
                progress.accept(offset + length);
            }
            return new P2pTransfer(fromRegistry, fromPeers);
        }
    }
}
