package io.pouch.daemon.network;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PendingWorkTest {
    final PendingWork pending = new PendingWork();

    @Test
    void scheduledJobsRunInOrderAfterWhatIsPendingAndAreAwaited() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> setUp = new CompletableFuture<>();
        pending.started("c1", setUp);
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        pending.schedule("c1", () -> {
            ran.add("first");
            firstStarted.countDown();
            awaitQuietly(release);
        });
        pending.schedule("c1", () -> ran.add("second"));
        assertEquals(List.of(), ran, "nothing runs before the pending set-up ends");
        setUp.completeExceptionally(new IllegalStateException("set-up failed")); // its failure is its caller's
        assertTrue(firstStarted.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("first"), ran);
        release.countDown();
        pending.await("c1");
        assertEquals(List.of("first", "second"), ran);
    }

    @Test
    void aFailingJobDoesNotStopTheNextOrTheWaiter() {
        List<String> ran = new CopyOnWriteArrayList<>();
        pending.schedule("c1", () -> {
            throw new IllegalStateException("boom");
        });
        pending.schedule("c1", () -> ran.add("after"));
        pending.await("c1");
        assertEquals(List.of("after"), ran);
    }

    @Test
    void awaitAllWaitsForEveryContainer() {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        pending.schedule("a", () -> {
            awaitQuietly(release);
            ran.add("a");
        });
        pending.schedule("b", () -> ran.add("b"));
        release.countDown();
        pending.awaitAll();
        assertEquals(List.of("a", "b"), ran.stream().sorted().toList());
    }

    @Test
    void doneForgetsOnlyThatWork() {
        CompletableFuture<Void> first = new CompletableFuture<>();
        CompletableFuture<Void> second = new CompletableFuture<>();
        pending.started("c1", first);
        pending.started("c1", second);
        pending.done("c1", first); // not the current one: stays
        second.complete(null);
        pending.await("c1");
        assertFalse(first.isDone());
        pending.await("nobody");
    }

    static void awaitQuietly(CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
