package io.pouch.daemon.network;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class HostRoutesTest {
    private static final String TABLE = """
            Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
            eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
            eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
            p0\t0005A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
            tun0\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0
            """;

    @Test
    void parsesLittleEndianDestinationsAndMasks() {
        List<HostRoutes.Route> r = HostRoutes.parse(TABLE);
        assertEquals(4, r.size());
        assertEquals("0.0.0.0/0 dev eth0", r.get(0).toString());
        assertEquals("192.0.2.0/24 dev eth0", r.get(1).toString());
        assertEquals("192.168.5.0/24 dev p0", r.get(2).toString());
        assertEquals("10.0.0.0/8 dev tun0", r.get(3).toString());
    }

    @Test
    void theDefaultRouteAndOurOwnBridgeNeverCount() {
        List<HostRoutes.Route> r = HostRoutes.parse(TABLE);
        assertNull(HostRoutes.overlapping(r, Cidr.parse("192.168.5.0/24"), Set.of("p0")));
        assertNull(HostRoutes.overlapping(r, Cidr.parse("172.17.0.0/16"), Set.of()));
        assertEquals("192.168.5.0/24 dev p0",
                HostRoutes.overlapping(r, Cidr.parse("192.168.5.0/24"), Set.of("p1")).toString());
        assertEquals("10.0.0.0/8 dev tun0",
                HostRoutes.overlapping(r, Cidr.parse("10.231.0.0/24"), Set.of("p0")).toString());
        assertEquals("192.0.2.0/24 dev eth0",
                HostRoutes.overlapping(r, Cidr.parse("192.0.0.0/16"), Set.of("p0")).toString());
    }
}
