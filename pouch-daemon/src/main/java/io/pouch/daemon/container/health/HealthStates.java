package io.pouch.daemon.container.health;

import io.pouch.api.container.Health;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** dockerd's health state machine, as pure functions of the last {@link Health}. */
final class HealthStates {
    /** dockerd keeps the last five probes. */
    static final int MAX_LOG = 5;
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private HealthStates() {
    }

    /** At each start: {@code starting} with no failing streak; the log of earlier runs is kept. */
    static Health starting(Health previous) {
        return new Health(Health.STARTING, 0, previous == null ? List.of() : previous.log());
    }

    /**
     * The monitor stopped (the container stopped or was paused): dockerd then reports {@code unhealthy}, "for
     * compatibility reasons", until the next start (or the first probe after an unpause).
     */
    static Health monitorStopped(Health h) {
        return h == null ? null : new Health(Health.UNHEALTHY, h.failingStreak(), h.log());
    }

    /**
     * The state after probe {@code result}, which started at {@code probeStart}: exit 0 makes it healthy and ends
     * the streak; any other result extends the streak, unless the container is still starting within its start
     * period, and {@code retries} failures in a row make it unhealthy.
     */
    static Health record(Health h, Health.Result result, Instant probeStart, HealthCheck check, Instant startedAt) {
        List<Health.Result> log = new ArrayList<>(h.log());
        log.add(result);
        if (log.size() > MAX_LOG) {
            log = log.subList(log.size() - MAX_LOG, log.size());
        }
        if (result.exitCode() == 0) {
            return new Health(Health.HEALTHY, 0, log);
        }
        boolean counts = !Health.STARTING.equals(h.status())
                || Duration.between(startedAt, probeStart).compareTo(check.startPeriod()) >= 0;
        if (!counts) {
            return new Health(h.status(), h.failingStreak(), log);
        }
        int streak = h.failingStreak() + 1;
        return new Health(streak >= check.retries() ? Health.UNHEALTHY : h.status(), streak, log);
    }

    /**
     * How long until the next probe: the start interval while the container is still starting within its start
     * period, the interval otherwise.
     */
    static Duration nextWait(HealthCheck check, Health h, Instant startedAt, Instant now) {
        if (Duration.between(startedAt, now).compareTo(check.startPeriod()) >= 0) {
            return check.interval();
        }
        return Health.STARTING.equals(h.status()) ? check.startInterval() : check.interval();
    }

    /** RFC 3339 with nanoseconds and no trailing zeros, as Go's {@code time.RFC3339Nano}. */
    static String time(Instant t) {
        String s = SECONDS.format(t);
        int nanos = t.getNano();
        if (nanos == 0) {
            return s + "Z";
        }
        String frac = String.format("%09d", nanos).replaceFirst("0+$", "");
        return s + "." + frac + "Z";
    }
}
