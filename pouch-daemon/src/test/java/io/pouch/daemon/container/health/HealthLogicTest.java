package io.pouch.daemon.container.health;

import io.pouch.api.container.ContainerConfig.HealthConfig;
import io.pouch.api.container.Health;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The pure rules: the probe's defaults, the state machine, timing, formats. */
class HealthLogicTest {
    private static final long S = 1_000_000_000L;

    private static HealthConfig hc(List<String> test, long interval, long timeout, long startPeriod,
                                   long startInterval, int retries) {
        return new HealthConfig(test, interval, timeout, startPeriod, startInterval, retries);
    }

    @Test
    void theProbeHasDockerdsDefaultsAndShell() {
        HealthCheck c = HealthCheck.of(hc(List.of("CMD-SHELL", "test -f /x"), 0, 0, 0, 0, 0), null);
        assertEquals(List.of("/bin/sh", "-c", "test -f /x"), c.command());
        assertEquals(Duration.ofSeconds(30), c.interval());
        assertEquals(Duration.ofSeconds(30), c.timeout());
        assertEquals(Duration.ZERO, c.startPeriod());
        assertEquals(Duration.ofSeconds(5), c.startInterval());
        assertEquals(3, c.retries());
        assertEquals(List.of("/bin/bash", "-ec", "x"),
                HealthCheck.of(hc(List.of("CMD-SHELL", "x"), 0, 0, 0, 0, 0), List.of("/bin/bash", "-ec")).command());
        HealthCheck cmd = HealthCheck.of(hc(List.of("CMD", "curl", "-f", "x"), S, 2 * S, 3 * S, 4 * S, 5), null);
        assertEquals(List.of("curl", "-f", "x"), cmd.command());
        assertEquals(new HealthCheck(List.of("curl", "-f", "x"), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(3), Duration.ofSeconds(4), 5), cmd);
        assertNull(HealthCheck.of(hc(List.of("NONE"), 0, 0, 0, 0, 0), null));
        assertNull(HealthCheck.of(hc(List.of(), 0, 0, 0, 0, 0), null));
        assertNull(HealthCheck.of(hc(List.of("BOGUS", "x"), 0, 0, 0, 0, 0), null), "dockerd runs nothing then");
        assertNull(HealthCheck.of(null, null));
    }

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Health.Result result(int code) {
        return new Health.Result("s", "e", code, "");
    }

    @Test
    void failuresCountOnlyAfterTheStartPeriodAndRetriesMakeItUnhealthy() {
        HealthCheck c = new HealthCheck(List.of("x"), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(10), Duration.ofSeconds(1), 2);
        Health h = HealthStates.starting(null);
        h = HealthStates.record(h, result(1), T0.plusSeconds(5), c, T0);
        assertEquals(new Health("starting", 0, List.of(result(1))), h, "within the start period: not counted");
        h = HealthStates.record(h, result(1), T0.plusSeconds(10), c, T0);
        assertEquals("starting", h.status());
        assertEquals(1, h.failingStreak());
        h = HealthStates.record(h, result(2), T0.plusSeconds(11), c, T0);
        assertEquals("unhealthy", h.status());
        assertEquals(2, h.failingStreak());
        h = HealthStates.record(h, result(0), T0.plusSeconds(12), c, T0);
        assertEquals("healthy", h.status());
        assertEquals(0, h.failingStreak());
        h = HealthStates.record(h, result(1), T0.plusSeconds(13), c, T0);
        assertEquals("healthy", h.status(), "one failure of two allowed");
        h = HealthStates.record(h, result(1), T0.plusSeconds(14), c, T0);
        assertEquals("unhealthy", h.status());
        assertEquals(5, h.log().size());
        h = HealthStates.record(h, result(0), T0.plusSeconds(15), c, T0);
        assertEquals(5, h.log().size(), "the last five");
        assertEquals(List.of(1, 2, 0, 1, 1, 0).subList(1, 6),
                h.log().stream().map(Health.Result::exitCode).toList());
    }

    @Test
    void aHealthyContainerFailsWithinTheStartPeriodToo() {
        // only a container still starting is spared: once healthy, failures count at once
        HealthCheck c = new HealthCheck(List.of("x"), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(100), Duration.ofSeconds(1), 1);
        Health h = HealthStates.record(HealthStates.starting(null), result(0), T0.plusSeconds(1), c, T0);
        h = HealthStates.record(h, result(1), T0.plusSeconds(2), c, T0);
        assertEquals("unhealthy", h.status());
    }

    @Test
    void aStartResetsTheStatusAndKeepsTheLogAndAStoppedMonitorReadsUnhealthy() {
        Health h = new Health("healthy", 2, List.of(result(0)));
        assertEquals(new Health("starting", 0, List.of(result(0))), HealthStates.starting(h));
        assertEquals(new Health("unhealthy", 2, List.of(result(0))), HealthStates.monitorStopped(h));
        assertNull(HealthStates.monitorStopped(null));
    }

    @Test
    void theStartIntervalAppliesWhileStartingWithinTheStartPeriod() {
        HealthCheck c = new HealthCheck(List.of("x"), Duration.ofSeconds(30), Duration.ofSeconds(1),
                Duration.ofSeconds(10), Duration.ofSeconds(2), 3);
        Health starting = HealthStates.starting(null);
        assertEquals(Duration.ofSeconds(2), HealthStates.nextWait(c, starting, T0, T0));
        assertEquals(Duration.ofSeconds(30), HealthStates.nextWait(c, starting, T0, T0.plusSeconds(10)));
        assertEquals(Duration.ofSeconds(30), HealthStates.nextWait(c, new Health("healthy", 0, List.of()), T0, T0));
        HealthCheck noPeriod = HealthCheck.of(new HealthConfig(List.of("CMD", "x"), S, 0, 0, 0, 0), null);
        assertEquals(Duration.ofSeconds(1), HealthStates.nextWait(noPeriod, starting, T0, T0));
    }

    @Test
    void timesAndDurationsAreWrittenAsGoWritesThem() {
        assertEquals("2026-01-01T00:00:00Z", HealthStates.time(T0));
        assertEquals("2026-01-01T00:00:00.91Z", HealthStates.time(T0.plusMillis(910)));
        assertEquals("2026-01-01T00:00:00.000000001Z", HealthStates.time(T0.plusNanos(1)));
        assertEquals("300ms", GoDuration.format(Duration.ofMillis(300)));
        assertEquals("30s", GoDuration.format(Duration.ofSeconds(30)));
        assertEquals("1.5s", GoDuration.format(Duration.ofMillis(1500)));
        assertEquals("1m0s", GoDuration.format(Duration.ofMinutes(1)));
        assertEquals("1h2m3s", GoDuration.format(Duration.ofSeconds(3723)));
        assertEquals("1.5ms", GoDuration.format(Duration.ofNanos(1_500_000)));
        assertEquals("2µs", GoDuration.format(Duration.ofNanos(2000)));
        assertEquals("0s", GoDuration.format(Duration.ZERO));
    }

    @Test
    void outputIsKeptUpTo4096Bytes() {
        ProbeOutput out = new ProbeOutput();
        assertEquals(true, out.isEmpty());
        out.write("x".repeat(4000).getBytes(), 0, 4000);
        out.write("y".repeat(200).getBytes(), 0, 200);
        String s = out.toString();
        assertEquals(4099, s.length());
        assertEquals("x".repeat(4000) + "y".repeat(96) + "...", s);
        ProbeOutput small = new ProbeOutput();
        small.write("ok\n".getBytes(), 0, 3);
        assertEquals("ok\n", small.toString());
    }
}
