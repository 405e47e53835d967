package io.pouch.daemon.network;

import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerInspect;
import io.pouch.api.container.HostConfig;
import io.pouch.api.network.NetworkInspect;
import io.pouch.daemon.config.BridgeConfig;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.query.Filters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Docker's networking for pouchd: the predefined networks {@code bridge} (device {@code --bridge-name}, address
 * {@code --bip}), {@code host} and {@code none}, user-defined bridge networks with an embedded DNS server,
 * address management, published ports, and the per-container namespace. A facade: the container side calls
 * {@link #register}, {@link #attach}, {@link #detach}, {@link #forget} and the views; the routes call
 * {@link NetworkOperations}.
 *
 * <p>Who does what: {@link Networks} (create, remove, prune, the predefined networks) over {@link NetworkStore};
 * {@link Endpoints} (attach, detach, connect, disconnect, teardown off the request path in {@link PendingWork})
 * over {@link ContainerNets}, with {@link Ipam} for addresses and {@link PortAllocator} for host ports;
 * {@link BridgeNetworks}, {@link DataPlane} and {@link Firewall} on the host; {@link NetworkViews} for the API.
 *
 * <p>Locking: one lock, shared by {@link Networks} and {@link Endpoints}, held by every change. The two sides
 * read each other's state (a network is removable only without endpoints, an attach finds its networks, ports and
 * addresses are chosen against every container's), every change is a few milliseconds, and they must not
 * interleave on the shared iptables chains and leases; one lock means no lock order to keep. Pending per-container
 * work ({@link PendingWork}) is awaited before the lock is taken, never while holding it, because a teardown
 * after exit takes the lock to write its record. Reads for views, DNS and inspect take no lock: the stores are
 * concurrent maps of immutable records.
 */
public final class NetworkManager implements NetworkOperations {
    private final Networks networks;
    private final Endpoints endpoints;
    private final NetworkModes modes;
    private final NetworkViews views;
    private final PendingWork pending;
    private final BridgeNetworks bridges;
    private final ContainerNets containers;

    public NetworkManager(DaemonConfig config) {
        this(config, BridgeConfig.defaults());
    }

    /** @param bridgeConfig the default bridge's MTU, fixed CIDR, iptables and ip_forward settings */
    public NetworkManager(DaemonConfig config, BridgeConfig bridgeConfig) {
        this(config, bridgeConfig, NetworkEvents.NONE);
    }

    /** @param events where network events (create, destroy, connect, disconnect) go, as dockerd emits them */
    public NetworkManager(DaemonConfig config, BridgeConfig bridgeConfig, EventBus events) {
        this(config, bridgeConfig, new NetworkEvents(events::publish));
    }

    private NetworkManager(DaemonConfig config, BridgeConfig bridgeConfig, NetworkEvents events) {
        Path dir = config.networksDir();
        ReentrantLock lock = new ReentrantLock();
        NetworkStore store = new NetworkStore(dir);
        this.containers = new ContainerNets(dir.resolve("containers"));
        Ipam ipam = new Ipam(dir.resolve("ipam.json"));
        DataPlane plane = new DataPlane(config.execRoot().resolve("netns"));
        Firewall firewall = new Firewall(config.bridgeName(), bridgeConfig.iptables());
        this.bridges = new BridgeNetworks(plane, firewall, bridgeConfig, containers::resolve);
        this.pending = new PendingWork();
        this.networks = new Networks(config, bridgeConfig, store, containers, bridges, ipam, pending, events, lock,
                DataPlane::linkExists);
        this.endpoints = new Endpoints(store, containers, ipam, plane, firewall, bridges,
                new PortAllocator(PortAllocator.KERNEL), pending, events, lock);
        this.modes = new NetworkModes(networks::find);
        this.views = new NetworkViews(store, containers, plane);
    }

    // ---------------------------------------------------------------- daemon lifecycle

    /**
     * Refuses a default bridge subnet ({@code --bip}, Pouch's 192.168.5.1/24 by default) that overlaps a route the
     * host already has on a device that is not one of our bridges. Pouchd calls it before it starts anything.
     */
    public static void checkHostRoutes(DaemonConfig config) {
        Networks.checkHostRoutes(config);
    }

    /** Loads networks and containers' records (creating the predefined networks), resets our iptables chains and
     * brings the bridges up. */
    public void start() throws IOException {
        containers.load();
        networks.start();
    }

    /**
     * After the container manager reconciled: endpoints of running containers get their port rules and DNS
     * names back; anything else (stopped containers, namespaces of containers that are gone) is removed.
     */
    public void reconcile(Predicate<String> isRunning) {
        reconcile(isRunning, id -> true);
    }

    /** As above; records of containers that no longer exist are dropped too. */
    public void reconcile(Predicate<String> isRunning, Predicate<String> exists) {
        endpoints.reconcile(isRunning, exists);
    }

    public void close() {
        pending.awaitAll(); // a graceful stop finishes the teardowns it started
        bridges.close();
    }

    // ---------------------------------------------------------------- networks (the routes)

    @Override
    public List<NetworkInspect> list(Filters filters) {
        return networks.list(filters).stream().map(views::inspect).toList();
    }

    @Override
    public NetworkInspect inspect(String ref) {
        return views.inspect(networks.find(ref));
    }

    @Override
    public String create(NetworkCreateRequest request) {
        return networks.create(request).id();
    }

    @Override
    public void remove(String ref) {
        networks.remove(ref);
    }

    @Override
    public List<String> prune(Filters filters) {
        return networks.prune(filters);
    }

    @Override
    public void connect(String ref, String containerId, EndpointConfig endpoint, boolean running) {
        endpoints.connect(ref, containerId, endpoint, running);
    }

    @Override
    public void disconnect(String ref, String containerId, boolean force) {
        endpoints.disconnect(ref, containerId, force);
    }

    // ---------------------------------------------------------------- containers

    /** The networks a mode names must exist; user-given addresses are only for user networks. At create. */
    public void validate(String mode, NetworkRequest req, Map<String, Object> portBindings,
                         Map<String, Object> exposed, boolean publishAll) {
        modes.validate(mode, req, portBindings, exposed, publishAll);
    }

    /** What a {@code container:<name|id>} mode refuses, with dockerd's messages. At create. */
    public void validateContainerMode(ContainerConfig cfg, HostConfig hc, NetworkRequest req) {
        NetworkModes.validateContainerMode(cfg, hc, req);
    }

    /** The namespace a {@code container:} joiner enters (see {@link Endpoints#joinNamespace}). */
    public String joinNamespace(String containerId, long pid) {
        return endpoints.joinNamespace(containerId, pid);
    }

    /** Records what a new container asked for. Call after {@link #validate}, at create. */
    public void register(String containerId, String name, String mode, NetworkRequest req) {
        endpoints.register(containerId, name, mode, req);
    }

    /** The container was renamed (its DNS name follows). */
    public void rename(String containerId, String newName) {
        endpoints.rename(containerId, newName);
    }

    /** See {@link Endpoints#predictNamespace}. */
    public String predictNamespace(String containerId, String mode, NetworkRequest req) {
        return endpoints.predictNamespace(containerId, mode, req);
    }

    /** Before the task starts (see {@link Endpoints#attach}). */
    public Attachment attach(String containerId, String hostname, Map<String, Object> portBindings,
                             Map<String, Object> exposed, boolean publishAll) {
        return endpoints.attach(containerId, hostname, portBindings, exposed, publishAll);
    }

    /** At exit: namespace, veths, port rules and leases go; what the container wants stays. Idempotent. */
    public void detach(String containerId) {
        endpoints.detach(containerId);
    }

    /** At exit, as {@link #detach}, off the exit path (see {@link Endpoints#detachLater}). */
    public void detachLater(String containerId) {
        endpoints.detachLater(containerId);
    }

    /** At remove: the container is forgotten at once, its teardown runs off the request path. */
    public void forget(String containerId) {
        endpoints.forget(containerId);
    }

    // ---------------------------------------------------------------- container views

    /** {@code NetworkSettings} of container inspect, as Docker shows it. */
    public ContainerInspect.NetworkSettings settings(String containerId, Map<String, Object> exposed) {
        return views.settings(containerId, exposed);
    }

    /** {@code Ports} of {@code GET /containers/json}. */
    public List<Object> summaryPorts(String containerId, Map<String, Object> exposed) {
        return Collections.unmodifiableList(views.summaryPorts(containerId, exposed));
    }

    /** {@code NetworkSettings.Networks} of {@code GET /containers/json}. */
    public Map<String, Object> summaryNetworks(String containerId) {
        return Collections.unmodifiableMap(views.endpoints(containerId));
    }
}
