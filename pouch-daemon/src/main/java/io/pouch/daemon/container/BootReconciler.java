package io.pouch.daemon.container;

import io.pouch.daemon.sys.FileTrees;
import io.pouch.api.container.ContainerState;
import io.pouch.daemon.container.io.ContainerIOs;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Containers;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.containerd.TaskExit;
import io.pouch.daemon.containerd.TaskProcess;
import io.pouch.daemon.containerd.TaskStatus;
import io.pouch.daemon.containerd.Tasks;
import io.pouch.daemon.volume.ContainerVolumes;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import static io.pouch.daemon.container.Cleanup.quietly;

/**
 * After a pouchd (re)start: loads the containers' metadata into the store and brings it into agreement with
 * containerd:
 * <ul>
 * <li>task running or paused: the container is running, and its I/O is re-attached to the task's FIFOs;</li>
 * <li>task stopped: deleted, its exit status recorded; no task while metadata says running: exited (255);</li>
 * <li>metadata but no containerd container: marked dead (Docker's word for "cannot be used, remove it"):
 *     removing it data-wise is the user's call, not a startup side effect;</li>
 * <li>containerd container without metadata: deleted with its task and snapshot (no orphans), and so is a
 *     container's snapshot without its container;</li>
 * <li>a state dir whose create never completed (pouchd was killed): removed before anything else.</li>
 * </ul>
 */
final class BootReconciler {
    private static final Logger LOG = Logger.getLogger(BootReconciler.class.getName());
    private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{64}");

    private final ContainerStore store;
    private final ContainerStateDirs files;
    private final ContainerEvents events;
    private final MainProcessIo io;
    private final ContainerVolumes volumes;
    private final Containers containers;
    private final Snapshots snapshots;
    private final Tasks tasks;

    BootReconciler(ContainerStore store, ContainerStateDirs files, ContainerEvents events, MainProcessIo io,
                   ContainerVolumes volumes, Containers containers, Snapshots snapshots, Tasks tasks) {
        this.store = store;
        this.files = files;
        this.events = events;
        this.io = io;
        this.volumes = volumes;
        this.containers = containers;
        this.snapshots = snapshots;
        this.tasks = tasks;
    }

    /**
     * Removes the state dirs of creates that a killed pouchd never completed (see
     * {@link ContainerStateDirs#CREATING_MARK}), before anything reads them: no container was reported for them, so
     * nothing of them may stay. Their containerd objects go in {@link #reconcile}.
     */
    void removeUnfinished() {
        for (String id : files.unfinished()) {
            LOG.info("removing the state of container " + id + ", whose create did not complete");
            quietly(() -> ContainerIOs.releaseOutputHolds(files.fifoDir(id)));
            quietly(() -> FileTrees.delete(files.fifoDir(id)));
            quietly(() -> FileTrees.delete(files.dir(id)));
        }
    }

    /** Puts every container found on disk into the store. */
    void load() {
        for (ContainerMeta m : files.readAll()) {
            try {
                store.reserveName(m.name(), m.id());
                store.add(new Container(m));
            } catch (RuntimeException e) {
                LOG.warning("ignoring container metadata of " + m.id() + ": " + e.getMessage());
            }
        }
    }

    void reconcile() {
        Set<String> known;
        try {
            known = new HashSet<>(containers.ids());
        } catch (ContainerdException e) {
            throw e.toPouch("cannot list containerd containers");
        }
        for (Container c : store.all()) {
            c.lock.lock();
            try {
                reconcileOne(c, known.contains(c.id));
            } catch (ContainerdException e) {
                LOG.warning("cannot reconcile container " + c.id + ": " + e.getMessage());
            } finally {
                c.lock.unlock();
            }
        }
        for (String id : known) {
            if (store.byIdOrNull(id) == null) {
                LOG.info("deleting orphan containerd container " + id);
                quietly(() -> deleteOrphan(id));
            }
        }
        removeOrphanSnapshots();
        ContainerIOs.sweepOutputHolds(files.execRoot()); // the output holds no re-attached I/O took up
    }

    /**
     * A container's snapshot is keyed by its id and prepared while its create runs: a create killed before the
     * containerd container was recorded leaves the snapshot alone, which no container names.
     */
    private void removeOrphanSnapshots() {
        List<String> keys;
        try {
            keys = snapshots.list();
        } catch (RuntimeException e) {
            LOG.warning("cannot list snapshots to remove those of unfinished creates: " + e.getMessage());
            return;
        }
        for (String key : keys) {
            if (CONTAINER_ID.matcher(key).matches() && store.byIdOrNull(key) == null) {
                LOG.info("removing the snapshot of container " + key + ", which does not exist");
                quietly(() -> snapshots.remove(key));
            }
        }
    }

