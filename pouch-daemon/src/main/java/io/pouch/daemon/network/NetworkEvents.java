package io.pouch.daemon.network;

import io.pouch.daemon.events.Event;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Network events (create, destroy, connect, disconnect) with the attributes dockerd gives them. */
final class NetworkEvents {
    /** For a network side nobody listens to. */
    static final NetworkEvents NONE = new NetworkEvents(e -> { });

    private final Consumer<Event> sink;

    NetworkEvents(Consumer<Event> sink) {
        this.sink = sink;
    }

    /** @param containerId the container of a connect or disconnect, null for the network's own events */
    void publish(NetworkRecord n, String action, String containerId) {
        Map<String, String> attrs = new LinkedHashMap<>();
        if (containerId != null) {
            attrs.put("container", containerId);
        }
        attrs.put("name", n.name());
        attrs.put("type", n.driver());
        sink.accept(Event.of("network", action, n.id(), attrs));
    }
}
