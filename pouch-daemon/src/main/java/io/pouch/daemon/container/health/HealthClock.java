package io.pouch.daemon.container.health;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The time the health monitors see and wait on: the system's, or a test's. */
interface HealthClock {
    HealthClock SYSTEM = new HealthClock() {
        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public boolean sleep(Duration d, CountDownLatch stop) throws InterruptedException {
            return stop.await(d.toNanos(), TimeUnit.NANOSECONDS);
        }
    };

    Instant now();

    /** Waits {@code d}, or less when {@code stop} opens: true then. */
    boolean sleep(Duration d, CountDownLatch stop) throws InterruptedException;
}
