package io.pouch.daemon.p2p;

import java.util.List;
import java.util.Map;

/** The JSON bodies of the scheduler protocol (Jackson maps the records; unknown fields are ignored). */
final class Wire {
    private Wire() {
    }

    static final String SCHEDULE = "/p2p/v1/schedule";
    static final String ANNOUNCE = "/p2p/v1/announce";
    static final String REPORT = "/p2p/v1/report";
    static final String LEAVE = "/p2p/v1/leave";
    static final String PIECES = "/p2p/v1/blobs/";
    static final String DIGEST_HEADER = "X-Piece-Digest";
    /** The report reason that bans: the reporter hashed the parent's bytes and they did not match the digest. */
    static final String DIGEST_MISMATCH = "digest-mismatch";
    /** The report reason that only forgets a holding: the parent answered 404 for a piece it was listed for. */
    static final String MISSING = "missing";
    static final String REGISTRY = "registry";
    static final String PEERS = "peers";

    record PeerRef(String id, String address) {
    }

    /**
     * @param fetching pieces the peer is already fetching (not in the contract's minimum: without it the scheduler
     *                 could only re-send those and a long-poll would never wait)
     * @param want     how many new pieces the peer can start now; 0 means the scheduler's default
     * @param stop       the peer gave the blob up (its pull failed or was cancelled): what it was sent to fetch is
     *                   free for others at once, and nothing new is assigned
     */
    record ScheduleRequest(PeerRef peer, String blob, long size, int pieceSize, List<Integer> have,
                           List<Integer> fetching, long waitMs, int want, boolean stop) {
    }

    record Assignment(int index, String digest, String source, List<PeerRef> peers) {
    }

    record ScheduleResponse(List<Assignment> pieces, long retryAfterMs) {
    }

    record AnnounceRequest(PeerRef peer, String blob, long size, int pieceSize, Map<String, String> pieces) {
    }

    record ReportRequest(PeerRef peer, PeerRef bad, String blob, int index, String reason) {
    }

    record LeaveRequest(PeerRef peer) {
    }
}
