package io.pouch.daemon.image;

import io.pouch.daemon.config.RegistryConfig;
import io.pouch.daemon.p2p.P2pTransfer;
import io.pouch.daemon.registry.Credentials;
import io.pouch.daemon.registry.RegistryClient;
import io.pouch.daemon.registry.Repository;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The P2P totals and how a pull's last line and info word them. */
class PeerPullsTest {
    @Test
    void summaryInDockersDecimalSizes() {
        assertEquals("180 MB from peers, 12 MB from the registry", PeerPulls.summary(180_000_000, 12_000_000));
        assertEquals("0 B from peers, 300.1 kB from the registry", PeerPulls.summary(0, 300_123));
    }

    @Test
    void eachLayerAddsToTheTotalsWhatThePeerReports() throws IOException {
        Repository repo = new RegistryClient(RegistryConfig.defaults()).repository("127.0.0.1:1", "never/asked",
                Credentials.NONE, false);
        PeerPulls peers = new PeerPulls((digest, size, progress, sink, registry) -> new P2pTransfer(size / 4,
                size - size / 4));
        Repository.ChunkSink sink = (offset, data, len) -> { };
        assertEquals(new P2pTransfer(25, 75), peers.stream(repo, "sha256:" + "a".repeat(64), 100, p -> { }, sink));
        peers.stream(repo, "sha256:" + "b".repeat(64), 40, p -> { }, sink);
        assertEquals(35, peers.fromRegistry());
        assertEquals(105, peers.fromPeers());
        assertEquals("105 B from peers, 35 B from the registry", peers.totals());
    }
}
