package io.pouch.daemon.api;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory the server lets collected request bodies take, all connections together. A JSON body is held whole
 * while its handler decodes it (and its decoded form several times over), so without a budget a few large bodies at
 * once exhaust the heap and every connection drops. A body is admitted against the budget before it is read and
 * holds its share until its exchange ends; one that does not fit is answered 503. Small bodies are not counted:
 * they are bounded by the number of connections and must not be starved by one large body.
 */
final class BodyBudget {
    /** Bodies up to this size are never refused for lack of budget. */
    static final long FREE = 64 * 1024;
    /**
     * The largest JSON body we collect. A container's spec goes to containerd in one gRPC message, which containerd
     * limits to 16 MiB, so no larger create could succeed anyway; no other JSON body comes near it.
     */
    static final long MAX_JSON_BODY = 16L * 1024 * 1024;

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    BodyBudget(long limit) {
        this.limit = limit;
    }

    /** A sixteenth of the heap (whose decoded forms take several times as much), and at least one largest body. */
    static BodyBudget forHeap() {
        return new BodyBudget(Math.max(MAX_JSON_BODY, Runtime.getRuntime().maxMemory() / 16));
    }

    long limit() {
        return limit;
    }

    long used() {
        return used.get();
    }

    /** Takes {@code n} more bytes of the budget, or nothing and false when they do not fit. */
    boolean tryReserve(long n) {
        while (true) {
            long u = used.get();
            if (u + n > limit) {
                return false;
            }
            if (used.compareAndSet(u, u + n)) {
                return true;
            }
        }
    }

    void release(long n) {
        used.addAndGet(-n);
    }
}
