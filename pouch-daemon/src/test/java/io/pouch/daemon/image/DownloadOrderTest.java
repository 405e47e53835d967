package io.pouch.daemon.image;

import io.pouch.testing.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DownloadOrderTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final DownloadOrder order = new DownloadOrder(3, now::get);

    @Test
    void aLaterLayerIsHeldOnlyWhileAnEarlierOneDeliversBytes() {
        order.progressed(0);
        order.progressed(2);
        assertFalse(order.held(0), "the first layer is never held");
        assertTrue(order.held(2), "layer 0 just delivered bytes: layer 2 waits");
        now.addAndGet(DownloadOrder.IDLE_NANOS + 1);
        assertFalse(order.held(2), "layer 0 waits on the network: layer 2 may read (no bandwidth wasted)");
        order.progressed(0);
        assertTrue(order.held(2));
        order.finished(0);
        assertFalse(order.held(2), "layer 0 has all its bytes");
    }

    @Test
    void aLayerThatHasNotStartedHoldsNoOne() {
        order.progressed(1);
        assertFalse(order.held(1), "layer 0 is not downloading (present, or waiting for a slot)");
        assertTrue(order.held(2));
    }

    @Test
    void aHeldDownloadGoesOnWhenTheEarlierOneFinishes() throws Exception {
        DownloadOrder o = new DownloadOrder(2, now::get);
        o.progressed(0);
        CompletableFuture<Void> waited = CompletableFuture.runAsync(() -> {
            try {
                o.awaitTurn(1);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // layer 0 keeps delivering (the clock moves less than IDLE_NANOS between its chunks): layer 1 waits
        Await.holds(Duration.ofMillis(100), () -> {
            now.addAndGet(DownloadOrder.IDLE_NANOS / 4);
            o.progressed(0);
            return !waited.isDone();
        }, "layer 1 waits while layer 0 keeps delivering");
        o.finished(0);
        waited.get(5, TimeUnit.SECONDS); // woken by the finish, not by the clock (which stands still now)
    }

    @Test
    void aHeldDownloadIsReleasedAfterTheLongestHold() throws Exception {
        DownloadOrder o = new DownloadOrder(2, now::get);
        // layer 0 "delivers" forever (the clock stands still): the hold ends at its cap, not never
        o.progressed(0);
        CompletableFuture<Void> waited = CompletableFuture.runAsync(() -> {
            try {
                o.awaitTurn(1);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Await.holds(Duration.ofMillis(50), () -> !waited.isDone(), "layer 1 held while the clock stands still");
        now.addAndGet(DownloadOrder.MAX_HOLD_NANOS);
        o.progressed(0); // still busy at the new time; the waiter looks at the clock again within IDLE_NANOS
        waited.get(5, TimeUnit.SECONDS);
    }
}
