package io.pouch.daemon.container;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Steps of an undo or a clean-up path: each runs on its own, and a failure is logged (at FINE) rather than
 * thrown, so that the steps after it still run and the original failure is the one reported.
 */
final class Cleanup {
    private static final Logger LOG = Logger.getLogger(Cleanup.class.getName());

    interface Step {
        void run() throws Exception;
    }

    private Cleanup() {
    }

    static void quietly(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            LOG.log(Level.FINE, "cleanup step failed", e);
        }
    }
}
