package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Cidr6Test {
    @Test
    void formatsAsRfc5952() {
        assertEquals("fd12:3456:789a::1", Cidr6.canonicalAddress("FD12:3456:789A:0:0:0:0:0001"));
        assertEquals("::", Cidr6.canonicalAddress("0:0:0:0:0:0:0:0"));
        assertEquals("::1", Cidr6.canonicalAddress("0::1"));
        assertEquals("fd00::", Cidr6.canonicalAddress("fd00:0:0:0:0:0:0:0"));
        // a single zero group is not shortened; the longest run wins, the first of equal runs
        assertEquals("fd00:0:1:2:3:4:5:6", Cidr6.canonicalAddress("fd00:0:1:2:3:4:5:6"));
        assertEquals("fd00:0:0:1::1", Cidr6.canonicalAddress("fd00:0:0:1:0:0:0:1"));
        assertEquals("fd00:0:0:1::", Cidr6.canonicalAddress("fd00:0:0:1:0:0:0:0"));
        assertEquals("fd00::1:0:0:1", Cidr6.canonicalAddress("fd00:0:0:0:1:0:0:1"));
    }

    @Test
    void readsOnlyIpv6Literals() {
        assertNull(Cidr6.parseAddress("10.0.0.1"));
        assertNull(Cidr6.parseAddress("::ffff:10.0.0.1")); // IPv4-mapped: not an address of an IPv6 network
        assertNull(Cidr6.parseAddress("fd00::1%eth0"));
        assertNull(Cidr6.parseAddress("fd00:::1"));
        assertNull(Cidr6.parseAddress("localhost"));
        assertNull(Cidr6.parseAddress(""));
        assertEquals(BigInteger.ONE, Cidr6.parseAddress("::1"));
        for (String bad : new String[] {"fd00::/129", "fd00::", "fd00::/", "fd00::/+64", "10.0.0.0/8", "x/64"}) {
            PouchException e = assertThrows(PouchException.class, () -> Cidr6.parse(bad), bad);
            assertEquals(400, e.status());
            assertEquals("invalid CIDR address: " + bad, e.getMessage());
        }
    }

    @Test
    void prefixArithmetic() {
        Cidr6 c = Cidr6.parse("fd12:3456:789a:1::5/64");
        assertEquals("fd12:3456:789a:1::/64", c.canonical().toString());
        assertEquals("fd12:3456:789a:1:ffff:ffff:ffff:ffff", Cidr6.format(c.last()));
        assertTrue(c.contains(Cidr6.parseAddress("fd12:3456:789a:1:8000::1")));
        assertFalse(c.contains(Cidr6.parseAddress("fd12:3456:789a:2::1")));
        assertTrue(c.contains(Cidr6.parse("fd12:3456:789a:1:8000::/65")));
        assertFalse(c.contains(Cidr6.parse("fd12:3456:789a::/48")));
        assertTrue(c.overlaps(Cidr6.parse("fd12:3456:789a::/48")));
        assertFalse(c.overlaps(Cidr6.parse("fd12:3456:789a:2::/64")));
        assertEquals("::/0", Cidr6.parse("fd00::1/0").canonical().toString());
    }
}
