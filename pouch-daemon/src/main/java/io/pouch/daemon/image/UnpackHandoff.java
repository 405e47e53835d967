package io.pouch.daemon.image;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One pulled layer's snapshot, passed from the pull's unpacking in chain order (which prepares it once the parent is
 * committed, and commits it) to the layer's download, whose entry check unpacks the entries as they arrive
 * ({@link LayerUnpacker}). Either side may drop out: the download gives up waiting for the snapshot (its parent is
 * far behind), the snapshot is not of a shape the unpacker knows, or unpacking fails; the chain side then has
 * containerd's Apply unpack the stored blob, into a fresh snapshot when this one was written to.
 */
final class UnpackHandoff {
    private final CompletableFuture<UnpackTarget> target = new CompletableFuture<>();
    /** The diff id of a complete unpack, or null when there was none. */
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private volatile boolean touched;
    private volatile Throwable failure;

    // ---- the chain side

    /** Offers the prepared snapshot; false when the download no longer waits for it. */
    boolean offer(UnpackTarget t) {
        return target.complete(t);
    }

    /**
     * Waits until the layer was unpacked into the offered snapshot and returns the digest of the uncompressed
     * stream it unpacked, or null when it was not (then {@code download}, ended, says whether the layer failed).
     * Returns without waiting for the blob's commit in containerd (an fsync): what the snapshot holds is proven by
     * its diff id, and the image is recorded only once every blob is committed.
     */
    String awaitUnpacked(Future<?> download) throws InterruptedException {
        while (true) {
            try {
                return result.get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (download.isDone()) {
                    return result.getNow(null);
                }
            } catch (ExecutionException e) {
                return null;
            }
        }
    }

    /**
     * For a caller that ran the check itself: once it returned, the diff id of a complete unpack, else null (the
     * check completes the handoff either way before it returns).
     */
    String unpacked() {
        return result.getNow(null);
    }

    /** The offered snapshot was handed to the unpacker: unless it unpacked everything, Apply needs a fresh one. */
    boolean touched() {
        return touched;
    }

    /** Why the unpacking stopped, or null. */
    Throwable failure() {
        return failure;
    }

    // ---- the download side

    /** The download stops waiting: its entries are checked only (no-op once the snapshot was offered). */
    void giveUp() {
        target.complete(null);
    }

    /** The check ended without unpacking everything (cancelled, failed, or never given the snapshot). */
    void abandon() {
        result.complete(null);
    }

    /**
     * Waits for the snapshot; null when there is nothing to unpack into (given up, the chain is there already, or
     * the snapshot is not one bind or overlay mount).
     */
    LayerUnpacker await() throws InterruptedException {
        UnpackTarget t;
        try {
            t = target.get();
        } catch (ExecutionException e) {
            return null;
        }
        if (t == null || t.key() == null) {
            return null;
        }
        Optional<LayerUnpacker.Target> where = LayerUnpacker.Target.of(t.mounts());
        if (where.isEmpty()) {
            return null;
        }
        touched = true;
        return new LayerUnpacker(where.get());
    }

    /** Every entry was unpacked; {@code diffId} is the digest of the whole uncompressed stream. */
    void done(String diffId) {
        result.complete(diffId);
    }

    /** Unpacking stopped at {@code e}; the check itself may go on. */
    void failed(Throwable e) {
        failure = e;
        result.complete(null);
    }
}
