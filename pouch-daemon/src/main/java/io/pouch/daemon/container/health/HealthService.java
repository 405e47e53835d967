package io.pouch.daemon.container.health;

import io.pouch.api.container.ContainerState;
import io.pouch.api.container.Health;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.ContainerMeta;
import io.pouch.daemon.container.exec.ExecManager;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Healthchecks, as dockerd runs them: each running, unpaused container whose (merged) config has a healthcheck is
 * probed ({@link HealthMonitor}, through pouchd's own execs); its {@code State.Health} is kept here and saved beside
 * its metadata ({@link HealthStore}); a change of status is published as {@code health_status: <status>}. The
 * containers' lifecycle is followed on the event bus: start, die, pause, unpause, destroy.
 */
public final class HealthService {
    /** What the health feature needs of the containers. */
    public interface Containers {
        /** The container's metadata, or null when there is no such container. */
        ContainerMeta find(String id);

        Collection<ContainerMeta> all();
    }

    private final Containers containers;
    private final Prober prober;
    private final HealthClock clock;
    private final EventBus bus;
    private final HealthStore store;
    private final Map<String, ContainerHealth> entries = new ConcurrentHashMap<>();

    HealthService(Containers containers, Prober prober, HealthClock clock, EventBus bus, HealthStore store) {
        this.containers = containers;
        this.prober = prober;
        this.clock = clock;
        this.bus = bus;
        this.store = store;
    }

    /**
     * The health feature of a running pouchd: inspect, ps and the {@code health} filter read the states from it;
     * the saved states come back and the probes of running containers resume (call after
     * {@code ContainerManager.start()}).
     *
     * @param containersDir where the containers' state dirs are ({@code DaemonConfig.containersDir()})
     */
    public static HealthService start(ContainerManager containers, ExecManager execs, EventBus bus,
                                      Path containersDir) {
        HealthService s = new HealthService(new Containers() {
            @Override
            public ContainerMeta find(String id) {
                return containers.metaOrNull(id);
            }

            @Override
            public Collection<ContainerMeta> all() {
                return containers.metas();
            }
        }, new ExecProber(execs, HealthClock.SYSTEM), HealthClock.SYSTEM, bus, new HealthStore(containersDir));
        containers.healthSource(s::health);
        s.start();
        return s;
    }

    /** Follows the bus, then brings back what was saved and resumes the probes of running containers. */
    void start() {
        bus.subscribe(this::onEvent);
        for (ContainerMeta m : containers.all()) {
            HealthCheck check = checkOf(m);
            if (check == null) {
                continue;
            }
            Health saved = store.load(m.id());
            ContainerState s = m.state();
            if (s.running() && !s.paused()) {
                entry(m.id(), saved).resumed(check, startedAt(s));
            } else if (saved != null) {
                entries.putIfAbsent(m.id(), newEntry(m.id(), HealthStates.monitorStopped(saved)));
            }
        }
    }

    /** The container's {@code State.Health}, or null when it has no healthcheck (or never ran with one). */
    public Health health(String id) {
        ContainerHealth h = entries.get(id);
        return h == null ? null : h.health();
    }

    /** Subscribers must not block: every lifecycle step here only changes memory and starts or stops a thread. */
    void onEvent(Event ev) {
        if (!"container".equals(ev.type()) || ev.actor() == null || ev.actor().id() == null) {
            return;
        }
        String id = ev.actor().id();
        switch (ev.action()) {
            case "start" -> started(id);
            case "die", "pause" -> {
                ContainerHealth h = entries.get(id);
                if (h != null) {
                    h.stopped();
                }
            }
            case "unpause" -> unpaused(id);
            case "destroy" -> {
                ContainerHealth h = entries.remove(id);
                if (h != null) {
                    h.removed();
                }
            }
            default -> {
                // other events change nothing the probes depend on
            }
        }
    }

    private void started(String id) {
        ContainerMeta m = containers.find(id);
        HealthCheck check = m == null ? null : checkOf(m);
        if (check == null) {
            // no healthcheck (any more: an upgrade may have dropped it): no Health, as dockerd shows none
            ContainerHealth old = entries.remove(id);
            if (old != null) {
                old.removed();
            }
            return;
        }
        entry(id, null).started(check, startedAt(m.state()));
    }

    private void unpaused(String id) {
        ContainerMeta m = containers.find(id);
        ContainerHealth h = entries.get(id);
        HealthCheck check = m == null ? null : checkOf(m);
        if (h != null && check != null && m.state().running() && !m.state().paused()) {
            h.resumed(check, startedAt(m.state()));
        }
    }

    private ContainerHealth entry(String id, Health initial) {
        return entries.computeIfAbsent(id, k -> newEntry(k, initial));
    }

    private ContainerHealth newEntry(String id, Health initial) {
        return new ContainerHealth(id, initial, store, clock, prober, status -> published(id, status));
    }

    /** {@code health_status: <status>} with the container's attributes, as dockerd's. */
    private void published(String id, String status) {
        ContainerMeta m = containers.find(id);
        if (m == null) {
            return;
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        if (m.config().labels() != null) {
            attrs.putAll(m.config().labels());
        }
        attrs.put("image", m.imageName());
        attrs.put("name", m.name());
        bus.publish(Event.of("container", "health_status: " + status, id, attrs));
    }

    private static HealthCheck checkOf(ContainerMeta m) {
        return HealthCheck.of(m.config().healthcheck(), m.config().shell());
    }

    private static Instant startedAt(ContainerState s) {
        try {
            return Instant.parse(s.startedAt());
        } catch (DateTimeParseException | NullPointerException e) {
            return Instant.now();
        }
    }
}
