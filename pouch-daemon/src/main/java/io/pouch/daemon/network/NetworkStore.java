package io.pouch.daemon.network;

import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.query.Filters;
import io.pouch.daemon.sys.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The networks pouchd knows, kept in {@code home/network/networks.json}: lookup by id, name or id prefix, the
 * list filters of {@code GET /networks}, and persistence. Reads need no lock (a concurrent map, read by inspect,
 * ps and the DNS servers); changes are made under the network lock (see {@link NetworkManager}).
 */
final class NetworkStore {
    /** The networks every daemon has; they cannot be removed. */
    static final Set<String> PREDEFINED = Set.of("bridge", "host", "none");
    /** The filters {@code GET /networks} accepts. */
    static final Set<String> LIST_FILTERS = Set.of("name", "id", "driver", "label", "type", "scope", "dangling");

    private final Path file;
    private final Map<String, NetworkRecord> networks = new ConcurrentHashMap<>();

    /** @param dir the networks directory ({@code home/network}) */
    NetworkStore(Path dir) {
        this.file = dir.resolve("networks.json");
    }

    /** The records in {@code networks.json} of dir; none when the file does not exist. */
    static List<NetworkRecord> read(Path dir) throws IOException {
        Path f = dir.resolve("networks.json");
        if (!Files.exists(f)) {
            return List.of();
        }
        return List.of(Json.MAPPER.readValue(f.toFile(), NetworkRecord[].class));
    }

    /** Loads what is on disk into memory. */
    void load() throws IOException {
        for (NetworkRecord n : read(file.getParent())) {
            networks.put(n.id(), n);
        }
    }

    static boolean isPredefined(String name) {
        return PREDEFINED.contains(name);
    }

    /** By full id; null when unknown. */
    NetworkRecord get(String id) {
        return networks.get(id);
    }

    /** By name; null when unknown. */
    NetworkRecord byName(String name) {
        return networks.values().stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * By full id, name, or unique id prefix.
     *
     * @throws PouchException 404 {@code network x not found}, 400 when the prefix is ambiguous
     */
    NetworkRecord find(String ref) {
        NetworkRecord n = networks.get(ref);
        if (n != null) {
            return n;
        }
        n = byName(ref);
        if (n != null) {
            return n;
        }
        List<NetworkRecord> m = networks.values().stream().filter(x -> !ref.isEmpty() && x.id().startsWith(ref))
                .toList();
        if (m.size() == 1) {
            return m.get(0);
        }
        if (m.size() > 1) {
            throw PouchException.invalidArgument("network " + ref + " is ambiguous (" + m.size() + " matches found)");
        }
        throw PouchException.notFound("network " + ref + " not found");
    }

    Collection<NetworkRecord> all() {
        return networks.values();
    }

    /** Every network, by name. */
    List<NetworkRecord> sorted() {
        return networks.values().stream().sorted(Comparator.comparing(NetworkRecord::name)).toList();
    }

    /**
     * The networks, by name, that pass the filters of {@code GET /networks}: {@code name} (substring), {@code id}
     * (prefix), {@code driver}, {@code label}, {@code scope} (always local) and {@code type} (builtin or custom).
     * {@code dangling} is accepted and ignored.
     *
     * @throws PouchException 400 for a filter outside {@link #LIST_FILTERS}
     */
    List<NetworkRecord> list(Filters f) {
        f.validate(LIST_FILTERS);
        return sorted().stream().filter(n -> matches(f, n)).toList();
    }

    static boolean matches(Filters f, NetworkRecord n) {
        if (f.has("name") && f.get("name").stream().noneMatch(n.name()::contains)) {
            return false;
        }
        if (f.has("id") && f.get("id").stream().noneMatch(n.id()::startsWith)) {
            return false;
        }
        return f.matchesExact("driver", n.driver()) && f.matchesLabels("label", n.labels())
                && f.matchesExact("scope", "local")
                && f.matchesExact("type", isPredefined(n.name()) ? "builtin" : "custom");
    }

    /** In memory only; {@link #save} writes the file. */
    void put(NetworkRecord n) {
        networks.put(n.id(), n);
    }

    /** In memory only; {@link #save} writes the file. */
    void remove(String id) {
        networks.remove(id);
    }

    /** Writes every network to {@code networks.json} (atomically). */
    void save() {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, Json.MAPPER.writeValueAsBytes(networks.values()));
        } catch (IOException e) {
            throw PouchException.internal("cannot save networks: " + e.getMessage(), e);
        }
    }
}
