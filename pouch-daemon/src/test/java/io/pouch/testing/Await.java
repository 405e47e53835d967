package io.pouch.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits on a condition in tests instead of sleeping for a guessed time: the condition is polled (every few
 * milliseconds at first, then every {@link #MAX_INTERVAL}) until it holds, or the test fails with what was awaited
 * and, for {@link #until(Duration, Supplier, Predicate, String)}, the last value seen. {@link #holds} is the other
 * way round: a condition that must stay true for a whole period ("nothing happens for 300 ms").
 */
public final class Await {
    private static final Duration FIRST_INTERVAL = Duration.ofMillis(5);
    private static final Duration MAX_INTERVAL = Duration.ofMillis(100);

    private Await() {
    }

    /** Returns as soon as {@code cond} is true; fails when it is still false after {@code timeout}. */
    public static void until(Duration timeout, BooleanSupplier cond, String what) {
        until(timeout, cond::getAsBoolean, ok -> ok, what);
    }

    /**
     * Returns the first value of {@code value} that {@code ok} accepts; fails after {@code timeout} with the last
     * value seen. A value that throws counts as not yet there (the exception is kept for the failure message).
     */
    public static <T> T until(Duration timeout, Supplier<T> value, Predicate<? super T> ok, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration interval = FIRST_INTERVAL;
        Object last = null;
        RuntimeException lastError = null;
        while (true) {
            try {
                T v = value.get();
                if (ok.test(v)) {
                    return v;
                }
                last = v;
                lastError = null;
            } catch (RuntimeException e) {
                lastError = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                AssertionError failure = new AssertionError("timed out after " + timeout + " waiting for " + what
                        + (lastError == null ? " (last seen: " + last + ")" : " (last try threw " + lastError + ")"));
                if (lastError != null) {
                    failure.initCause(lastError);
                }
                throw failure;
            }
            pause(interval);
            interval = interval.multipliedBy(2).compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : interval.multipliedBy(2);
        }
    }

    /**
     * Checks that {@code cond} stays true for the whole {@code period} (polled every few milliseconds); fails at
     * once when it turns false. For tests whose subject is that something does not happen.
     */
    public static void holds(Duration period, BooleanSupplier cond, String what) {
        long end = System.nanoTime() + period.toNanos();
        do {
            if (!cond.getAsBoolean()) {
                throw new AssertionError("no longer true: " + what);
            }
            pause(Duration.ofMillis(Math.min(10, Math.max(1, period.toMillis() / 20))));
        } while (System.nanoTime() - end < 0);
        if (!cond.getAsBoolean()) {
            throw new AssertionError("no longer true at the end of " + period + ": " + what);
        }
    }

    /** The poll interval itself: the one place a test thread sleeps, between two looks at a condition. */
    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }
}
