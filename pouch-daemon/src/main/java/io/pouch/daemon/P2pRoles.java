package io.pouch.daemon;

import io.pouch.api.PouchException;
import io.pouch.daemon.config.P2pConfig;
import io.pouch.daemon.p2p.P2pBlobs;
import io.pouch.daemon.p2p.P2pSettings;

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

    /**
     * The peer of this build: none while the P2P core ({@code P2pPeer::start}) is not part of it, so {@link #check}
     * refuses {@code --p2p-enable} unless a test's launcher gives a peer of its own.
     */
    static final PeerFactory PEER = null;

    private P2pRoles() {
    }

    /**
     * Refuses at start what this build cannot run, before anything else starts.
     *
     * @param peers the peer factory pouchd was started with (a test's own, or {@link #PEER})
     */
    static void check(P2pConfig config, PeerFactory peers) {
        if (config.enabled() && peers == null) {
            throw PouchException.invalidArgument("cannot honour --p2p-enable (\"p2p\": {\"enable\": true}): P2P"
                    + " image distribution's peer is not part of this build");
        }
        if (config.schedulerListen() != null) {
            throw PouchException.invalidArgument("cannot honour --p2p-scheduler-listen "
                    + config.schedulerListen() + ": the P2P scheduler role is not part of this build");
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
     * Starts the scheduler role when {@code --p2p-scheduler-listen} is given ({@code SchedulerServer.start(
     * config.schedulerListen(), settings(config))} once the P2P core is part of this build; until then {@link
     * #check} refused the flag); closing it stops the role.
     */
    static AutoCloseable scheduler(P2pConfig config) {
        return () -> { };
    }
}
