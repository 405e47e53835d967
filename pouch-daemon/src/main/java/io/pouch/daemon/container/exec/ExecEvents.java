package io.pouch.daemon.container.exec;

import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;

import java.util.LinkedHashMap;
import java.util.Map;

/** The container events of execs ({@code exec_create}, {@code exec_start}, {@code exec_die}), as dockerd's. */
final class ExecEvents {
    private final EventBus bus;

    ExecEvents(EventBus bus) {
        this.bus = bus;
    }

    /** Attributes: the container's labels, then its image and name, then {@code extra}. */
    void publish(ContainerManager.ProcessView c, String action, Map<String, String> extra) {
        Map<String, String> attrs = new LinkedHashMap<>(c.labels());
        attrs.put("image", c.imageName());
        attrs.put("name", c.name());
        attrs.putAll(extra);
        bus.publish(Event.of("container", action, c.id(), attrs));
    }
}
