package io.pouch.daemon.cri.runtime;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SandboxNetworkTest {
    @Test
    void jsonRoundTrip() {
        SandboxNetwork n = new SandboxNetwork("/var/run/netns/cni-1234", List.of("10.88.0.5", "fd00::5"), false);
        assertEquals(n, SandboxNetwork.fromJson(n.toJson()));
        SandboxNetwork down = n.withTornDown();
        assertTrue(down.tornDown());
        assertEquals(n.ips(), down.ips());
        assertEquals(n.netns(), down.netns());
        assertEquals(down, SandboxNetwork.fromJson(down.toJson()));
        assertEquals(SandboxNetwork.NONE, SandboxNetwork.fromJson(SandboxNetwork.NONE.toJson()));
    }

    @Test
    void missingFieldsAreEmpty() {
        SandboxNetwork n = SandboxNetwork.fromJson("{}".getBytes(StandardCharsets.UTF_8));
        assertEquals("", n.netns());
        assertEquals(List.of(), n.ips());
        assertFalse(n.tornDown());
        assertEquals(List.of(), new SandboxNetwork(null, null, false).ips());
    }
}
