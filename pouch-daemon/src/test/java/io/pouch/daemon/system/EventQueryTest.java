package io.pouch.daemon.system;

import io.pouch.api.PouchException;
import io.pouch.daemon.events.Event;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventQueryTest {
    private static Event container(String action, String id, String name, Map<String, String> more) {
        var attrs = new HashMap<>(more);
        attrs.put("name", name);
        attrs.put("image", "busybox:latest");
        return new Event("container", action, new Event.Actor(id, attrs), "local", 100, 100_000_000_500L,
                action, id, "busybox:latest");
    }

    @Test
    void timestamps() {
        assertNull(EventQuery.timestamp("since", null));
        assertEquals(1_700_000_000_000_000_000L, EventQuery.timestamp("since", "1700000000"));
        assertEquals(1_700_000_000_500_000_000L, EventQuery.timestamp("since", "1700000000.5"));
        assertEquals(1_700_000_000_000_000_001L, EventQuery.timestamp("since", "1700000000.000000001"));
        assertEquals(1_700_000_000_250_000_000L, EventQuery.timestamp("since", "2023-11-14T22:13:20.25Z"));
        assertEquals(1_700_000_000_000_000_000L, EventQuery.timestamp("since", "2023-11-14T23:13:20+01:00"));
        assertEquals(400, assertThrows(PouchException.class, () -> EventQuery.timestamp("since", "yesterday")).status());
    }

    @Test
    void replayOnlyWithWindow() {
        Event e = container("start", "abc", "web", Map.of());
        assertFalse(EventQuery.parse(null, null, null).replays(e));
        assertTrue(EventQuery.parse("100", null, null).replays(e));
        assertFalse(EventQuery.parse("101", null, null).replays(e));
        assertTrue(EventQuery.parse(null, "101", null).replays(e));
        assertFalse(EventQuery.parse(null, "99", null).replays(e));
        assertTrue(EventQuery.parse(null, "99", null).ended(100_000_000_000L));
        assertFalse(EventQuery.parse(null, null, null).ended(Long.MAX_VALUE));
    }

    @Test
    void filtersByTypeActionContainerImageLabel() {
        Event e = container("start", "abcdef", "web", Map.of("com.example.tier", "front"));
        assertTrue(q("{\"type\":{\"container\":true}}").matches(e));
        assertFalse(q("{\"type\":[\"image\"]}").matches(e));
        assertTrue(q("{\"event\":[\"start\",\"die\"]}").matches(e));
        assertFalse(q("{\"event\":[\"stop\"]}").matches(e));
        assertTrue(q("{\"container\":[\"web\"]}").matches(e));
        assertTrue(q("{\"container\":[\"abc\"]}").matches(e)); // ID prefix
        assertFalse(q("{\"container\":[\"db\"]}").matches(e));
        assertTrue(q("{\"image\":[\"busybox\"]}").matches(e));
        assertTrue(q("{\"image\":[\"busybox:latest\"]}").matches(e));
        assertFalse(q("{\"image\":[\"alpine\"]}").matches(e));
        assertTrue(q("{\"label\":[\"com.example.tier=front\"]}").matches(e));
        assertTrue(q("{\"label\":[\"com.example.tier\"]}").matches(e));
        assertFalse(q("{\"label\":[\"com.example.tier=back\"]}").matches(e));
    }

    @Test
    void execActionsMatchByPrefix() {
        Event e = container("exec_start: sh -c true", "abc", "web", Map.of());
        assertTrue(q("{\"event\":[\"exec_start\"]}").matches(e));
        assertFalse(q("{\"event\":[\"exec\"]}").matches(e));
    }

    @Test
    void unknownFilterIsRefused() {
        assertEquals("invalid filter 'colour'",
                assertThrows(PouchException.class, () -> q("{\"colour\":[\"red\"]}")).getMessage());
    }

    @Test
    void stripTag() {
        assertEquals("busybox", EventQuery.stripTag("busybox:latest"));
        assertEquals("reg:5000/a/b", EventQuery.stripTag("reg:5000/a/b:1"));
        assertEquals("reg:5000/a/b", EventQuery.stripTag("reg:5000/a/b"));
        assertEquals("a", EventQuery.stripTag("a@sha256:00"));
    }

    @Test
    void hostFacts() {
        assertEquals(24_000_000L * 1024, HostFacts.memTotal("MemTotal:       24000000 kB\nMemFree: 1 kB\n"));
        assertEquals("Debian GNU/Linux 12 (bookworm)",
                HostFacts.prettyName("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"));
        assertEquals("Alpine 3.19", HostFacts.prettyName("NAME=Alpine\nVERSION_ID=3.19\n"));
    }

    private static EventQuery q(String filters) {
        return EventQuery.parse(null, null, filters);
    }
}
