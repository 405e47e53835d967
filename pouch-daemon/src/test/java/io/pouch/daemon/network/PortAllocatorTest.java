package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortAllocatorTest {
    /** Host ports a host process holds, by "proto/port". */
    final Set<String> busy = new HashSet<>();
    final List<PortMapping> probed = new ArrayList<>();
    final PortAllocator ports = new PortAllocator(m -> {
        probed.add(m);
        return !busy.contains(m.proto() + "/" + m.hostPort());
    });

    static PortSpecs.Request req(String proto, int container, String ip, int lo, int hi) {
        return new PortSpecs.Request(proto, container, ip, lo, hi);
    }

    @Test
    void givesTheAskedPortWhenFree() {
        assertEquals(List.of(new PortMapping("tcp", 80, "", 8080)),
                ports.allocate(List.of(req("tcp", 80, "", 8080, 8080)), List.of(), "c1", "one"));
    }

    @Test
    void aPortAnotherContainerHoldsIsTaken() {
        List<PortMapping> taken = List.of(new PortMapping("tcp", 80, "", 8080));
        PouchException e = assertThrows(PouchException.class,
                () -> ports.allocate(List.of(req("tcp", 81, "", 8080, 8080)), taken, "c1", "one"));
        assertEquals(500, e.status());
        assertEquals("driver failed programming external connectivity on endpoint one (c1): Bind for 0.0.0.0:8080"
                + " failed: port is already allocated", e.getMessage());
        assertTrue(probed.isEmpty(), "a port pouchd holds is not probed on the host");
    }

    @Test
    void otherProtocolOrDisjointHostAddressesDoNotClash() {
        List<PortMapping> taken = List.of(new PortMapping("tcp", 80, "127.0.0.1", 8080));
        assertEquals(8080, ports.allocate(List.of(req("udp", 80, "", 8080, 8080)), taken, "c", "n").get(0)
                .hostPort());
        assertEquals(8080, ports.allocate(List.of(req("tcp", 80, "127.0.0.2", 8080, 8080)), taken, "c", "n").get(0)
                .hostPort());
        assertThrows(PouchException.class,
                () -> ports.allocate(List.of(req("tcp", 80, "", 8080, 8080)), taken, "c", "n"));
    }

    @Test
    void clashRules() {
        PortMapping any = new PortMapping("tcp", 1, "", 9000);
        assertTrue(PortAllocator.clashes(new PortMapping("tcp", 2, "10.0.0.1", 9000), List.of(any)));
        assertFalse(PortAllocator.clashes(new PortMapping("tcp", 2, "10.0.0.1", 9001), List.of(any)));
        assertFalse(PortAllocator.clashes(new PortMapping("sctp", 2, "", 9000), List.of(any)));
    }

    @Test
    void aRangeTakesItsFirstFreePortAndTheRequestsOfOneContainerDoNotCollide() {
        busy.add("tcp/9000");
        List<PortMapping> got = ports.allocate(List.of(req("tcp", 80, "", 9000, 9005), req("tcp", 81, "", 9000, 9005)),
                List.of(new PortMapping("tcp", 1, "", 9001)), "c", "n");
        assertEquals(List.of(9002, 9003), got.stream().map(PortMapping::hostPort).toList());
    }

    @Test
    void anExhaustedRangeNamesTheRange() {
        busy.add("udp/53");
        busy.add("udp/54");
        PouchException e = assertThrows(PouchException.class,
                () -> ports.allocate(List.of(req("udp", 53, "127.0.0.1", 53, 54)), List.of(), "c1", "one"));
        assertEquals("driver failed programming external connectivity on endpoint one (c1): Bind for 127.0.0.1:53-54"
                + " failed: port is already allocated", e.getMessage());
    }

    @Test
    void noAskedPortTakesTheFirstFreeEphemeralOne() {
        busy.add("tcp/" + PortAllocator.EPHEMERAL_LOW);
        List<PortMapping> got = ports.allocate(List.of(req("tcp", 80, "", 0, 0)), List.of(), "c", "n");
        assertEquals(PortAllocator.EPHEMERAL_LOW + 1, got.get(0).hostPort());
    }

    @Test
    void theKernelProbeSeesABoundPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertFalse(PortAllocator.KERNEL.bindable(new PortMapping("tcp", 1, "127.0.0.1", s.getLocalPort())));
        }
    }
}
