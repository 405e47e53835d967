package io.pouch.daemon.network;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Per container: network set-up or teardown still running off the request path (an attach's namespace, a
 * detach after exit, the teardown after removal). Whatever needs that work finished (the next attach, connect,
 * network removal, daemon stop) waits for it first.
 */
final class PendingWork {
    private static final Logger LOG = Logger.getLogger(PendingWork.class.getName());

    private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();

    /** Records work the caller runs itself; it calls {@link #done} when the work ends. */
    void started(String containerId, CompletableFuture<Void> work) {
        pending.put(containerId, work);
    }

    void done(String containerId, CompletableFuture<Void> work) {
        pending.remove(containerId, work);
    }

    /** Runs job on its own thread after what is already pending for that container; a failure is logged. */
    void schedule(String containerId, Runnable job) {
        CompletableFuture<Void> f = pending.compute(containerId, (k, prev) -> {
            CompletableFuture<Void> after = prev == null ? CompletableFuture.completedFuture(null)
                    : prev.handle((v, e) -> null);
            return after.thenRunAsync(() -> {
                try {
                    job.run();
                } catch (RuntimeException e) {
                    LOG.warning("network teardown of " + containerId + ": " + e.getMessage());
                }
            }, r -> Thread.ofVirtual().name("net-down-" + shortId(containerId)).start(r));
        });
        f.whenComplete((v, e) -> pending.remove(containerId, f));
    }

    /** Waits for the set-up or teardown still running for a container (its outcome is the caller's no more). */
    void await(String containerId) {
        CompletableFuture<Void> f;
        while ((f = pending.get(containerId)) != null) {
            try {
                f.join();
            } catch (RuntimeException e) {
                // the set-up's failure went to its caller, a teardown's to the log
            }
            pending.remove(containerId, f);
        }
    }

    /** Waits for every container's pending network work. */
    void awaitAll() {
        for (String id : List.copyOf(pending.keySet())) {
            await(id);
        }
    }

    static String shortId(String containerId) {
        return containerId.substring(0, Math.min(12, containerId.length()));
    }
}
