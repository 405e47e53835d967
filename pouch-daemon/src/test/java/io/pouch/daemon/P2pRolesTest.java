package io.pouch.daemon;

import io.pouch.api.PouchException;
import io.pouch.daemon.config.P2pConfig;
import io.pouch.daemon.p2p.P2pSettings;
import io.pouch.daemon.p2p.P2pTransfer;
import io.pouch.daemon.p2p.SchedulerServer;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What pouchd refuses at start and what it hands the peer. */
class P2pRolesTest {
    private static final P2pConfig PEER = new P2pConfig(true, "10.1.0.1:65001", null, "0.0.0.0:65002",
            "10.1.0.5:65002", Path.of("/ca"), Path.of("/cert"), Path.of("/key"), null, 1 << 20, 5, 3);

    @Test
    void offNeedsNothing() throws Exception {
        P2pRoles.check(P2pConfig.disabled(), P2pRoles.PEER);
        assertNull(P2pRoles.peer(P2pConfig.disabled(), (s, dir) -> {
            throw new AssertionError("no peer when P2P is off");
        }, Path.of("/spool")));
    }

    @Test
    void theSchedulerRoleServesOnItsAddressUntilClosed() throws Exception {
        P2pConfig scheduler = new P2pConfig(false, null, "127.0.0.1:0", "0.0.0.0:65002", null, null, null, null,
                "t", 4 << 20, 0, 4);
        P2pRoles.check(scheduler, P2pRoles.PEER);
        InetSocketAddress at;
        try (AutoCloseable role = P2pRoles.scheduler(scheduler)) {
            at = ((SchedulerServer) role).address();
            try (Socket s = new Socket(at.getAddress(), at.getPort())) {
                assertTrue(s.isConnected());
            }
        }
        assertThrows(ConnectException.class, () -> new Socket(at.getAddress(), at.getPort()).close());
        try (AutoCloseable none = P2pRoles.scheduler(P2pConfig.disabled())) {
            assertFalse(none instanceof SchedulerServer);
        }
    }

    @Test
    void thePeerGetsTheSettingsAsGiven() throws Exception {
        P2pRoles.check(PEER, (s, dir) -> null);
        P2pSettings[] seen = new P2pSettings[1];
        Path[] spool = new Path[1];
        var blobs = (io.pouch.daemon.p2p.P2pBlobs) (digest, size, progress, sink, registry) -> new P2pTransfer(0, 0);
        assertSame(blobs, P2pRoles.peer(PEER, (s, dir) -> {
            seen[0] = s;
            spool[0] = dir;
            return blobs;
        }, Path.of("/var/lib/pouch/p2p")));
        assertEquals(Path.of("/var/lib/pouch/p2p"), spool[0]);
        assertEquals(new P2pSettings(true, "10.1.0.1:65001", "0.0.0.0:65002", "10.1.0.5:65002", Path.of("/ca"),
                Path.of("/cert"), Path.of("/key"), null, 1 << 20, 5, 3), seen[0]);
    }
}
