package io.pouch.daemon.query;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PruneUntilTest {
    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    private static final ZoneId UTC = ZoneOffset.UTC;

    private static Instant until(String v) {
        return PruneUntil.of(Filters.parse("{\"until\":[\"" + v + "\"]}"), NOW, UTC).orElseThrow();
    }

    @Test
    void goDurationsCountBackFromNow() {
        assertEquals(NOW.minusSeconds(24 * 3600), until("24h"));
        assertEquals(NOW.minusSeconds(5400), until("1h30m"));
        assertEquals(NOW.minusMillis(1500), until("1.5s"));
        assertEquals(NOW.minusMillis(250), until("250ms"));
        assertEquals(NOW.plusSeconds(60), until("-1m"));
    }

    @Test
    void timestampsAsDockerdReadsThem() {
        assertEquals(Instant.parse("2025-06-01T10:00:00Z"), until("2025-06-01T10:00:00Z"));
        assertEquals(Instant.parse("2025-06-01T08:00:00Z"), until("2025-06-01T10:00:00+02:00"));
        assertEquals(Instant.parse("2025-06-01T10:00:00.5Z"), until("2025-06-01T10:00:00.5Z"));
        assertEquals(Instant.parse("2025-06-01T00:00:00Z"), until("2025-06-01"));
        assertEquals(Instant.parse("2025-06-01T10:00:00Z"), until("2025-06-01T10"));
        assertEquals(Instant.parse("2025-06-01T10:30:00Z"), until("2025-06-01T10:30"));
        assertEquals(Instant.parse("2025-06-01T10:30:00Z"),
                PruneUntil.of(Filters.parse("{\"until\":[\"2025-06-01T12:30:00\"]}"), NOW, ZoneOffset.ofHours(2))
                        .orElseThrow(), "without a zone: the daemon's local time");
        assertEquals(Instant.ofEpochSecond(1700000000, 250_000_000), until("1700000000.25"));
        assertEquals(Instant.EPOCH, until("0"));
    }

    @Test
    void absentIsEmptyAndBadValuesAre400sNamingThem() {
        assertEquals(Optional.empty(), PruneUntil.of(Filters.NONE, NOW, UTC));
        PouchException bad = assertThrows(PouchException.class, () -> until("soon"));
        assertEquals(400, bad.status());
        assertEquals("failed to parse value as time or duration: \"soon\"", bad.getMessage());
        assertEquals(400, assertThrows(PouchException.class, () -> until("2025-13-01")).status());
        PouchException two = assertThrows(PouchException.class,
                () -> PruneUntil.of(Filters.parse("{\"until\":[\"1h\",\"2h\"]}"), NOW, UTC));
        assertEquals("more than one until filter specified", two.getMessage());
    }
}
