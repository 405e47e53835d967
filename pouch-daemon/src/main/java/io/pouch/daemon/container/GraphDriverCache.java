package io.pouch.daemon.container;

import io.pouch.api.container.ContainerInspect;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Snapshots;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Inspect's {@code GraphDriver}: the overlay dirs of a container's rootfs snapshot. They do not change while the
 * snapshot exists, so they are asked of containerd once and kept: inspect (which {@code docker exec} calls before
 * every exec) is then answered from memory. Keyed by what a recreated snapshot (upgrade, its rollback) changes:
 * the image and the start time.
 */
final class GraphDriverCache {
    private final Map<String, Map.Entry<String, ContainerInspect.GraphDriver>> cache = new ConcurrentHashMap<>();
    private final ContainerStore store;
    private final Snapshots snapshots;

    GraphDriverCache(ContainerStore store, Snapshots snapshots) {
        this.store = store;
        this.snapshots = snapshots;
    }

    /** The overlay dirs of {@code m}'s snapshot: cached, or asked of containerd (and cached when known). */
    ContainerInspect.GraphDriver get(ContainerMeta m) {
        ContainerInspect.GraphDriver cached = cached(m);
        if (cached != null) {
            return cached;
        }
        String key = key(m);
        if (store.byIdOrNull(m.id()) == null) {
            cache.remove(m.id());
            return ask(m.id());
        }
        ContainerInspect.GraphDriver g = ask(m.id());
        if (!g.data().isEmpty()) {
            cache.put(m.id(), Map.entry(key, g));
        }
        cache.keySet().removeIf(id -> store.byIdOrNull(id) == null); // removed containers
        return g;
    }

    /** The cached overlay dirs of {@code m}'s snapshot, or null (never cached, or recreated since). */
    ContainerInspect.GraphDriver cached(ContainerMeta m) {
        Map.Entry<String, ContainerInspect.GraphDriver> cached = cache.get(m.id());
        return cached != null && cached.getKey().equals(key(m)) ? cached.getValue() : null;
    }

    private static String key(ContainerMeta m) {
        return m.imageId() + "|" + m.state().startedAt();
    }

    private ContainerInspect.GraphDriver ask(String id) {
        Map<String, String> data = new LinkedHashMap<>();
        try {
            data = snapshots.mounts(id).graphDriverData();
        } catch (ContainerdException ignored) {
            // a dead container may have lost its snapshot: inspect still answers
        }
        return new ContainerInspect.GraphDriver(Snapshots.SNAPSHOTTER, data);
    }
}
