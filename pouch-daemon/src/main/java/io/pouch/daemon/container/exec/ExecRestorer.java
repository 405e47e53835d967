package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.container.io.ContainerIOs;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.TaskProcess;
import io.pouch.daemon.logs.LogSink;

import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * After a pouchd restart: the exec records on disk come back. A process containerd still runs stays running (its
 * output FIFOs are drained again, its exit learnt with Tasks.Wait); one that ended shows its exit status; one
 * containerd no longer knows (its shim went, e.g. the container stopped while pouchd was down) ends with
 * {@link ExecExits#UNKNOWN_EXIT}.
 */
final class ExecRestorer {
    private static final Logger LOG = Logger.getLogger(ExecRestorer.class.getName());

    private final ExecTable table;
    private final ExecProcesses processes;
    private final ExecExits exits;
    private final Path execRoot;

    ExecRestorer(ExecTable table, ExecProcesses processes, ExecExits exits, Path execRoot) {
        this.table = table;
        this.processes = processes;
        this.exits = exits;
        this.execRoot = execRoot;
    }

    void restore() {
        int n = 0;
        for (ExecRecord r : table.records()) {
            if (!table.containerExists(r.containerId())) {
                table.dropRecord(r);
                continue;
            }
            Exec e = Exec.restored(r);
            table.add(e);
            n++;
            if (!r.started() || r.exitCode() != null) {
                if (r.exitCode() != null) {
                    e.exit.complete(r.exitCode());
                }
                continue;
            }
            if (!r.running()) {
                exits.finish(e, ExecExits.UNKNOWN_EXIT); // it died between the start and its record
                continue;
            }
            reattach(e);
        }
        if (n > 0) {
            LOG.info("restored " + n + " exec record(s)");
        }
    }

    private void reattach(Exec e) {
        Optional<TaskProcess> found;
        try {
            found = processes.lookup(e);
        } catch (ContainerdException x) {
            LOG.warning("cannot look up exec " + e.id + " in containerd: " + x.getMessage());
            exits.watch(e);
            return;
        }
        if (found.isEmpty()) {
            exits.finish(e, ExecExits.UNKNOWN_EXIT);
            return;
        }
        TaskProcess p = found.get();
        if (p.isStopped()) {
            exits.finish(e, p.exitStatus());
            processes.release(e);
            return;
        }
        try {
            // keep draining its output (nobody reads it, but a full pipe would block the process)
            e.io(ContainerIOs.reopen(ContainerIO.fifoDir(execRoot, e.containerId), e.id, e.config.tty(),
                    e.config.attachStdin(), true, LogSink.NONE));
        } catch (PouchException gone) {
            LOG.fine("exec " + e.id + " has no FIFOs left: " + gone.getMessage());
        }
        e.pid(p.pid());
        exits.watch(e);
    }
}
