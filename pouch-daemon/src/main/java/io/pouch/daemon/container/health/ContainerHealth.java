package io.pouch.daemon.container.health;

import io.pouch.api.container.Health;

import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One container's health and the monitor of its current run. Changes happen under {@link #lock}; the lifecycle
 * methods never block (they are called from the event bus). A status change is reported to {@code changes} outside
 * the lock (it publishes on the bus).
 */
final class ContainerHealth {
    private final String id;
    private final HealthStore store;
    private final HealthClock clock;
    private final Prober prober;
    private final Consumer<String> changes;
    private final ReentrantLock lock = new ReentrantLock();
    private Health health;
    private HealthMonitor monitor;

    ContainerHealth(String id, Health initial, HealthStore store, HealthClock clock, Prober prober,
                    Consumer<String> changes) {
        this.id = id;
        this.health = initial;
        this.store = store;
        this.clock = clock;
        this.prober = prober;
        this.changes = changes;
    }

    Health health() {
        lock.lock();
        try {
            return health;
        } finally {
            lock.unlock();
        }
    }

    /** A new run: {@code starting} again, probes from one interval on. */
    void started(HealthCheck check, Instant startedAt) {
        lock.lock();
        try {
            stopMonitor();
            health = HealthStates.starting(health);
            launch(check, startedAt);
        } finally {
            lock.unlock();
        }
    }

    /** Probes again (after an unpause, or for a container found running at pouchd's start); the state is kept. */
    void resumed(HealthCheck check, Instant startedAt) {
        lock.lock();
        try {
            if (monitor != null) {
                return;
            }
            if (health == null) {
                health = HealthStates.starting(null);
            }
            launch(check, startedAt);
        } finally {
            lock.unlock();
        }
    }

    /** The container stopped or was paused: no more probes, and dockerd's {@code unhealthy} meanwhile. */
    void stopped() {
        lock.lock();
        try {
            if (monitor != null) {
                stopMonitor();
                health = HealthStates.monitorStopped(health);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The container was removed: no more probes, nothing more is saved. */
    void removed() {
        lock.lock();
        try {
            stopMonitor();
        } finally {
            lock.unlock();
        }
    }

    private void stopMonitor() {
        if (monitor != null) {
            monitor.stop();
            monitor = null;
        }
    }

    private void launch(HealthCheck check, Instant startedAt) {
        HealthMonitor m = new HealthMonitor(id, check, startedAt, clock, prober, this::health, this::record);
        monitor = m;
        Thread.ofVirtual().name("health-" + id.substring(0, Math.min(12, id.length()))).start(() -> {
            save(m);
            m.run();
        });
    }

    /** Saves the state while {@code m} is the current monitor (its start's reset). */
    private void save(HealthMonitor m) {
        lock.lock();
        try {
            if (monitor == m && !m.stopped()) {
                store.save(id, health);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A probe's result, unless its monitor was stopped meanwhile; saved, and a status change reported. */
    private void record(HealthMonitor m, Health.Result result, Instant start) {
        String changed = null;
        lock.lock();
        try {
            if (monitor != m || m.stopped()) {
                return;
            }
            Health before = health;
            health = HealthStates.record(before, result, start, m.check(), m.startedAt());
            store.save(id, health);
            if (!Objects.equals(before.status(), health.status())) {
                changed = health.status();
            }
        } finally {
            lock.unlock();
        }
        if (changed != null) {
            changes.accept(changed);
        }
    }
}
