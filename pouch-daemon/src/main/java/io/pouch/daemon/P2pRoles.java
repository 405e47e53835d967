package io.pouch.daemon;

import io.pouch.api.PouchException;
import io.pouch.daemon.config.P2pConfig;
import io.pouch.daemon.p2p.P2pBlobs;
import io.pouch.daemon.p2p.P2pPeer;
import io.pouch.daemon.p2p.P2pSettings;
import io.pouch.daemon.p2p.SchedulerServer;

import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The P2P roles a pouchd runs, from its {@link P2pConfig}: the peer its pulls take layers through
 * ({@code --p2p-enable}) and the scheduler ({@code --p2p-scheduler-listen}). The one place both are made.
 */
final class P2pRoles {
    private static final Logger LOG = Logger.getLogger("pouchd.p2p");
    /**
     * Makes the peer of this pouchd's pulls; it serves pieces to other peers as long as pouchd runs, and keeps the
     * pieces it holds under {@code spoolDir}.
     */
    @FunctionalInterface
    interface PeerFactory {
        P2pBlobs start(P2pSettings settings, Path spoolDir) throws Exception;
    }

    /** The peer of this build; a test's launcher may start pouchd with a peer of its own instead. */
    static final PeerFactory PEER = P2pPeer::start;

    private P2pRoles() {
    }

    /**
     * Refuses at start what cannot run, before anything else starts.
     *
     * @param peers the peer factory pouchd was started with (a test's own, or {@link #PEER})
     */
    static void check(P2pConfig config, PeerFactory peers) {
        if (config.enabled() && peers == null) {
            throw PouchException.invalidArgument("cannot honour --p2p-enable (\"p2p\": {\"enable\": true}): no"
                    + " P2P peer was given to this pouchd");
        }
    }

    /** The peer pulls go through, or null when P2P is off. */
    static P2pBlobs peer(P2pConfig config, PeerFactory peers, Path spoolDir) throws Exception {
        if (!config.enabled()) {
            return null;
        }
        if (config.token() != null) {
            LOG.warning("P2P peers are trusted by a shared token over plain HTTP (--p2p-token): anyone who can reach"
                    + " a peer and knows the token can fetch its blobs, and pieces travel unencrypted; for tests"
                    + " only, use mutual TLS (--p2p-ca, --p2p-cert, --p2p-key) elsewhere");
        }
        return peers.start(settings(config), spoolDir);
    }

    static P2pSettings settings(P2pConfig c) {
        return new P2pSettings(c.enabled(), c.scheduler(), c.listen(), c.advertise(), c.caFile(), c.certFile(),
                c.keyFile(), c.token(), c.pieceSize(), c.uploadRateLimit(), c.maxParents());
    }

    /**
     * Starts the scheduler role when {@code --p2p-scheduler-listen} is given; closing it stops the role.
     */
    static AutoCloseable scheduler(P2pConfig config) throws Exception {
        return config.schedulerListen() == null ? () -> { }
                : SchedulerServer.start(config.schedulerListen(), settings(config));
    }
}
