package io.pouch.daemon.container.stats;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.ProcessViews;
import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Tasks;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code docker top}, as dockerd does it: the host's {@code ps} (default {@code -ef}), the rows kept whose pid is
 * one of the container's task.
 */
public final class TopService {
    /** Runs {@code ps} with these arguments; its output. */
    @FunctionalInterface
    public interface Ps {
        String run(List<String> args) throws IOException, InterruptedException;
    }

    /** The pids of the processes in a container's task. */
    @FunctionalInterface
    public interface TaskPids {
        List<Integer> pids(String containerId);
    }

    private final ProcessViews containers;
    private final TaskPids tasks;
    private final Ps ps;
    private final Predicate<String> ownKernel;

    public TopService(ProcessViews containers, TaskPids tasks, Ps ps) {
        this(containers, tasks, ps, id -> false);
    }

    /**
     * @param ownKernel whether a container's processes live in a kernel of its own (gVisor): their pids are that
     *                  kernel's, so the host's ps cannot show them
     */
    public TopService(ProcessViews containers, TaskPids tasks, Ps ps, Predicate<String> ownKernel) {
        this.containers = containers;
        this.tasks = tasks;
        this.ps = ps;
        this.ownKernel = ownKernel;
    }

    /** Over containerd's tasks and the host's ps. */
    public static TopService onHost(Containerd ctd, ProcessViews containers) {
        return new TopService(containers, new Tasks(ctd)::pids, new HostPs());
    }

    /** As {@link #onHost(Containerd, ProcessViews)}, refusing the containers that run in a kernel of their own. */
    public static TopService onHost(Containerd ctd, ProcessViews containers, Predicate<String> ownKernel) {
        return new TopService(containers, new Tasks(ctd)::pids, new HostPs(), ownKernel);
    }

    /** @param psArgs ps's arguments as the client gave them (blank: {@code -ef}) */
    public Top top(String ref, String psArgs) throws IOException, InterruptedException {
        ContainerManager.ProcessView c = containers.processView(ref);
        if (!c.running()) {
            throw PouchException.conflict("Container " + c.id() + " is not running");
        }
        if (ownKernel.test(c.id())) {
            throw PouchException.invalidArgument("top cannot list the processes of container " + c.id() + ": they"
                    + " run in the gVisor sandbox's own kernel, whose pids are not the host's; use docker exec "
                    + c.id().substring(0, 12) + " ps");
        }
        Set<Long> pids = new HashSet<>();
        try {
            tasks.pids(c.id()).forEach(p -> pids.add((long) p));
        } catch (ContainerdException e) {
            throw PouchException.conflict("Container " + c.id() + " is not running");
        }
        return Top.parse(ps.run(psArguments(psArgs)), pids);
    }

    static List<String> psArguments(String psArgs) {
        if (psArgs == null || psArgs.isBlank()) {
            return List.of("-ef");
        }
        return List.of(psArgs.trim().split("\\s+"));
    }
}
