package io.pouch.daemon.container.io;

import java.nio.file.Path;
import java.util.List;

/**
 * Who holds a process's output FIFOs while pouchd may be down: the exec root's {@link FifoHolder} (one process for
 * all containers), else a {@link FifoKeeper} per container (where the holder cannot be started, and the keepers a
 * pouchd before the holder left running, adopted as they are).
 */
final class OutputHolds {
    private OutputHolds() {
    }

    /**
     * Holds the FIFOs of {@code processId}: on {@code reopen} what a previous pouchd left (a holder entry or a
     * keeper) is taken up. Null when nothing can hold them (keepers off, or neither can be started: logged once).
     */
    static OutputHold start(Path fifoDir, String processId, Path stdout, Path stderr, boolean reopen) {
        if (reopen && FifoKeeper.holds(fifoDir, processId)) {
            return FifoKeeper.start(fifoDir, processId, stdout, stderr, true);
        }
        if (!FifoKeeper.ENABLED) {
            return FifoKeeper.start(fifoDir, processId, stdout, stderr, false); // logs once that they are off
        }
        FifoHolder h = FifoHolder.of(fifoDir.getParent());
        String key = FifoHolder.key(fifoDir, processId);
        List<Path> fifos = stderr == null ? List.of(stdout) : List.of(stdout, stderr);
        OutputHold held = reopen ? h.adopt(key, fifos) : null;
        if (held == null) {
            held = h.hold(key, fifos);
        }
        return held != null ? held : FifoKeeper.start(fifoDir, processId, stdout, stderr, false);
    }

    /** True when something still holds the FIFOs of {@code processId} (and so what was left in them). */
    static boolean holds(Path fifoDir, String processId) {
        return FifoKeeper.holds(fifoDir, processId)
                || FifoHolder.of(fifoDir.getParent()).has(FifoHolder.key(fifoDir, processId));
    }

    /** Lets go of every FIFO of the container whose FIFO directory is {@code fifoDir} (it is being removed). */
    static void releaseAll(Path fifoDir) {
        FifoKeeper.killAll(fifoDir);
        FifoHolder.of(fifoDir.getParent()).release(fifoDir.getFileName().toString());
    }

    /** Boot: lets go of what no IO of this pouchd took up. @return how many were let go */
    static int sweep(Path fifoRoot) {
        return FifoKeeper.sweep(fifoRoot) + FifoHolder.of(fifoRoot).sweep();
    }
}
