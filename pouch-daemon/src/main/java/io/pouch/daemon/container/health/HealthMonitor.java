package io.pouch.daemon.container.health;

import io.pouch.api.container.Health;

import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The probes of one run of one container, with dockerd's timing: the first probe one interval after the start
 * (the start interval while starting within the start period), the next one an interval after the previous one
 * ended. {@link #stop} ends it at once: a probe under way is interrupted (its process killed) and its result
 * dropped.
 */
final class HealthMonitor implements Runnable {
    private static final Logger LOG = Logger.getLogger(HealthMonitor.class.getName());

    /** Where results go. */
    interface Recorder {
        /** Records {@code result} of a probe of {@code monitor} begun at {@code start}, unless it was stopped. */
        void record(HealthMonitor monitor, Health.Result result, Instant start);
    }

    private final String containerId;
    private final HealthCheck check;
    private final Instant startedAt;
    private final HealthClock clock;
    private final Prober prober;
    private final Supplier<Health> current;
    private final Recorder recorder;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final ReentrantLock lock = new ReentrantLock();
    /** The thread while it runs a probe; guarded by {@link #lock}. */
    private Thread probing;

    HealthMonitor(String containerId, HealthCheck check, Instant startedAt, HealthClock clock, Prober prober,
                  Supplier<Health> current, Recorder recorder) {
        this.containerId = containerId;
        this.check = check;
        this.startedAt = startedAt;
        this.clock = clock;
        this.prober = prober;
        this.current = current;
        this.recorder = recorder;
    }

    HealthCheck check() {
        return check;
    }

    Instant startedAt() {
        return startedAt;
    }

    /** Never blocks: the loop ends at once, or when its probe's process is gone. */
    void stop() {
        lock.lock();
        try {
            stop.countDown();
            if (probing != null) {
                probing.interrupt();
            }
        } finally {
            lock.unlock();
        }
    }

    boolean stopped() {
        return stop.getCount() == 0;
    }

    @Override
    public void run() {
        try {
            while (!clock.sleep(HealthStates.nextWait(check, current.get(), startedAt, clock.now()), stop)) {
                Instant start = clock.now();
                if (!beginProbe()) {
                    return;
                }
                Health.Result r;
                try {
                    r = prober.probe(containerId, check, start);
                } finally {
                    endProbe();
                }
                if (stopped()) {
                    return;
                }
                recorder.record(this, r, start);
            }
        } catch (InterruptedException e) {
            // stopped while probing: the probe's process was killed
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the health monitor of container " + containerId + " failed", e);
        }
    }

    private boolean beginProbe() {
        lock.lock();
        try {
            if (stopped()) {
                return false;
            }
            probing = Thread.currentThread();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** After this, {@link #stop} no longer interrupts: an interrupt that came too late to matter is cleared. */
    private void endProbe() {
        lock.lock();
        try {
            probing = null;
            Thread.interrupted();
        } finally {
            lock.unlock();
        }
    }
}