    private void deleteOrphan(String id) throws Exception {
        Optional<TaskProcess> p = tasks.get(id);
        if (p.isPresent() && p.get().status() != TaskStatus.STOPPED) {
            tasks.kill(id, Signals.SIGKILL, true);
            for (int i = 0; i < 50 && tasks.get(id).map(t -> t.status() != TaskStatus.STOPPED).orElse(false); i++) {
                Thread.sleep(100);
            }
        }
        tasks.delete(id);
        containers.delete(id);
        snapshots.remove(id);
        ContainerIOs.releaseOutputHolds(files.fifoDir(id));
        FileTrees.delete(files.fifoDir(id));
    }

    /**
     * The task as containerd sees it. containerd answers UNKNOWN when the shim does not answer its state query
     * within 2 s (a shim busy copying a burst of output on a loaded host): that is asked again for up to 10 s rather
     * than read as an exit, which would record 255 for a container that exited with its own code or runs on.
     */
    private Optional<TaskProcess> knownState(String id) {
        Optional<TaskProcess> p = tasks.get(id);
        for (int i = 0; i < 40 && p.isPresent() && p.get().status() == TaskStatus.UNKNOWN; i++) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            p = tasks.get(id);
        }
        return p;
    }

    private void reconcileOne(Container c, boolean inContainerd) {
        ContainerMeta m = c.meta();
        ContainerState s = m.state();
        if (!inContainerd) {
            if (!s.dead()) {
                files.save(c, m.withState(new ContainerState("dead", false, false, false, s.oomKilled(), true, 0,
                        s.exitCode(), "the containerd container is missing", s.startedAt(), s.finishedAt())));
            }
            return;
        }
        Optional<TaskProcess> p = knownState(c.id);
        if (p.isPresent() && (p.get().status() == TaskStatus.RUNNING || p.get().status() == TaskStatus.PAUSED
                || p.get().status() == TaskStatus.PAUSING)) {
            boolean paused = p.get().status() != TaskStatus.RUNNING;
            if (!s.running() || s.paused() != paused || s.pid() != p.get().pid()) {
                files.save(c, m.withState(new ContainerState(paused ? "paused" : "running", true, paused, false,
                        false, false, p.get().pid(), 0, "", s.running() ? s.startedAt() : Times.now(),
                        s.finishedAt())));
            }
            try {
                c.io = io.reopen(m);
            } catch (RuntimeException e) {
                LOG.warning("container " + c.id + " runs on, but its output cannot be re-attached: " + e.getMessage());
            }
            return;
        }
        // the log gets what the killed pouchd had spooled but not yet logged, and what a FIFO keeper kept in the
        // pipes; before the task is deleted, so that a shim blocked on a full FIFO can finish its copy
        if (p.isPresent() || s.running()) {
            quietly(() -> io.salvage(m));
        }
        int code = s.exitCode();
        String finished = s.finishedAt();
        if (p.isPresent()) {
            code = p.get().status() == TaskStatus.STOPPED ? p.get().exitStatus() : 255;
            finished = Times.of(p.get().exitedAt());
            Optional<TaskExit> d = tasks.delete(c.id);
            // a delete succeeds only once the process is gone and reports its status; a task that was created and
            // never started has none of its own
            if (d.isPresent() && p.get().status() != TaskStatus.CREATED) {
                code = d.get().exitStatus();
            }
        } else if (s.running()) {
            code = 255;
            finished = Times.now();
        }
        ContainerIOs.releaseOutputHolds(files.fifoDir(c.id));
        quietly(() -> FileTrees.delete(files.fifoDir(c.id)));
        volumes.stopped(c.id); // the container stopped while pouchd was down
        ShareableShm.release(files.dir(c.id));
        if (s.running() || p.isPresent()) {
            // a task that got past CREATED was started, even when the start's state (written after its reply,
            // see ContainerStateDirs#saveAfterUnlock) never reached the disk: then its exit stands for its start
            boolean recordedStart = !ContainerState.ZERO_TIME.equals(s.startedAt());
            boolean everStarted = recordedStart || (p.isPresent() && p.get().status() != TaskStatus.CREATED);
            files.save(c, m.withState(new ContainerState(everStarted ? "exited" : "created", false, false, false,
                    s.oomKilled(), false, 0, code, "", recordedStart ? s.startedAt() : everStarted ? finished
                    : s.startedAt(), everStarted ? finished : s.finishedAt())));
            if (s.running()) {
                events.publish(c, "die", Map.of("exitCode", Integer.toString(code)));
            }
        }
    }
}
