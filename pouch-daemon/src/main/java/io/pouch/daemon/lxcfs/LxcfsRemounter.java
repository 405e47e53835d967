package io.pouch.daemon.lxcfs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Puts the live LXCFS files back into every running container that has LXCFS on: after lxcfs restarts, the binds
 * made at container start point at the dead FUSE connection ("Transport endpoint is not connected") until they are
 * replaced. Serves {@code pouch remount-lxcfs} and the {@link LxcfsWatcher}.
 */
public final class LxcfsRemounter {
    private static final Logger LOG = Logger.getLogger(LxcfsRemounter.class.getName());

    /** A running container with LXCFS on: its id and the host pid of its init process. */
    public record Target(String id, long pid) {
    }

    /** What happened in one container: {@code OK} or the reason it failed. */
    public record Result(String id, String status) {
    }

    /** Replaces the binds inside one process's mount namespace. */
    @FunctionalInterface
    interface Binder {
        void rebind(long pid, List<LxcfsFiles.FileBind> binds) throws IOException;
    }

    private final Lxcfs lxcfs;
    private final Supplier<List<Target>> targets;
    private final Binder binder;
    private final Predicate<Target> stale;

    public LxcfsRemounter(Lxcfs lxcfs, Supplier<List<Target>> targets) {
        this(lxcfs, targets, NamespaceBinder::rebind, t -> StaleBinds.isStale(t.pid()));
    }

    /** @param stale whether a container's LXCFS files are the dead ones of an earlier lxcfs */
    LxcfsRemounter(Lxcfs lxcfs, Supplier<List<Target>> targets, Binder binder, Predicate<Target> stale) {
        this.lxcfs = lxcfs;
        this.targets = targets;
        this.binder = binder;
        this.stale = stale;
    }

    public Lxcfs lxcfs() {
        return lxcfs;
    }

    /**
     * One result per container with LXCFS on; a container that fails does not stop the others.
     *
     * @throws io.pouch.api.PouchException 400 when the daemon has LXCFS off or lxcfs is not mounted (nothing to
     *         bind from)
     */
    public List<Result> remountAll() {
        return remount(t -> true);
    }

    /**
     * Only the containers whose files no longer answer: a new lxcfs may get the very mount ID the dead one had (the
     * kernel reuses them), so the containers themselves are the reliable witness.
     */
    public List<Result> remountStale() {
        return remount(stale);
    }

    private synchronized List<Result> remount(Predicate<Target> which) {
        lxcfs.requireUsable("remount-lxcfs");
        List<LxcfsFiles.FileBind> binds = LxcfsFiles.binds(lxcfs.config().home());
        List<Result> out = new ArrayList<>();
        for (Target t : targets.get()) {
            if (!which.test(t)) {
                continue;
            }
            try {
                binder.rebind(t.pid(), binds);
                out.add(new Result(t.id(), "OK"));
            } catch (IOException | RuntimeException e) {
                LOG.warning("lxcfs remount in container " + t.id() + " failed: " + e.getMessage());
                out.add(new Result(t.id(), e.getMessage()));
            }
        }
        return out;
    }
}
