package io.pouch.daemon.container;

import io.pouch.api.PouchException;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The containers in memory, by id and by name. Names are reserved atomically ({@code putIfAbsent}) so two
 * concurrent creates with one name cannot both win, without any global lock.
 */
final class ContainerStore {
    private final ConcurrentHashMap<String, Container> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> names = new ConcurrentHashMap<>();

    /** Reserves {@code name} for {@code id}, or answers Docker's 409. */
    void reserveName(String name, String id) {
        String owner = names.putIfAbsent(name, id);
        if (owner != null && !owner.equals(id)) {
            throw PouchException.conflict("Conflict. The container name \"/" + name
                    + "\" is already in use by container \"" + owner
                    + "\". You have to remove (or rename) that container to be able to reuse that name.");
        }
    }

    void releaseName(String name, String id) {
        names.remove(name, id);
    }

    boolean nameTaken(String name) {
        return names.containsKey(name);
    }

    void add(Container c) {
        byId.put(c.id, c);
    }

    void remove(Container c) {
        byId.remove(c.id, c);
        releaseName(c.meta().name(), c.id);
    }

    Collection<Container> all() {
        return byId.values();
    }

    Container byIdOrNull(String id) {
        return byId.get(id);
    }

    /** Docker's lookup order: full id, then exact name (with or without "/"), then a unique id prefix. */
    Container find(String ref) {
        if (ref == null || ref.isEmpty()) {
            throw PouchException.notFound("No such container: " + ref);
        }
        Container c = byId.get(ref);
        if (c != null) {
            return c;
        }
        String bare = ref.startsWith("/") ? ref.substring(1) : ref;
        String id = names.get(bare);
        if (id != null && (c = byId.get(id)) != null) {
            return c;
        }
        Container found = null;
        if (ref.matches("[0-9a-f]+")) {
            for (Container x : byId.values()) {
                if (x.id.startsWith(ref)) {
                    if (found != null) {
                        throw PouchException.invalidArgument("multiple IDs found with provided prefix: " + ref);
                    }
                    found = x;
                }
            }
        }
        if (found == null) {
            throw PouchException.notFound("No such container: " + ref);
        }
        return found;
    }
}
