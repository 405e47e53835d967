package io.pouch.daemon.api;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiVersionTest {
    @Test
    void comparesNumerically() {
        assertTrue(ApiVersion.parse("1.9").compareTo(ApiVersion.parse("1.24")) < 0);
        assertTrue(ApiVersion.parse("1.44").atLeast(1, 42));
    }

    @Test
    void tooNewUsesDockersWording() {
        PouchException e = assertThrows(PouchException.class, () -> ApiVersion.negotiate("1.99"));
        assertEquals(400, e.status());
        assertEquals("client version 1.99 is too new. Maximum supported API version is " + ApiVersion.CURRENT,
                e.getMessage());
    }

    @Test
    void tooOldNamesTheMinimum() {
        PouchException e = assertThrows(PouchException.class, () -> ApiVersion.negotiate("1.12"));
        assertTrue(e.getMessage().contains("Minimum supported API version is 1.24"), e.getMessage());
    }

    @Test
    void everyVersionInRangeIsServed() {
        for (int minor = 24; minor <= ApiVersion.CURRENT.minor(); minor++) {
            assertEquals(minor, ApiVersion.negotiate("1." + minor).minor());
        }
    }

    @Test
    void garbageIsA400() {
        assertEquals(400, assertThrows(PouchException.class, () -> ApiVersion.parse("one.two")).status());
    }
}
