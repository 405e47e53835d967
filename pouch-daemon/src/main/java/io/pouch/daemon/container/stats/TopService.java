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

    public TopService(ProcessViews containers, TaskPids tasks, Ps ps) {
        this.containers = containers;
        this.tasks = tasks;
        this.ps = ps;
    }

    /** Over containerd's tasks and the host's ps. */
    public static TopService onHost(Containerd ctd, ProcessViews containers) {
        return new TopService(containers, new Tasks(ctd)::pids, new HostPs());
    }

    /** @param psArgs ps's arguments as the client gave them (blank: {@code -ef}) */
    public Top top(String ref, String psArgs) throws IOException, InterruptedException {
        ContainerManager.ProcessView c = containers.processView(ref);
        if (!c.running()) {
            throw PouchException.conflict("Container " + c.id() + " is not running");
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
