package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.container.io.ContainerIOs;
import io.pouch.daemon.logs.LogDrivers;
import io.pouch.daemon.logs.LogSink;

/**
 * The I/O of a container's main process ({@code init}): its FIFOs, copied to the container's log driver and to
 * attached clients. Made before each start, re-attached to a task that kept running while pouchd was down, or
 * drained one last time for a task that ended meanwhile.
 */
final class MainProcessIo {
    static final String PROCESS_ID = "init";

    private final ContainerStateDirs files;
    private final LogDrivers logDrivers;

    MainProcessIo(ContainerStateDirs files, LogDrivers logDrivers) {
        this.files = files;
        this.logDrivers = logDrivers;
    }

    /** New FIFOs and a freshly opened log for the next start. */
    ContainerIO create(ContainerMeta m) {
        ContainerConfig cfg = m.config();
        LogSink log = openLog(m);
        try {
            return ContainerIOs.create(files.fifoDir(m.id()), PROCESS_ID, cfg.tty(), cfg.openStdin(),
                    cfg.stdinOnce(), log);
        } catch (Exception e) {
            Cleanup.quietly(log::close);
            throw PouchException.internal("cannot set up the container's I/O: " + e.getMessage(), e);
        }
    }

    /** Re-attaches to the FIFOs of a task that kept running while pouchd was down. */
    ContainerIO reopen(ContainerMeta m) {
        ContainerConfig cfg = m.config();
        return ContainerIOs.reopen(files.fifoDir(m.id()), PROCESS_ID, cfg.tty(), cfg.openStdin(), cfg.stdinOnce(),
                openLog(m));
    }

    /** Logs what a task that ended while pouchd was down left behind (see {@link ContainerIOs#salvage}). */
    void salvage(ContainerMeta m) {
        ContainerIOs.salvage(files.fifoDir(m.id()), PROCESS_ID, openLog(m));
    }

    private LogSink openLog(ContainerMeta m) {
        return logDrivers.open(m.hostConfig().logConfig(), files.logPath(m.id()), new LogDrivers.Subject(m.id(),
                m.name(), m.imageId(), m.imageName(), m.config().labels(), m.config().env()));
    }
}
