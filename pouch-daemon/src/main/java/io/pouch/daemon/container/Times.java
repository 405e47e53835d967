package io.pouch.daemon.container;

import io.pouch.api.container.ContainerState;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/** RFC 3339 with nanoseconds, as Docker writes Created, StartedAt and FinishedAt. */
final class Times {
    private Times() {
    }

    static String format(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t);
    }

    static String now() {
        return format(Instant.now());
    }

    static Instant parse(String s) {
        if (s == null || s.isEmpty() || s.equals(ContainerState.ZERO_TIME)) {
            return Instant.EPOCH;
        }
        return Instant.parse(s);
    }

    /** containerd's exit time; now when it recorded none. */
    static String of(Instant exitedAt) {
        return exitedAt == null ? now() : format(exitedAt);
    }
}
