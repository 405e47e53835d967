package io.pouch.testing;

import io.pouch.testing.HostNetworks.Subnet;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class HostNetworksTest {
    @Test
    void bridgeNamesAreRandomAndFitADeviceName() {
        String a = HostNetworks.bridgeName("pit");
        String b = HostNetworks.bridgeName("pit");
        assertTrue(a.matches("pit[0-9a-f]{6}"), a);
        assertFalse(a.equals(b), a);
        assertTrue(HostNetworks.bridgeName("pouchtest").length() <= 15);
    }

    @Test
    void aSubnetNamesItsAddresses() {
        Subnet s = new Subnet(HostNetworks.parse("10.200.7.0"));
        assertEquals("10.200.7.0/24", s.cidr());
        assertEquals("10.200.7.", s.prefix());
        assertEquals("10.200.7.1", s.address(1));
        assertEquals("10.200.7.128/25", s.cidr(128, 25));
    }

    @Test
    void overlapsComparesTheShorterPrefix() {
        int a = HostNetworks.parse("10.200.7.0");
        assertTrue(HostNetworks.overlaps(a, 24, HostNetworks.parse("10.200.7.9"), 32));
        assertTrue(HostNetworks.overlaps(a, 24, HostNetworks.parse("10.0.0.0"), 8));
        assertFalse(HostNetworks.overlaps(a, 24, HostNetworks.parse("10.200.8.0"), 24));
        assertTrue(HostNetworks.overlaps(a, 24, 0, 0), "a default route overlaps everything");
    }

    @Test
    void reservedSubnetsAreDistinctAndInThePool() {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip")), "needs iproute2");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            Subnet s = HostNetworks.reserveSubnet();
            assertTrue(seen.add(s.cidr()), "reserved twice: " + s);
            assertTrue(HostNetworks.overlaps(HostNetworks.POOL, HostNetworks.POOL_PREFIX, s.base(), 24), s.cidr());
        }
    }
}
