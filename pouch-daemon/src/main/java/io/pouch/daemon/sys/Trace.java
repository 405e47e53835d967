package io.pouch.daemon.sys;

import java.util.logging.Logger;

/**
 * {@code -Dpouch.traceCalls=true}: where a request's time goes. containerd calls, crash-safe writes, network steps
 * and exec steps log their durations or time stamps through this one switch; off, every call is a constant test.
 */
public final class Trace {
    public static final boolean ENABLED = Boolean.getBoolean("pouch.traceCalls");
    private static final Logger LOG = Logger.getLogger(Trace.class.getName());

    private Trace() {
    }

    /** A start time for {@link #end}, or 0 when tracing is off. */
    public static long start() {
        return ENABLED ? System.nanoTime() : 0;
    }

    /** Logs "{topic} {what} {id} {ms} [thread]", the time since {@code t0} from {@link #start}. */
    public static void end(String topic, String what, String id, long t0) {
        if (ENABLED) {
            LOG.info(String.format("%s %s %s %.1f ms [%s]", topic, what, shortId(id), (System.nanoTime() - t0) / 1e6,
                    Thread.currentThread().getName()));
        }
    }

    /** Logs "{topic} {id} {what} at {ms}" (a monotonic time stamp, to line up the steps of one operation). */
    public static void mark(String topic, String id, String what) {
        if (ENABLED) {
            LOG.info(String.format("%s %s %s at %.1f ms", topic, shortId(id), what,
                    (System.nanoTime() % 100_000_000_000L) / 1e6));
        }
    }

    private static String shortId(String id) {
        return id.substring(0, Math.min(12, id.length()));
    }
}
