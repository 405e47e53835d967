package io.pouch.api.container;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkModeTest {
    @Test
    void parsesEveryKindAndSpellsItBackAsGiven() {
        for (String mode : List.of("default", "bridge", "host", "none", "container:abc", "mynet")) {
            assertEquals(mode, NetworkMode.parse(mode).value(), mode);
        }
        assertEquals(NetworkMode.Kind.DEFAULT, NetworkMode.parse("default").kind());
        assertEquals(NetworkMode.Kind.BRIDGE, NetworkMode.parse("bridge").kind());
        assertEquals(NetworkMode.Kind.NONE, NetworkMode.parse("none").kind());
        assertEquals(new NetworkMode(NetworkMode.Kind.NAMED, "mynet"), NetworkMode.parse("mynet"));
    }

    @Test
    void emptyIsTheDefault() {
        assertEquals(NetworkMode.DEFAULT, NetworkMode.parse(null));
        assertEquals(NetworkMode.DEFAULT, NetworkMode.parse(""));
    }

    @Test
    void containerModeNamesTheJoinedContainer() {
        NetworkMode m = NetworkMode.parse("container:web");
        assertEquals("web", m.joinedContainer());
        assertFalse(m.builtIn());
        assertEquals("container:" + "f".repeat(64), NetworkMode.joining("f".repeat(64)).value());
        assertNull(NetworkMode.parse("bridge").joinedContainer());
        assertNull(NetworkMode.parse("mynet").joinedContainer());
        PouchException e = assertThrows(PouchException.class, () -> NetworkMode.parse("container:"));
        assertEquals(400, e.status());
        assertEquals("Invalid network mode: invalid container format container:<name|id>", e.getMessage());
    }

    @Test
    void hostAndBuiltInModes() {
        assertTrue(NetworkMode.parse("host").isHost());
        assertFalse(NetworkMode.parse("bridge").isHost());
        for (String mode : List.of("default", "bridge", "host", "none")) {
            assertTrue(NetworkMode.parse(mode).builtIn(), mode);
        }
        assertFalse(NetworkMode.parse("mynet").builtIn());
    }
}
