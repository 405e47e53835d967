package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpamTest {
    @TempDir
    Path dir;

    private static NetworkRecord net(String subnet, String gw, String range) {
        return new NetworkRecord("n1", "n1", "bridge", "", "pn-x", subnet, gw, range, false, Map.of(), Map.of());
    }

    @Test
    void neverGivesAnAddressTwiceAndSkipsGatewayNetworkBroadcast() {
        Ipam ipam = new Ipam(dir.resolve("ipam.json"));
        NetworkRecord n = net("10.231.9.0/29", "10.231.9.1", "");
        Set<String> got = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            assertTrue(got.add(ipam.allocate(n, "", "c" + i)));
        }
        assertEquals(Set.of("10.231.9.2", "10.231.9.3", "10.231.9.4", "10.231.9.5", "10.231.9.6"), got);
        PouchException full = assertThrows(PouchException.class, () -> ipam.allocate(n, "", "c9"));
        assertEquals(409, full.status());
        ipam.release("n1", "10.231.9.4");
        assertEquals("10.231.9.4", ipam.allocate(n, "", "c9"));
    }

    @Test
    void requestedAddressMustBeFreeAndInside() {
        Ipam ipam = new Ipam(dir.resolve("ipam.json"));
        NetworkRecord n = net("10.231.9.0/24", "10.231.9.1", "");
        assertEquals("10.231.9.50", ipam.allocate(n, "10.231.9.50", "a"));
        assertEquals(409, assertThrows(PouchException.class, () -> ipam.allocate(n, "10.231.9.50", "b")).status());
        assertEquals(409, assertThrows(PouchException.class, () -> ipam.allocate(n, "10.231.9.1", "b")).status());
        assertEquals(400, assertThrows(PouchException.class, () -> ipam.allocate(n, "10.231.8.5", "b")).status());
        assertEquals(400, assertThrows(PouchException.class, () -> ipam.allocate(n, "10.231.9.255", "b")).status());
        assertEquals(400, assertThrows(PouchException.class, () -> ipam.allocate(n, "nope", "b")).status());
    }

    @Test
    void survivesRestartAndReleasesByOwner() {
        NetworkRecord n = net("10.231.9.0/24", "10.231.9.1", "10.231.9.128/25");
        Ipam a = new Ipam(dir.resolve("ipam.json"));
        assertEquals("10.231.9.128", a.allocate(n, "", "x"));
        assertEquals("10.231.9.129", a.allocate(n, "", "y"));
        Ipam b = new Ipam(dir.resolve("ipam.json"));
        assertEquals("10.231.9.130", b.allocate(n, "", "z"));
        b.releaseOwner("x");
        assertEquals(Map.of("10.231.9.129", "y", "10.231.9.130", "z"), new Ipam(dir.resolve("ipam.json")).leases("n1"));
        b.dropNetwork("n1");
        assertEquals(Map.of(), new Ipam(dir.resolve("ipam.json")).leases("n1"));
    }

    @Test
    void anUnsavedLeaseIsHeldInMemoryAndWrittenByFlush() {
        Path f = dir.resolve("ipam.json");
        Ipam ipam = new Ipam(f);
        NetworkRecord n = net("10.231.9.0/29", "10.231.9.1", "");
        assertEquals("10.231.9.2", ipam.allocateUnsaved(n, "", "c1"));
        assertEquals("10.231.9.3", ipam.allocate(n, "", "c2")); // never the unsaved one twice
        Ipam afterCrash = new Ipam(f); // the other allocation's write carried both
        assertEquals(Map.of("10.231.9.2", "c1", "10.231.9.3", "c2"), afterCrash.leases("n1"));
        assertEquals("10.231.9.4", ipam.allocateUnsaved(n, "", "c3"));
        assertEquals(2, new Ipam(f).leases("n1").size());
        ipam.flush();
        assertEquals(3, new Ipam(f).leases("n1").size());
    }

    @Test
    void reconcileKeepsOnlyTheLeasesOfLiveRecordsAndAddsMissingOnes() {
        Path f = dir.resolve("ipam.json");
        Ipam ipam = new Ipam(f);
        NetworkRecord n = net("10.231.9.0/29", "10.231.9.1", "");
        ipam.allocate(n, "", "gone");            // .2: its record was never written (crash before it)
        ipam.allocate(n, "", "live");            // .3: held by a running container
        ipam.reconcileOwners(Map.of("n1", Map.of("10.231.9.3", "live", "10.231.9.5", "written-not-leased")));
        Map<String, String> after = new Ipam(f).leases("n1");
        assertEquals(Map.of("10.231.9.3", "live", "10.231.9.5", "written-not-leased"), after);
        assertEquals("10.231.9.2", ipam.allocate(n, "", "next"));
    }

    private static NetworkRecord net6(String subnet6, String gw6, String range6, Map<String, String> aux6) {
        return new NetworkRecord("n6", "n6", "bridge", "", "pn-x", "10.231.9.0/24", "10.231.9.1", "", false, Map.of(),
                Map.of(), Map.of("a", "10.231.9.2"), false, true, subnet6, gw6, range6, aux6, Map.of(), false, false);
    }

    @Test
    void ipv6AddressesSkipTheSubnetRouterTheGatewayAndAuxiliaryAddresses() {
        Ipam ipam = new Ipam(dir.resolve("ipam.json"));
        NetworkRecord n = net6("fd12:3456:789a::/64", "fd12:3456:789a::1", "", Map.of("r", "fd12:3456:789a::2"));
        assertEquals("fd12:3456:789a::3", ipam.allocate6Unsaved(n, "", "c1"));
        assertEquals("fd12:3456:789a::4", ipam.allocate6Unsaved(n, "", "c2"));
        // the IPv4 aux-address is reserved too
        assertEquals("10.231.9.3", ipam.allocateUnsaved(n, "", "c1"));
        assertEquals(409, assertThrows(PouchException.class, () -> ipam.allocateUnsaved(n, "10.231.9.2", "c3"))
                .status());
        assertEquals("fd12:3456:789a::99", ipam.allocate6Unsaved(n, "FD12:3456:789A:0::99", "c3"));
        PouchException taken = assertThrows(PouchException.class,
                () -> ipam.allocate6Unsaved(n, "fd12:3456:789a::2", "c4"));
        assertEquals(409, taken.status());
        assertEquals("Address already in use: fd12:3456:789a::2", taken.getMessage());
        assertEquals(409, assertThrows(PouchException.class,
                () -> ipam.allocate6Unsaved(n, "fd12:3456:789a::3", "c4")).status());
        PouchException outside = assertThrows(PouchException.class,
                () -> ipam.allocate6Unsaved(n, "fd12:3456:789b::3", "c4"));
        assertEquals(400, outside.status());
        assertEquals("no configured subnet or ip-range contain the IP address fd12:3456:789b::3", outside.getMessage());
        ipam.releaseOwner("c1");
        assertEquals("fd12:3456:789a::3", ipam.allocate6Unsaved(n, "", "c5"));
        ipam.flush();
        // persisted with the IPv4 leases
        assertEquals("c5", new Ipam(dir.resolve("ipam.json")).leases("n6").get("fd12:3456:789a::3"));
    }

    @Test
    void ipv6RangeLimitsTheAllocationAndAFullOneIsAConflict() {
        Ipam ipam = new Ipam(dir.resolve("ipam.json"));
        NetworkRecord n = net6("fd12:3456:789a::/64", "fd12:3456:789a::1", "fd12:3456:789a:0:8000::/126", Map.of());
        Set<String> got = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            got.add(ipam.allocate6Unsaved(n, "", "c" + i));
        }
        assertEquals(Set.of("fd12:3456:789a:0:8000::", "fd12:3456:789a:0:8000::1", "fd12:3456:789a:0:8000::2",
                "fd12:3456:789a:0:8000::3"), got);
        PouchException full = assertThrows(PouchException.class, () -> ipam.allocate6Unsaved(n, "", "c9"));
        assertEquals(409, full.status());
        assertEquals("no available IPv6 addresses on network n6", full.getMessage());
    }
}
