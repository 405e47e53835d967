package io.pouch.testing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AwaitTest {
    @Test
    void untilReturnsTheFirstAcceptedValue() {
        AtomicInteger n = new AtomicInteger();
        assertEquals(3, Await.until(Duration.ofSeconds(5), n::incrementAndGet, v -> v >= 3, "three"));
    }

    @Test
    void untilFailsWithWhatWasAwaitedAndTheLastValue() {
        long t0 = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.until(Duration.ofMillis(100), () -> "still 1", v -> false, "the count to reach 2"));
        assertTrue(System.nanoTime() - t0 >= 100_000_000L, "gave up before the timeout");
        assertTrue(e.getMessage().contains("the count to reach 2") && e.getMessage().contains("still 1"),
                e.getMessage());
    }

    @Test
    void aValueThatThrowsIsNotThereYet() {
        AtomicInteger n = new AtomicInteger();
        assertEquals(2, Await.until(Duration.ofSeconds(5), () -> {
            if (n.incrementAndGet() < 2) {
                throw new IllegalStateException("not yet");
            }
            return n.get();
        }, v -> true, "a value"));
        AssertionError e = assertThrows(AssertionError.class, () -> Await.until(Duration.ofMillis(50), () -> {
            throw new IllegalStateException("broken");
        }, "never"));
        assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
    }

    @Test
    void holdsFailsAsSoonAsTheConditionTurnsFalse() {
        AtomicInteger n = new AtomicInteger();
        long t0 = System.nanoTime();
        assertThrows(AssertionError.class,
                () -> Await.holds(Duration.ofSeconds(10), () -> n.incrementAndGet() < 3, "fewer than 3 looks"));
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "did not fail at once");
        Await.holds(Duration.ofMillis(30), () -> true, "always true");
    }
}
