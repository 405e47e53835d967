package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ProcessViews;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The exec instances pouchd knows, by id, and their records on disk. */
final class ExecTable {
    private final Map<String, Exec> execs = new ConcurrentHashMap<>();
    private final ExecStore store;
    private final ProcessViews containers;

    ExecTable(ExecStore store, ProcessViews containers) {
        this.store = store;
        this.containers = containers;
    }

    void add(Exec e) {
        execs.put(e.id, e);
    }

    /** The exec, or null; never blocks (inspect answers on the API's event loop). */
    Exec find(String id) {
        return execs.get(id);
    }

    Collection<Exec> all() {
        return execs.values();
    }

    /** Exec ids of a container (for its inspect's ExecIDs); running or not yet started ones, as dockerd. */
    List<String> idsOf(String containerId) {
        List<String> out = new ArrayList<>();
        for (Exec e : execs.values()) {
            if (e.containerId.equals(containerId) && e.listed()) {
                out.add(e.id);
            }
        }
        return out;
    }

    /** Queues the exec's current state to be written; under its monitor, so the newest state is the last queued. */
    void save(Exec e) {
        synchronized (e) {
            store.save(e.record());
        }
    }

    /** Forgets the exec and removes its record. */
    void remove(Exec e) {
        execs.remove(e.id, e);
        store.delete(e.containerId, e.id);
    }

    /** The records a previous pouchd left (after a restart, before any exec is added). */
    List<ExecRecord> records() {
        return store.loadAll();
    }

    /** Removes a record that is not restored (its container is gone). */
    void dropRecord(ExecRecord r) {
        store.delete(r.containerId(), r.id());
    }

    boolean containerExists(String id) {
        try {
            containers.processView(id);
            return true;
        } catch (PouchException ex) {
            return false;
        }
    }
}
