package io.pouch.daemon.cri.runtime;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** The engine's RFC 3339 times as the CRI's nanoseconds since the epoch (0 for Go's zero time or none). */
final class CriTimes {
    private CriTimes() {
    }

    static long nanos(String rfc3339) {
        if (rfc3339 == null || rfc3339.isEmpty() || rfc3339.startsWith("0001-01-01")) {
            return 0;
        }
        try {
            Instant i = Instant.parse(rfc3339);
            return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    static long now() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
