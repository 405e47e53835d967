package io.pouch.daemon.container;

import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;

import java.util.LinkedHashMap;
import java.util.Map;

/** Publishes a container's events with Docker's attributes: its labels, then image and name, then the extras. */
final class ContainerEvents {
    private final EventBus bus;

    ContainerEvents(EventBus bus) {
        this.bus = bus;
    }

    void publish(Container c, String action) {
        publish(c, action, Map.of());
    }

    void publish(Container c, String action, Map<String, String> extra) {
        ContainerMeta m = c.meta();
        Map<String, String> attrs = new LinkedHashMap<>();
        if (m.config().labels() != null) {
            attrs.putAll(m.config().labels());
        }
        attrs.put("image", m.imageName());
        attrs.put("name", m.name());
        attrs.putAll(extra);
        bus.publish(Event.of("container", action, c.id, attrs));
    }
}
