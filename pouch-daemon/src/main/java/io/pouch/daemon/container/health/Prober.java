package io.pouch.daemon.container.health;

import io.pouch.api.container.Health;

import java.time.Instant;

/** Runs one probe of a container's healthcheck. */
@FunctionalInterface
interface Prober {
    /**
     * The probe's result, started at {@code start}; one that could not run or ran past its timeout is a result
     * with exit code -1 and dockerd's words as its output. Interrupted: the probe process is gone when it throws.
     */
    Health.Result probe(String containerId, HealthCheck check, Instant start) throws InterruptedException;
}
