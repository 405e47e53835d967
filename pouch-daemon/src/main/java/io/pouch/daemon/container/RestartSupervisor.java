package io.pouch.daemon.container;

import io.pouch.api.container.ContainerState;
import io.pouch.api.container.HostConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Acts on {@code HostConfig.RestartPolicy}: after an exit it decides (under the container's lock, so nobody sees
 * the container "exited" while a restart is pending) and then starts the container again after Docker's
 * back-off; at pouchd start it brings back the containers whose policy says so. A user's stop or kill marks the
 * container "manually stopped" (a marker file in its directory, so it survives pouchd restarts) and the policy
 * never undoes it; the next user start clears the mark, the restart count and the back-off.
 */
final class RestartSupervisor {
    private static final Logger LOG = Logger.getLogger(RestartSupervisor.class.getName());
    static final String MANUAL_STOP_FILE = "manually-stopped";

    /** A restart decided at an exit: run {@link #schedule} with it once the lock is released. */
    record Plan(Duration delay, long generation) {
    }

    private final Path containersDir;
    private final ContainerStateDirs files;
    private final ContainerEvents events;
    private final ContainerStarter starter;
    private final Map<String, Duration> lastDelay = new ConcurrentHashMap<>();
    /** Bumped by every user action, so a pending restart planned before it is dropped. */
    private final Map<String, Long> generation = new ConcurrentHashMap<>();

    /** {@code starter} starts a container whose lock is held; it throws on failure, leaving the state unchanged. */
    RestartSupervisor(ContainerStateDirs files, ContainerEvents events, ContainerStarter starter) {
        this.containersDir = files.containersDir();
        this.files = files;
        this.events = events;
        this.starter = starter;
    }

    boolean manuallyStopped(String id) {
        return Files.exists(containersDir.resolve(id).resolve(MANUAL_STOP_FILE));
    }

    /** docker stop/kill: the policy must not bring the container back; a pending restart is cancelled. */
    void markManualStop(Container c) {
        generation.merge(c.id, 1L, Long::sum);
        try {
            Path f = containersDir.resolve(c.id).resolve(MANUAL_STOP_FILE);
            if (!Files.exists(f)) {
                Files.createFile(f);
            }
        } catch (IOException e) {
            LOG.warning("cannot record the manual stop of " + c.id + ": " + e.getMessage());
        }
    }

    /** A user start: forget the manual stop and the back-off (the caller resets the restart count). */
    void userStarted(Container c) {
        generation.merge(c.id, 1L, Long::sum);
        lastDelay.remove(c.id);
        try {
            Files.deleteIfExists(containersDir.resolve(c.id).resolve(MANUAL_STOP_FILE));
        } catch (IOException e) {
            LOG.warning("cannot clear the manual stop of " + c.id + ": " + e.getMessage());
        }
    }

    /**
     * Cancels a pending restart (user stop, kill or remove of a restarting container) and records the container
     * as exited. Caller holds the lock. True when there was one.
     */
    boolean cancelPending(Container c) {
        ContainerMeta m = c.meta();
        if (!m.state().restarting()) {
            return false;
        }
        generation.merge(c.id, 1L, Long::sum);
        files.save(c, m.withState(exited(m.state())));
        return true;
    }

    /**
     * At an exit, caller holding the lock: a restart plan when the policy restarts the container, else null.
     * With a plan the caller records {@link #restarting} instead of the exited state, and the restart count + 1.
     */
    Plan planAfterExit(Container c, int exitCode, Instant startedAt, Instant exitedAt) {
        ContainerMeta m = c.meta();
        HostConfig.RestartPolicy p = m.hostConfig().restartPolicy();
        if (c.removing || !RestartPolicies.shouldRestart(p, exitCode, m.restartCount(), manuallyStopped(c.id))) {
            lastDelay.remove(c.id);
            return null;
        }
        Duration ran = startedAt == null ? Duration.ZERO : Duration.between(startedAt, exitedAt);
        Duration d = RestartPolicies.nextDelay(lastDelay.get(c.id), ran);
        lastDelay.put(c.id, d);
        return new Plan(d, generation.getOrDefault(c.id, 0L));
    }

    /** The state shown while a restart is pending: Docker's "restarting", with the exit just recorded. */
    static ContainerState restarting(ContainerState exited) {
        return new ContainerState("restarting", false, false, true, exited.oomKilled(), false, 0, exited.exitCode(),
                "", exited.startedAt(), exited.finishedAt());
    }

    static ContainerState exited(ContainerState s) {
        return new ContainerState("exited", false, false, false, s.oomKilled(), false, 0, s.exitCode(), s.error(),
                s.startedAt(), s.finishedAt());
    }

    /** Starts the container again after the plan's delay, unless a user action came first. */
    void schedule(Container c, Plan plan) {
        Thread.ofVirtual().name("restart-" + c.id.substring(0, 12)).start(() -> {
            try {
                Thread.sleep(plan.delay());
            } catch (InterruptedException e) {
                return;
            }
            restartNow(c, plan.generation(), true);
        });
    }

    private void restartNow(Container c, long gen, boolean pending) {
        boolean started = false;
        c.lock.lock();
        try {
            ContainerMeta m = c.meta();
            if (c.removing || generation.getOrDefault(c.id, 0L) != gen || m.running()
                    || (pending && !m.state().restarting())) {
                return;
            }
            try {
                if (!pending) {
                    // as dockerd at boot: a fresh start, so the policy applies again to its next exit
                    Files.deleteIfExists(containersDir.resolve(c.id).resolve(MANUAL_STOP_FILE));
                }
                starter.start(c);
                started = true;
            } catch (IOException e) {
                LOG.warning("cannot clear the manual stop of " + c.id + ": " + e.getMessage());
            } catch (RuntimeException e) {
                // as dockerd: a restart that fails leaves the container exited, with the reason in State.Error
                LOG.log(Level.WARNING, "restart of " + c.id + " failed: " + e.getMessage());
                ContainerState s = c.meta().state();
                files.save(c, c.meta().withState(new ContainerState("exited", false, false, false, s.oomKilled(),
                        false, 0, s.exitCode(), String.valueOf(e.getMessage()), s.startedAt(), s.finishedAt())));
            }
        } finally {
            c.lock.unlock();
        }
        if (started) {
            events.publish(c, "start");
        }
    }

    /**
     * After pouchd started and reconciled: containers whose policy says so are started (a host reboot took their
     * tasks away); a restart that was pending when pouchd went down is done now.
     */
    void atDaemonStart(Collection<Container> all) {
        for (Container c : all) {
            ContainerMeta m = c.meta();
            ContainerState s = m.state();
            if (m.running() || s.dead() || c.removing || ContainerState.ZERO_TIME.equals(s.startedAt())) {
                continue;
            }
            boolean manual = manuallyStopped(c.id);
            boolean go = s.restarting() || RestartPolicies.restartAtDaemonStart(m.hostConfig().restartPolicy(),
                    s.exitCode(), m.restartCount(), manual);
            if (s.restarting() && manual) {
                go = false;
            }
            if (!go) {
                if (s.restarting()) {
                    c.lock.lock();
                    try {
                        cancelPending(c);
                    } finally {
                        c.lock.unlock();
                    }
                }
                continue;
            }
            long gen = generation.getOrDefault(c.id, 0L);
            Thread.ofVirtual().name("boot-restart-" + c.id.substring(0, 12)).start(() -> restartNow(c, gen, false));
        }
    }
}
