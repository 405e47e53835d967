package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerState;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Tasks;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Signals a container's main process and waits for its exit (recorded by {@link TaskExitHandler}): stop, kill,
 * and the stop before a forced remove or an upgrade. Every signal counts as a user's stop for the restart policy.
 */
final class ContainerStopper {
    private final Tasks tasks;
    private final RestartSupervisor restarts;
    private final ContainerStateDirs files;
    private final ContainerEvents events;

    ContainerStopper(Tasks tasks, RestartSupervisor restarts, ContainerStateDirs files, ContainerEvents events) {
        this.tasks = tasks;
        this.restarts = restarts;
        this.files = files;
        this.events = events;
    }

    /** The container's stop signal: its {@code StopSignal}, else SIGTERM. */
    static int stopSignal(ContainerMeta m) {
        String ss = m.config().stopSignal();
        return ss == null || ss.isEmpty() ? Signals.SIGTERM : Signals.parse(ss);
    }

    /** The container's stop timeout in seconds: its {@code StopTimeout}, else Docker's 10. */
    static int stopTimeout(ContainerMeta m) {
        return m.config().stopTimeout() != null ? m.config().stopTimeout() : 10;
    }

    /** Sends {@code sig}, waits up to {@code timeout} s (negative: forever), then SIGKILL. */
    /** How long a failed signal waits for the exit it may have raced with, before the failure stands. */
    private static final long RACED_EXIT_MILLIS = 5_000;

    void stopAndWait(Container c, int sig, int timeout) {
        CompletableFuture<Integer> exit = c.nextExit;
        if (!c.meta().running()) {
            return;
        }
        if (signal(c, sig) && awaitExit(exit, timeout < 0 ? Long.MAX_VALUE : timeout * 1000L)) {
            return;
        }
        if (!c.meta().running()) {
            return;
        }
        signal(c, Signals.SIGKILL);
        awaitKilled(c, exit);
    }

    /**
     * After a SIGKILL: waits until the exit is recorded ({@code exit} is the run's {@link Container#nextExit},
     * taken before the signal), so whoever asked sees the container exited when the answer comes, as dockerd's
     * kill and stop do.
     */
    void awaitKilled(Container c, CompletableFuture<Integer> exit) {
        if (!awaitExit(exit, 30_000) && c.meta().running()) {
            throw PouchException.internal("container " + c.id + " did not exit 30 s after SIGKILL", null);
        }
    }

    /** Sends {@code sig} to the main process; false when the task was already gone (the exit is on its way). */
    boolean signal(Container c, int sig) {
        restarts.markManualStop(c); // the restart policy never undoes a user's stop or kill
        CompletableFuture<Integer> exit = c.nextExit; // this run's exit: taken before the signal can cause it
        try {
            ContainerState st = c.meta().state();
            if (sig != Signals.SIGKILL || st.paused() || !DirectKill.kill(st.pid(), c.id)) {
                tasks.kill(c.id, sig, false);
            }
            if (c.meta().state().paused() && (sig == Signals.SIGKILL || sig == stopSignal(c.meta()))) {
                // a frozen process only acts on the signal once thawed; moby resumes for KILL and the stop signal
                tasks.resume(c.id);
                c.lock.lock();
                try {
                    ContainerMeta m = c.meta();
                    if (m.running()) {
                        files.save(c, m.withState(withPaused(m.state(), false)));
                    }
                } finally {
                    c.lock.unlock();
                }
            }
            events.publish(c, "kill", Map.of("signal", Integer.toString(sig)));
            return true;
        } catch (ContainerdException e) {
            // a signal racing the process's own exit finds the task gone, or its shim closing ("ttrpc: closed")
            if (e.isNotFound() || awaitExit(exit, RACED_EXIT_MILLIS)) {
                return false;
            }
            throw e.toPouch("cannot kill container " + c.id);
        }
    }

    static ContainerState withPaused(ContainerState s, boolean paused) {
        return new ContainerState(paused ? "paused" : "running", s.running(), paused, s.restarting(), s.oomKilled(),
                s.dead(), s.pid(), s.exitCode(), s.error(), s.startedAt(), s.finishedAt());
    }

    private static boolean awaitExit(CompletableFuture<Integer> exit, long millis) {
        try {
            exit.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }
}
