package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CidrTest {
    @Test
    void parsesAndCanonicalises() {
        Cidr c = Cidr.parse("10.231.1.7/24");
        assertEquals("10.231.1.7/24", c.toString());
        assertEquals("10.231.1.0/24", c.canonical().toString());
        assertEquals("10.231.1.255", Cidr.format(c.broadcast()));
        assertEquals("0.0.0.0/0", Cidr.parse("0.0.0.0/0").canonical().toString());
        assertTrue(Cidr.parse("192.168.5.1/32").contains(Cidr.parseAddress("192.168.5.1")));
    }

    @Test
    void rejectsWhatIsNotACidr() {
        for (String bad : new String[] {"", "10.0.0.0", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.256/24", "10.0.0/24",
                "10.0.0.0.0/24", "a.b.c.d/8", "10.0.0.0/+8", "10..0.0/8", "10.0.0.0/x", "1234.0.0.0/8"}) {
            PouchException e = assertThrows(PouchException.class, () -> Cidr.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid CIDR address"), e.getMessage());
        }
        assertNull(Cidr.parseAddress("1.2.3"));
        assertNull(Cidr.parseAddress(null));
    }

    @Test
    void overlaps() {
        Cidr a = Cidr.parse("10.231.0.0/16");
        assertTrue(a.overlaps(Cidr.parse("10.231.5.0/24")));
        assertTrue(Cidr.parse("10.231.5.0/24").overlaps(a));
        assertFalse(Cidr.parse("10.231.5.0/24").overlaps(Cidr.parse("10.231.6.0/24")));
        assertTrue(Cidr.parse("10.231.5.128/25").overlaps(Cidr.parse("10.231.5.0/24")));
        assertTrue(a.contains(Cidr.parse("10.231.5.0/24")));
        assertFalse(Cidr.parse("10.231.5.0/24").contains(a));
    }
}
