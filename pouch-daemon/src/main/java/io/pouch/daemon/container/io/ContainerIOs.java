package io.pouch.daemon.container.io;

import io.pouch.api.PouchException;
import io.pouch.daemon.logs.LogSink;
import io.pouch.daemon.sys.Fifos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/** Creates the {@link ContainerIO} of a process. */
public final class ContainerIOs {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private ContainerIOs() {
    }

    /**
     * Makes the FIFOs {@code <fifoDir>/<processId>-stdin|stdout|stderr} (mode 0600; stdin only with
     * {@code openStdin}, stderr only without {@code tty}; the directory is created 0700) and starts draining
     * stdout/stderr into {@code log} and attached subscribers. Call it before creating the containerd task and
     * give the task {@link ContainerIO#stdinPath()}, {@link ContainerIO#stdoutPath()},
     * {@link ContainerIO#stderrPath()} and {@code terminal = tty}.
     *
     * <p>The drains wait (on a platform thread each) for the shim to open the FIFOs. If the task is never created,
     * call {@link ContainerIO#close()}: it wakes them and returns promptly. When the process exits the shim closes
     * its end, the drains hit EOF, {@code log} is closed and subscribers get {@code onClose}; then call
     * {@code close()} to remove the FIFOs.
     *
     * @param log owned by the returned IO from now on ({@link LogSink#NONE} for exec processes / log driver none)
     * @throws PouchException 400 for a processId that is not a plain name, 500 when the FIFOs cannot be made
     */
    public static ContainerIO create(Path fifoDir, String processId, boolean tty, boolean openStdin,
                                     boolean stdinOnce, LogSink log) {
        checkId(processId);
        try {
            Files.createDirectories(fifoDir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            if (openStdin) {
                Fifos.mkfifo(fifo(fifoDir, processId, "stdin"), 0600);
            }
            Fifos.mkfifo(fifo(fifoDir, processId, "stdout"), 0600);
            if (!tty) {
                Fifos.mkfifo(fifo(fifoDir, processId, "stderr"), 0600);
            }
        } catch (IOException e) {
            for (String s : new String[]{"stdin", "stdout", "stderr"}) {
                try {
                    Files.deleteIfExists(fifo(fifoDir, processId, s));
                } catch (IOException ignored) {
                    // best effort cleanup of a half-made set
                }
            }
            log.close();
            throw PouchException.internal("cannot create the FIFOs of " + processId + ": " + e.getMessage(), e);
        }
        return FifoContainerIO.start(fifoDir, processId, tty, openStdin, stdinOnce, log, false);
    }

    /**
     * Live restore: re-attaches to the existing FIFOs of a task that kept running while pouchd was down and
     * continues draining. If the process exited meanwhile (the shim closed its end), the drains read what is left
     * in the pipes and end at once instead of waiting forever. Output written while pouchd was down waits in the
     * pipes (a full pipe blocks the writer, nothing is dropped); with a json-file log the previous pouchd's spools
     * and journal are taken up first, so no line is lost or written twice across the kill (see FifoContainerIO). Note the shim saw EOF on stdin when the previous pouchd
     * died, so a restored process's stdin is closed.
     *
     * @throws PouchException 404 when the stdout FIFO is not there any more
     */
    public static ContainerIO reopen(Path fifoDir, String processId, boolean tty, boolean openStdin,
                                     boolean stdinOnce, LogSink log) {
        checkId(processId);
        if (!Fifos.isFifo(fifo(fifoDir, processId, "stdout"))) {
            log.close();
            throw PouchException.notFound("the output FIFO of " + processId + " is gone: "
                    + fifo(fifoDir, processId, "stdout"));
        }
        boolean stdinThere = openStdin && Fifos.isFifo(fifo(fifoDir, processId, "stdin"));
        return FifoContainerIO.start(fifoDir, processId, tty, stdinThere, stdinOnce, log, true);
    }

    /**
     * Live restore of a process that exited while pouchd was down: logs the output the previous pouchd had already
     * taken from its FIFOs (the durable path's spools) but not yet written to the log, and, when the FIFO holder held
     * the pipes, what was still in them (drained to EOF), then closes {@code log}. Call it before deleting the task
     * (a shim blocked on a full FIFO then finishes its copy) and before removing the FIFO directory. Never throws;
     * without a hold a no-op for the plain path.
     */
    public static void salvage(Path fifoDir, String processId, LogSink log) {
        FifoContainerIO.salvage(fifoDir, processId, log);
    }

    /**
     * Lets go of the FIFOs of {@code fifoDir} held while pouchd may be down (the FIFO holder's entries, keepers: see
     * FifoHolder). Call before removing the directory of a container that is gone (its IO, if any, closed). Never
     * throws.
     */
    public static void releaseOutputHolds(Path fifoDir) {
        try {
            OutputHolds.releaseAll(fifoDir);
        } catch (RuntimeException | LinkageError e) {
            Logger.getLogger(ContainerIOs.class.getName()).warning(
                    "cannot release the output FIFOs held for " + fifoDir + ": " + e);
        }
    }

    /**
     * Output FIFO holds at boot: lets go of those under {@code execRoot}'s FIFO directories that no IO of this
     * pouchd took up (call after the running containers' IO was reopened). Never throws.
     *
     * @return how many were let go
     */
    public static int sweepOutputHolds(Path execRoot) {
        try {
            return OutputHolds.sweep(ContainerIO.fifoDir(execRoot, "x").getParent());
        } catch (RuntimeException | LinkageError e) {
            Logger.getLogger(ContainerIOs.class.getName()).warning(
                    "cannot look for output FIFO holds: " + e);
            return 0;
        }
    }

    /** {@code <fifoDir>/<processId>-<which>}, which = stdin, stdout or stderr. */
    public static Path fifo(Path fifoDir, String processId, String which) {
        return fifoDir.resolve(processId + "-" + which);
    }

    private static void checkId(String processId) {
        if (processId == null || !ID.matcher(processId).matches()) {
            throw PouchException.invalidArgument("invalid process id \"" + processId + "\"");
        }
    }
}
