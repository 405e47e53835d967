package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import io.pouch.daemon.config.BridgeConfig;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.query.Filters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The networks themselves: the predefined ones at start, then create, remove, prune, list and lookup, as dockerd
 * does them. Changes are made under the network lock, shared with {@link Endpoints} (see {@link NetworkManager}).
 */
final class Networks {
    private static final Logger LOG = Logger.getLogger(Networks.class.getName());
    private static final Set<String> PRUNE_FILTERS = Set.of("label", "label!", "until");

    private final DaemonConfig config;
    private final BridgeConfig bridgeConfig;
    private final NetworkStore store;
    private final ContainerNets containers;
    private final BridgeNetworks bridges;
    private final Ipam ipam;
    private final PendingWork pending;
    private final NetworkEvents events;
    private final ReentrantLock lock;
    private final Predicate<String> deviceExists;

    /** @param deviceExists whether a link of that name exists on the host (a new bridge must not) */
    Networks(DaemonConfig config, BridgeConfig bridgeConfig, NetworkStore store, ContainerNets containers,
             BridgeNetworks bridges, Ipam ipam, PendingWork pending, NetworkEvents events, ReentrantLock lock,
             Predicate<String> deviceExists) {
        this.config = config;
        this.bridgeConfig = bridgeConfig;
        this.store = store;
        this.containers = containers;
        this.bridges = bridges;
        this.ipam = ipam;
        this.pending = pending;
        this.events = events;
        this.lock = lock;
        this.deviceExists = deviceExists;
    }

    /**
     * Refuses a default bridge subnet ({@code --bip}) that overlaps a route the host already has on a device that
     * is not one of our bridges. Reads the stored networks for those bridges; nothing is started.
     */
    static void checkHostRoutes(DaemonConfig config) {
        List<NetworkRecord> stored = List.of();
        try {
            stored = NetworkStore.read(config.networksDir());
        } catch (IOException e) {
            // start() reports it
            LOG.warning("cannot read " + config.networksDir().resolve("networks.json") + ": " + e.getMessage());
        }
        HostRoutes.checkDefaultBridge(Cidr.parse(config.bip()).canonical(), ownDevices(config, stored));
    }

    private static Set<String> ownDevices(DaemonConfig config, Collection<NetworkRecord> networks) {
        Set<String> own = new HashSet<>(Set.of(config.bridgeName()));
        networks.stream().filter(NetworkRecord::isBridge).forEach(n -> own.add(n.device()));
        return own;
    }

    /**
     * Loads the networks, makes the predefined ones (the default bridge again when its flags changed), resets our
     * iptables chains and brings the bridges up. At daemon start, before anything else runs.
     */
    void start() throws IOException {
        store.load();
        Cidr bip = Cidr.parse(config.bip());
        String fixed = NetworkFactory.fixedCidr(bip, bridgeConfig.fixedCidr());
        HostRoutes.checkDefaultBridge(bip.canonical(), ownDevices(config, store.all()));
        NetworkRecord bridge = store.byName("bridge");
        if (bridge == null || !bridge.device().equals(config.bridgeName())
                || !bridge.subnet().equals(bip.canonical().toString()) || !bridge.ipRange().equals(fixed)) {
            if (bridge != null) {
                store.remove(bridge.id());
                ipam.dropNetwork(bridge.id());
            }
            store.put(NetworkFactory.defaultBridge(bridge != null ? bridge.id() : Ids.newId(), config.bridgeName(),
                    bip, fixed));
        }
        if (store.byName("host") == null) {
            store.put(NetworkFactory.host());
        }
        if (store.byName("none") == null) {
            store.put(NetworkFactory.none());
        }
        store.save();
        bridges.start(store.all());
    }

    /** {@code GET /networks}: by name, filtered (see {@link NetworkStore#list}). */
    List<NetworkRecord> list(Filters f) {
        lock.lock();
        try {
            return store.list(f);
        } finally {
            lock.unlock();
        }
    }

    /** By full id, name, or unique id prefix; 404 {@code network x not found}. */
    NetworkRecord find(String ref) {
        lock.lock();
        try {
            return store.find(ref);
        } finally {
            lock.unlock();
        }
    }

    /** A user-defined bridge network, up on the host and stored. */
    NetworkRecord create(NetworkCreateRequest r) {
        NetworkFactory.checkRequest(r);
        lock.lock();
        try {
            NetworkRecord n = NetworkFactory.bridge(r, store, deviceExists, DataPlane::isBridge);
            try {
                bridges.bringUp(n);
            } catch (RuntimeException e) {
                bridges.teardown(n);
                throw e;
            }
            store.put(n);
            store.save();
            events.publish(n, "create", null);
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** 403 for the predefined ones, 409 while containers are attached (Docker's wording). */
    void remove(String ref) {
        pending.awaitAll(); // a container removed just before is detached from the bridge first
        lock.lock();
        try {
            removeLocked(store.find(ref));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes every user network no container wants (running or not) among those whose labels pass the
     * {@code label} filters; returns the names removed.
     */
    List<String> prune(Filters f) {
        f.validate(PRUNE_FILTERS);
        pending.awaitAll();
        lock.lock();
        try {
            List<String> removed = new ArrayList<>();
            for (NetworkRecord n : List.copyOf(store.all())) {
                if (NetworkStore.isPredefined(n.name()) || !f.matchesLabels("label", n.labels())) {
                    continue;
                }
                if (!containers.wanted(n.id())) {
                    removeLocked(n);
                    removed.add(n.name());
                }
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Caller holds the lock. It does not wait for pending work: a teardown after exit takes the lock to write its
     * record, so waiting for it here would deadlock. A teardown still running deletes only the container's own
     * veth, port rules and leases, none of which needs the bridge.
     */
    private void removeLocked(NetworkRecord n) {
        if (NetworkStore.isPredefined(n.name())) {
            throw PouchException.forbidden(n.name() + " is a pre-defined network and cannot be removed");
        }
        if (!containers.attached(n.id()).isEmpty()) {
            throw PouchException.conflict("error while removing network: network " + n.name() + " id " + n.id()
                    + " has active endpoints");
        }
        bridges.teardown(n);
        store.remove(n.id());
        ipam.dropNetwork(n.id());
        store.save();
        events.publish(n, "destroy", null);
    }
}
