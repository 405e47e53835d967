package io.pouch.daemon.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The one bus every manager publishes to. Keeps the last {@link #HISTORY} events so that {@code /events?since=}
 * can replay, and hands new events to subscribers in publication order.
 */
public final class EventBus {
    public static final int HISTORY = 1024;

    private final Deque<Event> history = new ArrayDeque<>();
    private final List<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();

    public void publish(Event event) {
        synchronized (history) {
            history.addLast(event);
            if (history.size() > HISTORY) {
                history.removeFirst();
            }
            // delivering under the lock keeps replay+subscribe atomic with respect to publication
            for (Consumer<Event> s : subscribers) {
                s.accept(event);
            }
        }
    }

    /** Atomically returns the history and subscribes for everything after it. Subscribers must not block. */
    public Subscription subscribe(Consumer<Event> subscriber) {
        synchronized (history) {
            List<Event> past = new ArrayList<>(history);
            subscribers.add(subscriber);
            return new Subscription(past, () -> subscribers.remove(subscriber));
        }
    }

    public record Subscription(List<Event> history, Runnable cancel) implements AutoCloseable {
        @Override
        public void close() {
            cancel.run();
        }
    }
}
