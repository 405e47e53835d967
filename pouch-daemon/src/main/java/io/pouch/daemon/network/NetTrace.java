package io.pouch.daemon.network;

import java.util.logging.Logger;

/**
 * With {@code -Dpouch.traceCalls=true} (as containerd calls and crash-safe writes are), logs how long each step of
 * the network set-up and teardown took, to see what a {@code run --rm} waits for. Costs nothing when off.
 */
final class NetTrace {
    static final boolean ENABLED = Boolean.getBoolean("pouch.traceCalls");
    private static final Logger LOG = Logger.getLogger(NetTrace.class.getName());

    private NetTrace() {
    }

    static long start() {
        return ENABLED ? System.nanoTime() : 0;
    }

    static void end(String what, String containerId, long t0) {
        if (ENABLED) {
            LOG.info(String.format("network %s %s %.1f ms [%s]", what,
                    containerId.substring(0, Math.min(12, containerId.length())), (System.nanoTime() - t0) / 1e6,
                    Thread.currentThread().getName()));
        }
    }
}
