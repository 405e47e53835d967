package io.pouch.daemon.container;

import io.pouch.api.container.ContainerState;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.TaskExit;
import io.pouch.daemon.containerd.TaskProcess;
import io.pouch.daemon.containerd.TaskStatus;
import io.pouch.daemon.containerd.Tasks;
import io.pouch.daemon.volume.ContainerVolumes;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import static io.pouch.daemon.container.Cleanup.quietly;

/**
 * What containerd's task events mean for a container: an exit of the main process is recorded (I/O drained,
 * task deleted, network and volumes released, state exited or restarting, {@code die} published, waiters
 * woken), then the restart policy or {@code --rm} takes over. Exits of exec'd processes go to the exec listener.
 */
final class TaskExitHandler {
    private static final Logger LOG = Logger.getLogger(TaskExitHandler.class.getName());

    private final ContainerStore store;
    private final ContainerStateDirs files;
    private final ContainerEvents events;
    private final Tasks tasks;
    private final ContainerNetworking networking;
    private final ContainerVolumes volumes;
    private final RestartSupervisor restarts;
    private final ContainerRemover remover;
    private volatile ContainerManager.ExecExitListener execExits = (containerId, execId, pid, status, at) -> {
    };

    TaskExitHandler(ContainerStore store, ContainerStateDirs files, ContainerEvents events, Tasks tasks,
                    ContainerNetworking networking, ContainerVolumes volumes, RestartSupervisor restarts,
                    ContainerRemover remover) {
        this.store = store;
        this.files = files;
        this.events = events;
        this.tasks = tasks;
        this.networking = networking;
        this.volumes = volumes;
        this.restarts = restarts;
        this.remover = remover;
    }

    void execExitListener(ContainerManager.ExecExitListener listener) {
        this.execExits = listener;
    }

    /** containerd's {@code /tasks/exit}: handled off the event stream's thread. */
    void onTaskExit(String containerId, String processId, int pid, int status, Instant at) {
        if (!containerId.equals(processId)) {
            execExits.onExit(containerId, processId, pid, status, at);
            return;
        }
        Container c = store.byIdOrNull(containerId);
        if (c != null) {
            Thread.ofVirtual().name("exit-" + containerId.substring(0, 12)).start(() -> handleExit(c, pid, status, at));
        }
    }

    /** containerd's {@code /tasks/oom}: the current run was OOM-killed (State.OOMKilled at its exit). */
    void onTaskOom(String containerId) {
        Container c = store.byIdOrNull(containerId);
        if (c != null) {
            c.oomKilled = true;
            events.publish(c, "oom");
        }
    }

    /** After the event stream was re-established: exits that may have been missed while it was down. */
    void reconcileRunning() {
        for (Container c : store.all()) {
            if (!c.meta().running()) {
                continue;
            }
            try {
                Optional<TaskProcess> p = tasks.get(c.id);
                if (p.isEmpty()) {
                    Thread.ofVirtual().start(() -> handleExit(c, 0, 255, Instant.now()));
                } else if (p.get().status() == TaskStatus.STOPPED) {
                    int code = p.get().exitStatus();
                    Instant at = Instant.parse(Times.of(p.get().exitedAt()));
                    Thread.ofVirtual().start(() -> handleExit(c, 0, code, at));
                }
            } catch (ContainerdException e) {
                LOG.warning("cannot check task " + c.id + ": " + e.getMessage());
            }
        }
    }

    /**
     * containerd announces the exit of a task whose shim died while it was down (a reboot, a killed shim) when it
     * starts again, with pid 0 and the time of that clean-up. By then the restart policy may have started the
     * container anew: such an event is older than the current run, and must not end it.
     */
    private static boolean isStaleExit(ContainerMeta m, int pid, Instant at) {
        if (pid != 0 || at == null) {
            return false;
        }
        Instant started = Times.parse(m.state().startedAt());
        return started != null && at.isBefore(started);
    }

    /** Records an exit of the main process: drain I/O, delete the task, state exited, event die, auto-remove. */
    private void handleExit(Container c, int pid, int status, Instant at) {
        int code;
        RestartSupervisor.Plan plan;
        c.lock.lock();
        try {
            ContainerMeta m = c.meta();
            if (!m.running() || (pid != 0 && m.state().pid() != 0 && m.state().pid() != pid)) {
                return;
            }
            if (isStaleExit(m, pid, at)) {
                return;
            }
            code = status;
            ContainerIO io = c.io;
            if (io != null) {
                try {
                    io.awaitDrained(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                Optional<TaskExit> d = tasks.delete(c.id);
                if (d.isPresent() && status < 0) {
                    code = d.get().exitStatus();
                }
                c.taskDeleted = true; // the removal that often follows (--rm, rm -f) skips its Tasks/Delete
            } catch (ContainerdException e) {
                LOG.warning("cannot delete the task of " + c.id + ": " + e.getMessage());
            }
            if (io != null) {
                io.close();
                c.io = null;
            }
            quietly(() -> networking.detachLater(c.id)); // torn down off the exit path
            volumes.stopped(c.id); // unmounts what only this container used
            ShareableShm.release(files.dir(c.id));
            if (code < 0) {
                code = 255;
            }
            Instant exitedAt = at == null ? Instant.now() : at;
            ContainerState exited = new ContainerState("exited", false, false, false, c.oomKilled, false, 0, code,
                    "", m.state().startedAt(), Times.format(exitedAt));
            // the restart policy decides before anyone can see the container exited
            plan = restarts.planAfterExit(c, code, Times.parse(m.state().startedAt()), exitedAt);
            if (plan == null && (m.hostConfig().autoRemove() || c.removing)) {
                // removed right below (--rm) or by the forced remove waiting for this exit (rm -f), so the exited
                // state is not written first (two fsyncs on the path docker run --rm and rm -f wait for); a crash
                // before the removal leaves "running" on disk, which the boot's reconcile records as exited (the
                // task is gone), the same end as a crash just after this write
                c.meta(m.withState(exited));
            } else {
                files.save(c, plan == null ? m.withState(exited)
                        : m.withState(RestartSupervisor.restarting(exited)).withRestartCount(m.restartCount() + 1));
            }
        } finally {
            c.lock.unlock();
        }
        events.publish(c, "die", Map.of("exitCode", Integer.toString(code)));
        c.exited(code);
        if (plan != null) {
            restarts.schedule(c, plan);
        }
        if (c.meta().hostConfig().autoRemove() && !c.removing) {
            try {
                // --rm removes the anonymous volumes too, as docker does
                remover.remove(c, true, true);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "auto-remove of " + c.id + " failed", e);
            }
        }
    }
}
