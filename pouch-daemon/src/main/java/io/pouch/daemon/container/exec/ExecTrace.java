package io.pouch.daemon.container.exec;

import java.util.logging.Logger;

/**
 * Timeline of one exec (create, start, exit, stream end, inspect), logged when pouchd runs with
 * {@code -Dpouch.traceCalls=true} next to the containerd call times, to see where {@code docker exec}'s time goes.
 */
final class ExecTrace {
    static final boolean ENABLED = Boolean.getBoolean("pouch.traceCalls");
    private static final Logger LOG = Logger.getLogger(ExecTrace.class.getName());

    private ExecTrace() {
    }

    static void mark(String execId, String what) {
        if (ENABLED) {
            LOG.info(String.format("exec %s %s at %.1f ms", execId.substring(0, Math.min(12, execId.length())), what,
                    (System.nanoTime() % 100_000_000_000L) / 1e6));
        }
    }
}
