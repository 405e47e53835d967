package io.pouch.daemon.container.health;

import io.pouch.api.container.Health;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe loop's timing on a clock of the test's: each wait is what dockerd waits. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HealthMonitorTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** Time moves only when the monitor waits or a probe runs. */
    static final class TestClock implements HealthClock {
        Instant now = T0;
        final List<Duration> waits = new ArrayList<>();

        @Override
        public synchronized Instant now() {
            return now;
        }

        @Override
        public synchronized boolean sleep(Duration d, CountDownLatch stop) {
            if (stop.getCount() == 0) {
                return true;
            }
            waits.add(d);
            now = now.plus(d);
            return false;
        }

        synchronized void advance(Duration d) {
            now = now.plus(d);
        }
    }

    @Test
    void probesComeOneIntervalAfterTheStartThenAfterEachEndAndTheStartIntervalWhileStarting() throws Exception {
        TestClock clock = new TestClock();
        HealthCheck check = new HealthCheck(List.of("x"), Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofSeconds(10), Duration.ofSeconds(2), 3);
        AtomicReference<Health> health = new AtomicReference<>(HealthStates.starting(null));
        List<Instant> probeStarts = new ArrayList<>();
        int[] codes = {1, 1, 1, 1, 1, 1, 0, 1};
        AtomicReference<HealthMonitor> self = new AtomicReference<>();
        Prober prober = (id, c, start) -> {
            probeStarts.add(start);
            clock.advance(Duration.ofMillis(500)); // each probe takes half a second
            int code = codes[probeStarts.size() - 1];
            if (probeStarts.size() == codes.length) {
                self.get().stop();
            }
            return new Health.Result(HealthStates.time(start), HealthStates.time(clock.now()), code, "");
        };
        HealthMonitor m = new HealthMonitor("c1", check, T0, clock, prober, health::get,
                (mon, r, start) -> health.set(HealthStates.record(health.get(), r, start, check, T0)));
        self.set(m);
        m.run();
        // starting within the 10 s start period: every 2 s (after each probe's end); then the 30 s interval
        assertEquals(List.of(T0.plusSeconds(2), T0.plus(Duration.ofMillis(4500)), T0.plusSeconds(7),
                T0.plus(Duration.ofMillis(9500)), T0.plusSeconds(40), T0.plus(Duration.ofMillis(70500)),
                T0.plusSeconds(101), T0.plus(Duration.ofMillis(131500))), probeStarts);
        // the failures in the start period did not count: 2 after it (of 3 allowed), then healthy; the result of
        // the probe under way when the monitor stopped is dropped
        assertEquals(8, clock.waits.size(), "no wait after the stop");
        assertEquals("healthy", health.get().status());
        assertEquals(0, health.get().failingStreak());
        assertEquals(List.of(1, 1, 1, 1, 0), health.get().log().stream().map(Health.Result::exitCode).toList());
    }

    @Test
    void stopInterruptsAProbeUnderWayAndItsResultIsDropped() throws Exception {
        HealthCheck check = new HealthCheck(List.of("x"), Duration.ofMillis(1), Duration.ofSeconds(5),
                Duration.ZERO, Duration.ofSeconds(5), 3);
        CountDownLatch probing = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        List<Health.Result> recorded = new ArrayList<>();
        Prober prober = (id, c, start) -> {
            probing.countDown();
            try {
                Thread.sleep(Duration.ofHours(1));
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return new Health.Result("", "", 0, "");
        };
        HealthMonitor m = new HealthMonitor("c1", check, Instant.now(), HealthClock.SYSTEM, prober,
                () -> HealthStates.starting(null), (mon, r, start) -> recorded.add(r));
        Thread t = Thread.ofVirtual().start(m);
        assertTrue(probing.await(10, TimeUnit.SECONDS));
        m.stop();
        assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the probe was interrupted");
        t.join(Duration.ofSeconds(10));
        assertTrue(!t.isAlive(), "the monitor's thread ended");
        assertEquals(List.of(), recorded);
    }

    @Test
    void stopEndsTheWaitAtOnce() throws Exception {
        HealthCheck check = new HealthCheck(List.of("x"), Duration.ofHours(1), Duration.ofSeconds(5),
                Duration.ZERO, Duration.ofSeconds(5), 3);
        HealthMonitor m = new HealthMonitor("c1", check, Instant.now(), HealthClock.SYSTEM,
                (id, c, start) -> {
                    throw new AssertionError("no probe before an hour");
                }, () -> HealthStates.starting(null), (mon, r, start) -> {
                });
        Thread t = Thread.ofVirtual().start(m);
        m.stop();
        t.join(Duration.ofSeconds(10));
        assertTrue(!t.isAlive());
    }
}
