package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.query.Filters;
import io.pouch.daemon.query.PruneUntil;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * {@code POST /containers/prune} as dockerd does it: removes every container that is not running (nor paused nor
 * waiting for a policy restart) among those the {@code until}, {@code label} and {@code label!} filters keep, each
 * with its {@code destroy} event; its anonymous volumes stay. One prune at a time.
 */
final class ContainerPruner {
    private static final Logger LOG = Logger.getLogger(ContainerPruner.class.getName());
    private static final Set<String> FILTERS = Set.of("until", "label", "label!");

    private final ContainerStore store;
    private final ContainerRemover remover;
    private final Snapshots snapshots;
    private final EventBus bus;
    private final AtomicBoolean running = new AtomicBoolean();

    ContainerPruner(ContainerStore store, ContainerRemover remover, Snapshots snapshots, EventBus bus) {
        this.store = store;
        this.remover = remover;
        this.snapshots = snapshots;
        this.bus = bus;
    }

    /** dockerd's answer: {@code ContainersDeleted} (null when none) and {@code SpaceReclaimed} (their own layers). */
    Map<String, Object> prune(Filters filters) {
        filters.validate(FILTERS);
        Optional<Instant> until = PruneUntil.of(filters, Instant.now(), ZoneId.systemDefault());
        if (!running.compareAndSet(false, true)) {
            throw PouchException.conflict("a prune operation is already running");
        }
        List<String> deleted = new ArrayList<>();
        long reclaimed = 0;
        try {
            for (Container c : List.copyOf(store.all())) {
                ContainerMeta m = c.meta();
                if (m.running() || m.state().restarting() || c.removing || !kept(filters, until, m)) {
                    continue;
                }
                long size = ownSize(c.id);
                try {
                    remover.remove(c, false, false);
                } catch (RuntimeException e) {
                    // started or removed meanwhile: dockerd skips it too
                    LOG.warning("failed to prune container " + c.id + ": " + e.getMessage());
                    continue;
                }
                deleted.add(c.id);
                reclaimed += size;
            }
        } finally {
            running.set(false);
        }
        bus.publish(Event.of("container", "prune", "", Map.of("reclaimed", Long.toString(reclaimed))));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ContainersDeleted", deleted.isEmpty() ? null : deleted);
        out.put("SpaceReclaimed", reclaimed);
        return out;
    }

    /** Created no later than {@code until}; all {@code label} filters hold; not all {@code label!} ones hold. */
    private static boolean kept(Filters f, Optional<Instant> until, ContainerMeta m) {
        if (until.isPresent() && Times.parse(m.created()).isAfter(until.get())) {
            return false;
        }
        Map<String, String> labels = m.config().labels() == null ? Map.of() : m.config().labels();
        if (!f.matchesLabels("label", labels)) {
            return false;
        }
        return !f.has("label!") || !f.matchesLabels("label!", labels);
    }

    private long ownSize(String id) {
        try {
            return snapshots.usage(id).own();
        } catch (ContainerdException e) {
            return 0;
        }
    }
}
