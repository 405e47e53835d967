package io.pouch.daemon.image;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Gives a pull's parallel layer downloads a priority by chain order, without wasting bandwidth. Layers are
 * unpacked in chain order, each as soon as its blob is stored; when the downloads share the link evenly they all
 * end together and every unpack is left for the end (two 29 MiB layers: ~180 ms of unpacking after the last
 * byte). Here a download waits between chunks while an earlier layer's download is making progress, so the
 * earliest layer gets the CPU and the link, ends first, and is unpacked while the next one downloads. A later
 * download is only held while an earlier one is busy: when the earlier one waits on the network (a slow or
 * per-connection-limited registry), the later ones read as before. Its request is made at once, so a held
 * download's connection is open and its first bytes wait in the socket's buffer.
 */
final class DownloadOrder {
    /** An earlier download that delivered nothing for this long is waiting on the network: later ones go on. */
    static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(15);
    /**
     * The longest one wait; a held download then reads one more chunk, so its connection never looks stalled to
     * the registry or to the download's own stall watchdog.
     */
    static final long MAX_HOLD_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final LongSupplier clock;
    /** Per layer, in chain order: when it last delivered bytes; 0 while it is not downloading. */
    private final long[] lastProgress;

    DownloadOrder(int layers) {
        this(layers, System::nanoTime);
    }

    DownloadOrder(int layers, LongSupplier clock) {
        this.lastProgress = new long[layers];
        this.clock = clock;
    }

    /** Layer {@code i}'s download started (or delivered bytes). */
    synchronized void progressed(int i) {
        lastProgress[i] = Math.max(1, clock.getAsLong());
    }

    /** Layer {@code i} has all its bytes (or failed): it no longer holds anyone. */
    synchronized void finished(int i) {
        lastProgress[i] = 0;
        notifyAll();
    }

    /** Layer {@code i} delivered a chunk: waits while an earlier layer is downloading busily. */
    void awaitTurn(int i) throws InterruptedException {
        progressed(i);
        long deadline = clock.getAsLong() + MAX_HOLD_NANOS;
        synchronized (this) {
            while (true) {
                long now = clock.getAsLong();
                long busyUntil = busyEarlier(i, now);
                if (busyUntil == 0 || now >= deadline) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, Math.min(busyUntil, deadline) - now));
            }
        }
        progressed(i);
    }

    /** When the busiest earlier download turns idle if it delivers nothing more, or 0 when none is busy. */
    private long busyEarlier(int i, long now) {
        long until = 0;
        for (int j = 0; j < i; j++) {
            long t = lastProgress[j];
            if (t != 0 && now - t < IDLE_NANOS) {
                until = Math.max(until, t + IDLE_NANOS);
            }
        }
        return until;
    }

    /** For tests: whether layer {@code i} would be held now. */
    synchronized boolean held(int i) {
        return busyEarlier(i, clock.getAsLong()) != 0;
    }
}
