package io.pouch.daemon.network;

import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.sys.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Containers as the network side knows them, one record each in {@code home/network/containers/<id>.json}: the
 * networks a container wants and, while it runs, its endpoints. The in-memory record may be ahead of the one on
 * disk while an attach or a teardown runs off the request path ({@link #put} versus {@link #write}).
 * Reads need no lock (a concurrent map, read by inspect, ps and the DNS servers); changes are made under the
 * network lock (see {@link NetworkManager}).
 */
final class ContainerNets {
    private static final Logger LOG = Logger.getLogger(ContainerNets.class.getName());

    private final Path dir;
    private final Map<String, ContainerNet> containers = new ConcurrentHashMap<>();

    /** @param dir where the records live ({@code home/network/containers}) */
    ContainerNets(Path dir) {
        this.dir = dir;
    }

    /** Loads the records on disk; an unreadable one is skipped with a warning. */
    void load() throws IOException {
        Files.createDirectories(dir);
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                try {
                    ContainerNet c = Json.MAPPER.readValue(p.toFile(), ContainerNet.class);
                    containers.put(c.id(), c);
                } catch (IOException e) {
                    LOG.warning("ignoring unreadable " + p + ": " + e.getMessage());
                }
            }
        }
    }

    /** Null when the container is unknown. */
    ContainerNet get(String id) {
        return containers.get(id);
    }

    Collection<ContainerNet> all() {
        return containers.values();
    }

    /** In memory only: seen at once by DNS, inspect and later allocations. */
    void put(ContainerNet c) {
        containers.put(c.id(), c);
    }

    /** In memory only; returns the record, null when unknown. */
    ContainerNet remove(String id) {
        return containers.remove(id);
    }

    /** On disk, then in memory. */
    void save(ContainerNet c) {
        write(c);
        containers.put(c.id(), c);
    }

    /** The record on disk only (the in-memory one may already be ahead of it). */
    void write(ContainerNet c) {
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(dir.resolve(c.id() + ".json"), Json.MAPPER.writeValueAsBytes(c));
        } catch (IOException e) {
            throw PouchException.internal("cannot save the network state of " + c.id() + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the record on disk; a failure is logged (the boot's reconcile deletes it again). */
    void delete(String id) {
        try {
            Files.deleteIfExists(dir.resolve(id + ".json"));
        } catch (IOException e) {
            LOG.warning("cannot delete the network record of " + id + ": " + e.getMessage());
        }
    }

    /** Name of a container ("" when unknown). */
    String name(String id) {
        ContainerNet c = containers.get(id);
        return c == null ? "" : c.name();
    }

    /** Containers (id to endpoint) attached to network id right now. */
    Map<String, EndpointRecord> attached(String networkId) {
        Map<String, EndpointRecord> out = new LinkedHashMap<>();
        for (ContainerNet c : containers.values()) {
            for (EndpointRecord e : c.active()) {
                if (e.networkId().equals(networkId)) {
                    out.put(c.id(), e);
                }
            }
        }
        return out;
    }

    /** Whether any container, running or not, wants network id. */
    boolean wanted(String networkId) {
        return containers.values().stream().anyMatch(c -> c.wanted().containsKey(networkId));
    }

    /** The host ports every running container holds. */
    List<PortMapping> publishedPorts() {
        List<PortMapping> taken = new ArrayList<>();
        containers.values().forEach(c -> c.active().forEach(e -> taken.addAll(e.ports())));
        return taken;
    }

    /** Network id to (address to container id) of every endpoint: the leases that must exist. */
    Map<String, Map<String, String>> liveLeases() {
        Map<String, Map<String, String>> live = new LinkedHashMap<>();
        for (ContainerNet c : containers.values()) {
            for (EndpointRecord e : c.active()) {
                live.computeIfAbsent(e.networkId(), k -> new LinkedHashMap<>()).put(e.ip(), c.id());
                if (!e.ip6().isEmpty()) {
                    live.get(e.networkId()).put(e.ip6(), c.id());
                }
            }
        }
        return live;
    }

    /**
     * A name on network networkId: container name, alias or short id of an endpoint there; null if unknown. The
     * answer is its IPv4 address, followed by a space and its IPv6 address on a network with IPv6.
     */
    String resolve(String networkId, String name) {
        String q = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        for (ContainerNet c : containers.values()) {
            for (EndpointRecord e : c.active()) {
                if (!e.networkId().equals(networkId)) {
                    continue;
                }
                if (q.equalsIgnoreCase(c.name()) || e.aliases().stream().anyMatch(q::equalsIgnoreCase)) {
                    return e.ip6().isEmpty() ? e.ip() : e.ip() + " " + e.ip6();
                }
            }
        }
        return null;
    }
}
