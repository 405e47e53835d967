package io.pouch.daemon.network;

import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerInspect;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.sys.AtomicFiles;
import io.pouch.daemon.sys.Trace;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Docker's networking for pouchd: the predefined networks {@code bridge} (device {@code --bridge-name}, address
 * {@code --bip}), {@code host} and {@code none}, user-defined bridge networks with an embedded DNS server,
 * address management, published ports, and the per-container namespace. The container manager calls
 * {@link #register}, {@link #attach}, {@link #detach} and {@link #forget}; the API calls the rest.
 *
 * <p>One lock for all of it: every operation is a few milliseconds and they must not interleave on the
 * shared iptables chains and leases.
 */
public final class NetworkManager {
    private static final Logger LOG = Logger.getLogger(NetworkManager.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    static final int EPHEMERAL_LOW = 32768;
    static final int EPHEMERAL_HIGH = 60999;

    private final DaemonConfig config;
    private final Path dir;
    private final Ipam ipam;
    private final DataPlane plane;
    private final Firewall firewall;
    private final ReentrantLock lock = new ReentrantLock();
    /** Read without the lock by inspect, ps and the DNS servers: a concurrent map; written under the lock. */
    private final Map<String, NetworkRecord> networks = new ConcurrentHashMap<>();
    private volatile io.pouch.daemon.events.EventBus events;
    private final Map<String, ContainerNet> containers = new ConcurrentHashMap<>();
    private final Map<String, DnsServer> dns = new ConcurrentHashMap<>();
    private final io.pouch.daemon.config.BridgeConfig bridgeConfig;
    static final String MTU_OPTION = "com.docker.network.driver.mtu";
    /** Per container: network set-up or teardown still running off the request path (see attach, detachLater). */
    private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();

    public NetworkManager(DaemonConfig config) {
        this(config, io.pouch.daemon.config.BridgeConfig.defaults());
    }

    /** @param bridgeConfig the default bridge's MTU, fixed CIDR, iptables and ip_forward settings */
    public NetworkManager(DaemonConfig config, io.pouch.daemon.config.BridgeConfig bridgeConfig) {
        this.config = config;
        this.bridgeConfig = bridgeConfig;
        this.dir = config.networksDir();
        this.ipam = new Ipam(dir.resolve("ipam.json"));
        this.plane = new DataPlane(config.execRoot().resolve("netns"));
        this.firewall = new Firewall(config.bridgeName(), bridgeConfig.iptables());
    }

    /** Network events (create, destroy, connect, disconnect) as dockerd emits them. */
    public void setEvents(io.pouch.daemon.events.EventBus events) {
        this.events = events;
    }

    private void publish(NetworkRecord n, String action, String containerId) {
        io.pouch.daemon.events.EventBus e = events;
        if (e != null) {
            Map<String, String> attrs = new LinkedHashMap<>();
            if (containerId != null) {
                attrs.put("container", containerId);
            }
            attrs.put("name", n.name());
            attrs.put("type", n.driver());
            e.publish(io.pouch.daemon.events.Event.of("network", action, n.id(), attrs));
        }
    }

    // ---------------------------------------------------------------- startup

    /**
     * Refuses a default bridge subnet ({@code --bip}, Pouch's 192.168.5.1/24 by default) that overlaps a route the
     * host already has on a device that is not one of our bridges. Pouchd calls it before it starts anything.
     */
    public static void checkHostRoutes(DaemonConfig config) {
        Set<String> own = new java.util.HashSet<>(Set.of(config.bridgeName()));
        Path nf = config.networksDir().resolve("networks.json");
        if (Files.exists(nf)) {
            try {
                for (NetworkRecord n : Json.MAPPER.readValue(nf.toFile(), NetworkRecord[].class)) {
                    if (n.isBridge()) {
                        own.add(n.device());
                    }
                }
            } catch (IOException e) {
                LOG.warning("cannot read " + nf + ": " + e.getMessage()); // start() reports it
            }
        }
        HostRoutes.checkDefaultBridge(Cidr.parse(config.bip()).canonical(), own);
    }

    /** Loads networks (creating the predefined ones), resets our iptables chains and brings the bridges up. */
    public void start() throws IOException {
        Files.createDirectories(dir.resolve("containers"));
        Path nf = dir.resolve("networks.json");
        if (Files.exists(nf)) {
            for (NetworkRecord n : Json.MAPPER.readValue(nf.toFile(), NetworkRecord[].class)) {
                networks.put(n.id(), n);
            }
        }
        try (var s = Files.list(dir.resolve("containers"))) {
            for (Path p : s.toList()) {
                try {
                    ContainerNet c = Json.MAPPER.readValue(p.toFile(), ContainerNet.class);
                    containers.put(c.id(), c);
                } catch (IOException e) {
                    LOG.warning("ignoring unreadable " + p + ": " + e.getMessage());
                }
            }
        }
        Cidr bip = Cidr.parse(config.bip());
        String fixed = fixedCidr(bip);
        Set<String> ownDevices = new java.util.HashSet<>(Set.of(config.bridgeName()));
        networks.values().stream().filter(NetworkRecord::isBridge).forEach(n -> ownDevices.add(n.device()));
        HostRoutes.checkDefaultBridge(bip.canonical(), ownDevices);
        NetworkRecord bridge = byName("bridge");
        if (bridge == null || !bridge.device().equals(config.bridgeName())
                || !bridge.subnet().equals(bip.canonical().toString()) || !bridge.ipRange().equals(fixed)) {
            if (bridge != null) {
                networks.remove(bridge.id());
                ipam.dropNetwork(bridge.id());
            }
            add(new NetworkRecord(bridge != null ? bridge.id() : newId(), "bridge", "bridge", now(),
                    config.bridgeName(), bip.canonical().toString(), bip.addressString(), fixed, false, Map.of(),
                    Map.of("com.docker.network.bridge.name", config.bridgeName(),
                            "com.docker.network.bridge.default_bridge", "true")));
        }
        if (byName("host") == null) {
            add(new NetworkRecord(newId(), "host", "host", now(), "", "", "", "", false, Map.of(), Map.of()));
        }
        if (byName("none") == null) {
            add(new NetworkRecord(newId(), "none", "null", now(), "", "", "", "", false, Map.of(), Map.of()));
        }
        saveNetworks();
        firewall.reset();
        for (NetworkRecord n : networks.values()) {
            if (n.isBridge()) {
                bringUp(n);
            }
        }
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
        lock.lock();
        try {
            for (ContainerNet c : List.copyOf(containers.values())) {
                if (!exists.test(c.id())) {
                    forgetLocked(c.id());
                    continue;
                }
                if (c.active().isEmpty()) {
                    continue;
                }
                if (isRunning.test(c.id())) {
                    List<Firewall.Rule> rules = new ArrayList<>();
                    c.active().forEach(e -> e.ports().forEach(p -> rules.addAll(firewall.portRules(e.ip(), p))));
                    firewall.add(rules);
                } else {
                    detachLocked(c.id());
                }
            }
            for (String ns : plane.namespaces()) {
                ContainerNet c = containers.get(ns);
                if (c == null || c.active().isEmpty()) {
                    plane.deleteNamespace(ns, List.of());
                }
            }
            // leases follow the records: the start path writes the record before the leases, so after a crash a lease
            // may lack its record (dropped here) or, the other way round, be missing (added back)
            Map<String, Map<String, String>> live = new LinkedHashMap<>();
            for (ContainerNet c : containers.values()) {
                for (EndpointRecord e : c.active()) {
                    live.computeIfAbsent(e.networkId(), k -> new LinkedHashMap<>()).put(e.ip(), c.id());
                }
            }
            ipam.reconcileOwners(live);
        } finally {
            lock.unlock();
        }
    }

    public void close() {
        awaitAllPending(); // a graceful stop finishes the teardowns it started
        dns.values().forEach(DnsServer::close);
        dns.clear();
    }

    private void bringUp(NetworkRecord n) {
        Cidr subnet = n.subnetCidr();
        plane.ensureBridge(n.device(), n.gateway(), subnet.prefix(), mtu(n), bridgeConfig.ipForward());
        firewall.add(firewall.networkRules(n));
        if (!n.isDefaultBridge()) {
            try {
                dns.put(n.id(), DnsServer.start(n.gateway(), name -> resolve(n.id(), name)));
            } catch (RuntimeException e) {
                LOG.warning("no DNS server on network " + n.name() + ": " + e.getMessage());
            }
        }
    }

    /**
     * The default bridge's address pool from --fixed-cidr ("" for the whole subnet).
     *
     * @throws PouchException 400 when it is not a CIDR inside --bip's subnet
     */
    private String fixedCidr(Cidr bip) {
        String f = bridgeConfig.fixedCidr();
        if (f == null) {
            return "";
        }
        Cidr c;
        try {
            c = Cidr.parse(f).canonical();
        } catch (RuntimeException e) {
            throw PouchException.invalidArgument("invalid fixed-cidr " + f + ": " + e.getMessage());
        }
        if (!bip.canonical().contains(c)) {
            throw PouchException.invalidArgument("fixed-cidr " + f + " is not inside the bridge subnet "
                    + bip.canonical() + " (--bip)");
        }
        return c.toString();
    }

    /** The default bridge's is the daemon's --mtu; a user network's its driver option (1500 without), as dockerd. */
    private int mtu(NetworkRecord n) {
        if (n.isDefaultBridge()) {
            return bridgeConfig.mtu();
        }
        return mtuOption(n.options());
    }

    /** @throws PouchException 400 for an MTU option that is not a number in 68..65535 */
    static int mtuOption(Map<String, String> options) {
        String v = options == null ? null : options.get(MTU_OPTION);
        if (v == null || v.isEmpty()) {
            return io.pouch.daemon.config.BridgeConfig.DEFAULT_MTU;
        }
        try {
            int mtu = Integer.parseInt(v);
            if (mtu >= 68 && mtu <= 65535) {
                return mtu;
            }
        } catch (NumberFormatException ignored) {
            // the message below
        }
        throw PouchException.invalidArgument("invalid " + MTU_OPTION + " " + v + ": a number between 68 and 65535");
    }

    // ---------------------------------------------------------------- networks

    public List<NetworkRecord> list() {
        lock.lock();
        try {
            return networks.values().stream().sorted(java.util.Comparator.comparing(NetworkRecord::name)).toList();
        } finally {
            lock.unlock();
        }
    }

    /** By full id, name, or unique id prefix; 404 {@code network x not found}. */
    public NetworkRecord find(String ref) {
        lock.lock();
        try {
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
        } finally {
            lock.unlock();
        }
    }

    /** A create request, already read from JSON. */
    public record CreateRequest(String name, String driver, String subnet, String gateway, String ipRange,
                                boolean internal, Map<String, String> labels, Map<String, String> options,
                                boolean checkDuplicate) {
    }

    public NetworkRecord create(CreateRequest r) {
        if (r.name() == null || r.name().isEmpty()) {
            throw PouchException.invalidArgument("network name is required");
        }
        if (!r.name().matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw PouchException.invalidArgument("invalid network name \"" + r.name() + "\"");
        }
        String driver = r.driver() == null || r.driver().isEmpty() ? "bridge" : r.driver();
        if (!driver.equals("bridge")) {
            if (driver.equals("host") || driver.equals("null")) {
                throw PouchException.forbidden("only one instance of \"" + driver + "\" network is allowed");
            }
            throw PouchException.notFound("plugin \"" + driver + "\" not found");
        }
        lock.lock();
        try {
            if (byName(r.name()) != null) {
                throw PouchException.conflict("network with name " + r.name() + " already exists");
            }
            Cidr subnet;
            if (r.subnet() == null || r.subnet().isEmpty()) {
                if (r.gateway() != null && !r.gateway().isEmpty() || r.ipRange() != null && !r.ipRange().isEmpty()) {
                    throw PouchException.invalidArgument("gateway and ip-range need a subnet");
                }
                subnet = freePool();
            } else {
                subnet = Cidr.parse(r.subnet()).canonical();
                if (!Cidr.parse(r.subnet()).equals(subnet)) {
                    throw PouchException.invalidArgument("invalid subnet " + r.subnet()
                            + ": it should be " + subnet);
                }
                for (NetworkRecord n : networks.values()) {
                    if (n.isBridge() && n.subnetCidr().overlaps(subnet)) {
                        throw PouchException.forbidden("Pool overlaps with other one on this address space");
                    }
                }
            }
            if (subnet.prefix() > 30) {
                throw PouchException.invalidArgument("subnet " + subnet + " is too small: it needs a /30 or larger");
            }
            String gw;
            if (r.gateway() != null && !r.gateway().isEmpty()) {
                Integer g = Cidr.parseAddress(r.gateway());
                if (g == null) {
                    throw PouchException.invalidArgument("invalid gateway address " + r.gateway());
                }
                if (!subnet.contains(g)) {
                    throw PouchException.invalidArgument("no matching subnet for gateway " + r.gateway());
                }
                gw = Cidr.format(g);
            } else {
                gw = Cidr.format(subnet.network() + 1);
            }
            String range = "";
            if (r.ipRange() != null && !r.ipRange().isEmpty()) {
                Cidr ir = Cidr.parse(r.ipRange());
                if (!subnet.contains(ir.canonical())) {
                    throw PouchException.invalidArgument("ip-range " + r.ipRange() + " is not in subnet " + subnet);
                }
                range = ir.canonical().toString();
            }
            String id = newId();
            Map<String, String> opts = r.options() == null ? Map.of() : r.options();
            mtuOption(opts); // refuses a bad MTU before anything is made
            String dev = opts.getOrDefault("com.docker.network.bridge.name", "br-" + id.substring(0, 12));
            if (dev.isEmpty() || dev.length() > 15 || !dev.matches("[a-zA-Z0-9_.-]+")) {
                throw PouchException.invalidArgument("invalid bridge name \"" + dev + "\": 1 to 15 letters, digits, . _ -");
            }
            for (NetworkRecord n : networks.values()) {
                if (dev.equals(n.device())) {
                    throw PouchException.conflict("bridge " + dev + " is already used by network " + n.name());
                }
            }
            if (DataPlane.linkExists(dev)) {
                throw PouchException.conflict("device " + dev + " already exists on the host");
            }
            NetworkRecord n = new NetworkRecord(id, r.name(), "bridge", now(), dev, subnet.toString(), gw, range,
                    r.internal(), r.labels() == null ? Map.of() : Map.copyOf(r.labels()), Map.copyOf(opts));
            try {
                bringUp(n);
            } catch (RuntimeException e) {
                teardown(n);
                throw e;
            }
            add(n);
            saveNetworks();
            publish(n, "create", null);
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** 403 for the predefined ones, 409 while containers are attached (Docker's wording). */
    public void remove(String ref) {
        awaitAllPending(); // a container removed just before is detached from the bridge first
        lock.lock();
        try {
            NetworkRecord n = find(ref);
            if (Set.of("bridge", "host", "none").contains(n.name())) {
                throw PouchException.forbidden(n.name() + " is a pre-defined network and cannot be removed");
            }
            if (!attached(n.id()).isEmpty()) {
                throw PouchException.conflict("error while removing network: network " + n.name() + " id " + n.id()
                        + " has active endpoints");
            }
            teardown(n);
            networks.remove(n.id());
            ipam.dropNetwork(n.id());
            saveNetworks();
            publish(n, "destroy", null);
        } finally {
            lock.unlock();
        }
    }

    /** Removes every user network nobody uses (running or not); returns the names removed. */
    public List<String> prune(Predicate<NetworkRecord> filter) {
        awaitAllPending();
        lock.lock();
        try {
            List<String> removed = new ArrayList<>();
            for (NetworkRecord n : List.copyOf(networks.values())) {
                if (Set.of("bridge", "host", "none").contains(n.name()) || !filter.test(n)) {
                    continue;
                }
                boolean used = containers.values().stream().anyMatch(c -> c.wanted().containsKey(n.id()));
                if (!used) {
                    remove(n.id());
                    removed.add(n.name());
                }
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    private void teardown(NetworkRecord n) {
        DnsServer d = dns.remove(n.id());
        if (d != null) {
            d.close();
        }
        firewall.delete(firewall.networkRules(n));
        plane.deleteBridge(n.device());
    }

    /** Containers (id to endpoint) attached to network id right now. */
    public Map<String, EndpointRecord> attached(String networkId) {
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

    /** Name of a container known to the network manager ("" when unknown). */
    public String containerName(String id) {
        ContainerNet c = containers.get(id);
        return c == null ? "" : c.name();
    }

    private Cidr freePool() {
        List<Cidr> candidates = new ArrayList<>();
        for (int i = 18; i <= 31; i++) {
            candidates.add(new Cidr((172 << 24) | (i << 16), 16));
        }
        for (int i = 0; i < 256; i += 16) {
            candidates.add(new Cidr((192 << 24) | (168 << 16) | (i << 8), 20));
        }
        for (Cidr c : candidates) {
            boolean taken = networks.values().stream().anyMatch(n -> n.isBridge() && n.subnetCidr().overlaps(c));
            if (!taken) {
                return c;
            }
        }
        throw PouchException.forbidden("could not find an available, non-overlapping IPv4 address pool among the"
                + " defaults to assign to the network");
    }

    // ---------------------------------------------------------------- containers

    /** The networks a mode names must exist; user-given addresses are only for user networks. At create. */
    public void validate(String mode, NetworkRequest req, Map<String, Object> portBindings,
                         Map<String, Object> exposed, boolean publishAll) {
        if (mode.startsWith("container:")) {
            return; // validateContainerMode
        }
        NetworkRecord n;
        try {
            n = find(networkName(mode));
        } catch (PouchException e) {
            // as dockerd: an unknown network fails the start, not the create (a 404 at create would make the
            // docker CLI take it for a missing image and try to pull)
            return;
        }
        EndpointConfig ec = req.forMode(mode);
        if (!ec.ipv4Address().isEmpty()) {
            if (n.isDefaultBridge() || !n.isBridge()) {
                throw PouchException.invalidArgument("user specified IP address is supported on user defined networks"
                        + " only");
            }
            Integer a = Cidr.parseAddress(ec.ipv4Address());
            if (a == null) {
                throw PouchException.invalidArgument("invalid IPv4 address: " + ec.ipv4Address());
            }
            if (!n.subnetCidr().contains(a)) {
                throw PouchException.invalidArgument("no configured subnet or ip-range contain the IP address "
                        + ec.ipv4Address());
            }
        }
        if (!ec.aliases().isEmpty() && n.isDefaultBridge()) {
            throw PouchException.invalidArgument("network-scoped alias is supported only for containers in user"
                    + " defined networks");
        }
        if (!ec.macAddress().isEmpty() && !ec.macAddress().matches("(?i)([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
            throw PouchException.invalidArgument("invalid MAC address: " + ec.macAddress());
        }
        PortSpecs.requests(portBindings, exposed, publishAll);
        for (String l : req.links()) {
            if (!n.isDefaultBridge()) {
                break;
            }
            if (l.isEmpty()) {
                throw PouchException.invalidArgument("invalid link: empty");
            }
        }
    }

    /** The container a {@code container:<name|id>} mode names; null for any other mode. */
    public static String joinedContainer(String mode) {
        if (mode == null || !mode.startsWith("container:")) {
            return null;
        }
        String ref = mode.substring("container:".length());
        if (ref.isEmpty()) {
            throw PouchException.invalidArgument("Invalid network mode: invalid container format container:<name|id>");
        }
        return ref;
    }

    /**
     * {@code container:<name|id>} shares that container's namespace, names and files: what would configure a network
     * of its own is refused, with dockerd's messages (runconfig's validateNetContainerMode), in dockerd's order.
     */
    public void validateContainerMode(io.pouch.api.container.ContainerConfig cfg,
                                      io.pouch.api.container.HostConfig hc, NetworkRequest req) {
        if (joinedContainer(hc.networkMode()) == null) {
            return;
        }
        if (cfg.hostname() != null && !cfg.hostname().isEmpty()) {
            throw PouchException.invalidArgument("conflicting options: hostname and the network mode");
        }
        if (!req.links().isEmpty()) {
            throw PouchException.invalidArgument("conflicting options: container type network can't be used with"
                    + " links. This would result in undefined behavior");
        }
        if (hc.dns() != null && !hc.dns().isEmpty()) {
            throw PouchException.invalidArgument("conflicting options: dns and the network mode");
        }
        if (hc.extraHosts() != null && !hc.extraHosts().isEmpty()) {
            throw PouchException.invalidArgument("conflicting options: custom host-to-IP mapping and the network"
                    + " mode");
        }
        EndpointConfig ec = req.forMode(hc.networkMode());
        if (!ec.macAddress().isEmpty()) {
            throw PouchException.invalidArgument("conflicting options: mac-address and the network mode");
        }
        if (hc.portBindings() != null && !hc.portBindings().isEmpty() || hc.publishAllPorts()) {
            throw PouchException.invalidArgument("conflicting options: port publishing and the container type"
                    + " network mode");
        }
        if (cfg.exposedPorts() != null && !cfg.exposedPorts().isEmpty()) {
            throw PouchException.invalidArgument("conflicting options: port exposing and the container type network"
                    + " mode");
        }
        if (!ec.aliases().isEmpty()) {
            throw PouchException.invalidArgument("network-scoped alias is supported only for containers in user"
                    + " defined networks");
        }
        if (!ec.ipv4Address().isEmpty()) {
            throw PouchException.invalidArgument("user specified IP address is supported on user defined networks"
                    + " only");
        }
    }

    /**
     * The namespace a {@code container:} joiner enters: the one we made for the running container it names, or, when
     * that container has none of ours (none, host, or itself a joiner), its init process's.
     */
    public String joinNamespace(String containerId, long pid) {
        ContainerNet c = containers.get(containerId);
        Path ns = plane.netnsPath(containerId);
        if (c != null && !c.active().isEmpty() && Files.exists(ns)) {
            return ns.toString();
        }
        return "/proc/" + pid + "/ns/net";
    }

    static String networkName(String mode) {
        return mode == null || mode.isEmpty() || mode.equals("default") ? "bridge" : mode;
    }

    /** Records what a new container asked for. Call after {@link #validate}, at create. */
    public void register(String containerId, String name, String mode, NetworkRequest req) {
        EndpointConfig ec = req.forMode(mode);
        Map<String, EndpointConfig> wanted = new LinkedHashMap<>();
        NetworkRecord n = null;
        if (joinedContainer(mode) != null) {
            // uses another container's network: none of its own
            save(new ContainerNet(containerId, name, mode, wanted, List.of(), List.of()));
            return;
        }
        try {
            n = find(networkName(mode));
        } catch (PouchException e) {
            // kept by name: the start reports "network x not found"
            wanted.put("unknown:" + networkName(mode), new EndpointConfig(networkName(mode), "", List.of(), ""));
        }
        if (n != null) {
            wanted.put(n.id(), new EndpointConfig(n.name(), ec.ipv4Address(), ec.aliases(), ec.macAddress()));
        }
        save(new ContainerNet(containerId, name, mode, wanted, req.links(), List.of()));
    }

    /** The container was renamed (its DNS name follows). */
    public void rename(String containerId, String newName) {
        ContainerNet c = containers.get(containerId);
        if (c != null) {
            save(c.withName(newName));
        }
    }

    /**
     * Before the task starts: a namespace with one interface per wanted bridge network, addresses leased, ports
     * published. Host and none need no namespace of ours.
     *
     * <p>perf: only the decisions are made here (addresses, ports, names: what /etc/hosts and the spec need); the
     * namespace, the veths, the port rules and the crash-safe writes of the record and the leases are made on a
     * thread of their own while the caller prepares the task. The caller waits with
     * {@link Attachment#awaitNamespace()} before containerd's Tasks/Create (runc joins the namespace, which must
     * exist) and with {@link Attachment#awaitReady()} before Tasks/Start (the process must find its interfaces
     * and the record must be on disk before anything runs in it). A failure there, or anywhere before, is undone
     * by {@link #detach}, as before; a failure here leaves nothing.
     */
    public Attachment attach(String containerId, String hostname, Map<String, Object> portBindings,
                             Map<String, Object> exposed, boolean publishAll) {
        long t0 = Trace.start();
        awaitPending(containerId);
        lock.lock();
        try {
            ContainerNet c = containers.get(containerId);
            if (c == null) {
                return Attachment.NONE;
            }
            detachLocked(containerId);
            c = containers.get(containerId);
            List<NetworkRecord> nets = new ArrayList<>();
            for (String nid : c.wanted().keySet()) {
                NetworkRecord n = networks.get(nid);
                if (n == null) {
                    n = byName(c.wanted().get(nid).network()); // created since the container was
                }
                if (n == null) {
                    throw PouchException.notFound("network " + c.wanted().get(nid).network() + " not found");
                }
                nets.add(n);
            }
            if (nets.stream().noneMatch(NetworkRecord::isBridge)) {
                return Attachment.NONE;
            }
            List<EndpointRecord> eps = new ArrayList<>();
            List<DataPlane.Iface> ifaces = new ArrayList<>();
            List<Firewall.Rule> rules = new ArrayList<>();
            boolean routed = false;
            try {
                int i = 0;
                for (NetworkRecord n : nets) {
                    if (!n.isBridge()) {
                        continue;
                    }
                    EndpointConfig ec = c.wanted().getOrDefault(n.id(),
                            new EndpointConfig(n.name(), "", List.of(), ""));
                    EndpointRecord e = endpoint(c, n, ec, "eth" + i++, List.of(), false);
                    eps.add(e);
                    boolean route = !n.internal() && !routed;
                    routed |= route;
                    ifaces.add(new DataPlane.Iface(e.ifName(), e.hostVeth(), e.mac(), e.ip(), e.prefix(), e.gateway(),
                            route, n.device()));
                }
                // ports go on the first network that routes out
                EndpointRecord first = eps.get(0);
                NetworkRecord firstNet = networks.get(first.networkId());
                List<PortMapping> ports = firstNet.internal() ? List.of()
                        : allocatePorts(PortSpecs.requests(portBindings, exposed, publishAll), containerId);
                eps.set(0, withPorts(first, ports));
                ports.forEach(p -> rules.addAll(firewall.portRules(first.ip(), p)));
            } catch (RuntimeException ex) {
                eps.forEach(e -> ipam.release(e.networkId(), e.ip()));
                throw ex;
            }
            ContainerNet attached = c.withActive(eps);
            containers.put(containerId, attached); // seen at once by DNS, inspect and later allocations
            CompletableFuture<Void> namespace = new CompletableFuture<>();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            pending.put(containerId, ready);
            Thread.ofVirtual().name("net-up-" + containerId.substring(0, Math.min(12, containerId.length())))
                    .start(() -> {
                        try {
                            long tNs = Trace.start();
                            plane.createNamespace(containerId, ifaces, () -> namespace.complete(null));
                            Trace.end("network", "namespace", containerId, tNs);
                            try {
                                firewall.add(rules);
                            } catch (RuntimeException ex) {
                                plane.deleteNamespace(containerId, ifaces.stream().map(DataPlane.Iface::hostVeth)
                                        .toList());
                                throw ex;
                            }
                            // the record names the addresses: on disk first, so a crash never leaves a lease
                            // without the record that lets the boot reconcile release it
                            write(attached);
                            ipam.flush();
                            Trace.end("network", "attach", containerId, t0);
                            ready.complete(null);
                        } catch (Throwable ex) {
                            namespace.completeExceptionally(ex);
                            ready.completeExceptionally(ex);
                        } finally {
                            pending.remove(containerId, ready);
                        }
                    });
            return new Attachment(plane.netnsPath(containerId).toString(), hostsLines(c, eps, hostname),
                    nameservers(eps), namespace, ready);
        } finally {
            lock.unlock();
        }
    }

    private EndpointRecord endpoint(ContainerNet c, NetworkRecord n, EndpointConfig ec, String ifName,
                                    List<PortMapping> ports) {
        return endpoint(c, n, ec, ifName, ports, true);
    }

    private EndpointRecord endpoint(ContainerNet c, NetworkRecord n, EndpointConfig ec, String ifName,
                                    List<PortMapping> ports, boolean saveLease) {
        String ip = saveLease ? ipam.allocate(n, ec.ipv4Address(), c.id())
                : ipam.allocateUnsaved(n, ec.ipv4Address(), c.id());
        String mac = ec.macAddress().isEmpty() ? DataPlane.macFor(ip) : ec.macAddress().toLowerCase();
        List<String> aliases = new ArrayList<>(ec.aliases());
        if (!n.isDefaultBridge()) {
            aliases.add(c.id().substring(0, 12)); // Docker lists the short id among a user network's aliases
        }
        byte[] r = new byte[4];
        RANDOM.nextBytes(r);
        return new EndpointRecord(n.id(), n.name(), newId(), ifName, "veth" + HexFormat.of().formatHex(r)
                .substring(0, 7), ip, n.subnetCidr().prefix(), n.gateway(), mac, aliases, ports);
    }

    private static EndpointRecord withPorts(EndpointRecord e, List<PortMapping> ports) {
        return new EndpointRecord(e.networkId(), e.networkName(), e.endpointId(), e.ifName(), e.hostVeth(), e.ip(),
                e.prefix(), e.gateway(), e.mac(), e.aliases(), ports);
    }

    /** Chooses host ports: the asked one if nobody (pouchd or a host process) holds it, else a free ephemeral one. */
    private List<PortMapping> allocatePorts(List<PortSpecs.Request> reqs, String owner) {
        List<PortMapping> taken = new ArrayList<>();
        containers.values().forEach(c -> c.active().forEach(e -> taken.addAll(e.ports())));
        List<PortMapping> out = new ArrayList<>();
        for (PortSpecs.Request r : reqs) {
            int lo = r.hostPortLow() == 0 ? EPHEMERAL_LOW : r.hostPortLow();
            int hi = r.hostPortLow() == 0 ? EPHEMERAL_HIGH : r.hostPortHigh();
            PortMapping chosen = null;
            for (int p = lo; p <= hi && chosen == null; p++) {
                PortMapping m = new PortMapping(r.proto(), r.containerPort(), r.hostIp(), p);
                if (!clashes(m, taken) && !clashes(m, out) && bindable(m)) {
                    chosen = m;
                }
            }
            if (chosen == null) {
                String what = r.hostPortLow() == r.hostPortHigh() ? Integer.toString(r.hostPortLow())
                        : r.hostPortLow() + "-" + r.hostPortHigh();
                throw PouchException.internal("driver failed programming external connectivity on endpoint "
                        + containerName(owner) + " (" + owner + "): Bind for "
                        + (r.hostIp().isEmpty() ? "0.0.0.0" : r.hostIp()) + ":" + what
                        + " failed: port is already allocated", null);
            }
            out.add(chosen);
        }
        return out;
    }

    private static boolean clashes(PortMapping m, List<PortMapping> others) {
        for (PortMapping o : others) {
            if (o.hostPort() == m.hostPort() && o.proto().equals(m.proto())
                    && (o.hostIp().isEmpty() || m.hostIp().isEmpty() || o.hostIp().equals(m.hostIp()))) {
                return true;
            }
        }
        return false;
    }

    /** No userland proxy holds the port, so ask the kernel whether a host process does. */
    private static boolean bindable(PortMapping m) {
        try {
            InetAddress a = InetAddress.getByName(m.hostIp().isEmpty() ? "0.0.0.0" : m.hostIp());
            if (m.proto().equals("udp")) {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(a, m.hostPort()))) {
                    return s.isBound();
                }
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(a, m.hostPort()));
                return true;
            }
        } catch (IOException e) {
            return false;
        }
    }

    private List<String> hostsLines(ContainerNet c, List<EndpointRecord> eps, String hostname) {
        List<String> lines = new ArrayList<>();
        EndpointRecord e0 = eps.get(0);
        lines.add(e0.ip() + "\t" + hostname);
        for (String link : c.links()) {
            String[] p = link.split(":", 2);
            String target = p[0].startsWith("/") ? p[0].substring(1) : p[0];
            String alias = p.length > 1 ? p[1] : target;
            if (alias.startsWith("/")) {
                alias = alias.substring(alias.lastIndexOf('/') + 1);
            }
            for (ContainerNet o : containers.values()) {
                if (o.name().equals(target) || o.id().equals(target) || o.id().startsWith(target)) {
                    for (EndpointRecord oe : o.active()) {
                        if (oe.networkId().equals(e0.networkId())) {
                            lines.add(oe.ip() + "\t" + alias + (alias.equals(o.name()) ? "" : " " + o.name())
                                    + " " + o.id().substring(0, 12));
                        }
                    }
                }
            }
        }
        return lines;
    }

    /** The embedded DNS server of the first user network (not on the default bridge, as Docker). */
    private List<String> nameservers(List<EndpointRecord> eps) {
        for (EndpointRecord e : eps) {
            NetworkRecord n = networks.get(e.networkId());
            if (n != null && !n.isDefaultBridge() && dns.containsKey(n.id())) {
                return List.of(n.gateway());
            }
        }
        return List.of();
    }

    /** At exit: namespace, veths, port rules and leases go; what the container wants stays. Idempotent. */
    public void detach(String containerId) {
        awaitPending(containerId);
        lock.lock();
        try {
            detachLocked(containerId);
        } finally {
            lock.unlock();
        }
    }

    private void detachLocked(String containerId) {
        long t0 = Trace.start();
        ContainerNet c = containers.get(containerId);
        teardown(containerId, c == null ? List.of() : c.active());
        if (c != null && !c.active().isEmpty()) {
            save(c.withActive(List.of()));
        }
        Trace.end("network", "detach", containerId, t0);
    }

    /** Port rules, veths, namespace and leases of one container. Idempotent; needs no lock (nothing shared). */
    private void teardown(String containerId, List<EndpointRecord> eps) {
        List<Firewall.Rule> rules = new ArrayList<>();
        eps.forEach(e -> e.ports().forEach(p -> rules.addAll(firewall.portRules(e.ip(), p))));
        firewall.delete(rules);
        plane.deleteNamespace(containerId, eps.stream().map(EndpointRecord::hostVeth).toList());
        ipam.releaseOwner(containerId);
    }

    /**
     * At exit, as {@link #detach}, but off the exit path ({@code docker run --rm} waits for the removal that
     * follows, and deleting a veth waits for the kernel: ~20-40 ms). The container stops being attached at once
     * (inspect, DNS, {@link #attached}); the teardown runs on its own thread and then writes the record.
     * Crash-safe: until then the record on disk still names the endpoints, and the boot's reconcile tears down
     * what a stopped container still holds. Anything that needs the teardown finished (the next attach, connect,
     * network removal, daemon stop) waits for it first.
     */
    public void detachLater(String containerId) {
        lock.lock();
        try {
            ContainerNet c = containers.get(containerId);
            if (c == null || c.active().isEmpty()) {
                return;
            }
            List<EndpointRecord> eps = c.active();
            containers.put(containerId, c.withActive(List.of()));
            schedule(containerId, () -> {
                long t0 = Trace.start();
                teardown(containerId, eps);
                lock.lock();
                try {
                    ContainerNet now = containers.get(containerId);
                    if (now != null && now.active().isEmpty()) {
                        write(now);
                    }
                } finally {
                    lock.unlock();
                }
                Trace.end("network", "detach-later", containerId, t0);
            });
        } finally {
            lock.unlock();
        }
    }

    /**
     * At remove: the container is forgotten at once; its teardown (if it still had endpoints) and the deletion of
     * its record run on their own thread, after any teardown still running for it. The record goes last, so a
     * crash before leaves it for the boot's reconcile, which forgets the container again.
     */
    public void forget(String containerId) {
        lock.lock();
        try {
            ContainerNet c = containers.remove(containerId);
            List<EndpointRecord> eps = c == null ? List.of() : c.active();
            schedule(containerId, () -> {
                teardown(containerId, eps);
                deleteRecord(containerId);
            });
        } finally {
            lock.unlock();
        }
    }

    /** As {@link #forget}, done before it returns (boot reconcile). Caller holds the lock. */
    private void forgetLocked(String containerId) {
        detachLocked(containerId);
        containers.remove(containerId);
        deleteRecord(containerId);
    }

    private void deleteRecord(String containerId) {
        try {
            Files.deleteIfExists(dir.resolve("containers").resolve(containerId + ".json"));
        } catch (IOException e) {
            LOG.warning("cannot delete the network record of " + containerId + ": " + e.getMessage());
        }
    }

    /** Runs job on its own thread after what is already pending for that container; a failure is logged. */
    private void schedule(String containerId, Runnable job) {
        CompletableFuture<Void> f = pending.compute(containerId, (k, prev) -> {
            CompletableFuture<Void> after = prev == null ? CompletableFuture.completedFuture(null)
                    : prev.handle((v, e) -> null);
            return after.thenRunAsync(() -> {
                try {
                    job.run();
                } catch (RuntimeException e) {
                    LOG.warning("network teardown of " + containerId + ": " + e.getMessage());
                }
            }, r -> Thread.ofVirtual().name("net-down-" + containerId.substring(0, Math.min(12,
                    containerId.length()))).start(r));
        });
        f.whenComplete((v, e) -> pending.remove(containerId, f));
    }

    /** Waits for the set-up or teardown still running for a container (its outcome is the caller's no more). */
    private void awaitPending(String containerId) {
        CompletableFuture<Void> f;
        while ((f = pending.get(containerId)) != null) {
            try {
                f.join();
            } catch (RuntimeException e) {
                // the set-up's failure went to its caller, a teardown's to the log
            }
            pending.remove(containerId, f);
        }
    }

    /** Waits for every container's pending network work (network removal, daemon stop). */
    private void awaitAllPending() {
        for (String id : List.copyOf(pending.keySet())) {
            awaitPending(id);
        }
    }

    /** {@code POST /networks/{id}/connect}: wanted from now on; live at once when running is true. */
    public void connect(String ref, String containerId, EndpointConfig ec, boolean running) {
        awaitPending(containerId);
        lock.lock();
        try {
            NetworkRecord n = find(ref);
            ContainerNet c = containers.get(containerId);
            if (c == null) {
                throw PouchException.notFound("No such container: " + containerId);
            }
            if (joinedContainer(c.mode()) != null) {
                throw PouchException.invalidArgument("container sharing network namespace with another container or"
                        + " host cannot be connected to any other network");
            }
            if (!n.isBridge() || c.wanted().keySet().stream().map(networks::get)
                    .anyMatch(x -> x != null && !x.isBridge())) {
                throw PouchException.forbidden("container cannot be disconnected from host network or connected to"
                        + " host network");
            }
            if (c.wanted().containsKey(n.id())) {
                throw PouchException.forbidden("endpoint with name " + c.name() + " already exists in network "
                        + n.name());
            }
            if (!ec.ipv4Address().isEmpty() && n.isDefaultBridge()) {
                throw PouchException.invalidArgument("user specified IP address is supported on user defined networks"
                        + " only");
            }
            Map<String, EndpointConfig> w = new LinkedHashMap<>(c.wanted());
            w.put(n.id(), new EndpointConfig(n.name(), ec.ipv4Address(), ec.aliases(), ec.macAddress()));
            if (running && !c.active().isEmpty()) {
                EndpointRecord e = endpoint(c, n, w.get(n.id()), "eth" + c.active().size(), List.of());
                try {
                    plane.addInterface(containerId, new DataPlane.Iface(e.ifName(), e.hostVeth(), e.mac(), e.ip(),
                            e.prefix(), e.gateway(), false, n.device()));
                } catch (RuntimeException ex) {
                    ipam.release(n.id(), e.ip());
                    throw ex;
                }
                List<EndpointRecord> a = new ArrayList<>(c.active());
                a.add(e);
                c = c.withActive(a);
            }
            save(c.withWanted(w));
            publish(n, "connect", containerId);
        } finally {
            lock.unlock();
        }
    }

    /** {@code POST /networks/{id}/disconnect}. */
    public void disconnect(String ref, String containerId, boolean force) {
        awaitPending(containerId);
        lock.lock();
        try {
            NetworkRecord n = find(ref);
            ContainerNet c = containers.get(containerId);
            if (c == null || !c.wanted().containsKey(n.id())) {
                if (force) {
                    return;
                }
                throw PouchException.forbidden("container " + containerId + " is not connected to network " + n.name());
            }
            Map<String, EndpointConfig> w = new LinkedHashMap<>(c.wanted());
            w.remove(n.id());
            List<EndpointRecord> a = new ArrayList<>();
            for (EndpointRecord e : c.active()) {
                if (e.networkId().equals(n.id())) {
                    List<Firewall.Rule> rules = new ArrayList<>();
                    e.ports().forEach(p -> rules.addAll(firewall.portRules(e.ip(), p)));
                    firewall.delete(rules);
                    plane.deleteLinks(List.of(e.hostVeth()));
                    ipam.release(n.id(), e.ip());
                } else {
                    a.add(e);
                }
            }
            save(c.withWanted(w).withActive(a));
            publish(n, "disconnect", containerId);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- DNS

    /** A name on network networkId: container name, alias or short id of an endpoint there; null if unknown. */
    String resolve(String networkId, String name) {
        String q = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        for (ContainerNet c : containers.values()) {
            for (EndpointRecord e : c.active()) {
                if (!e.networkId().equals(networkId)) {
                    continue;
                }
                if (q.equalsIgnoreCase(c.name()) || e.aliases().stream().anyMatch(q::equalsIgnoreCase)) {
                    return e.ip();
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- views

    /** {@code NetworkSettings} of inspect, as Docker shows it. */
    public ContainerInspect.NetworkSettings settings(String containerId, Map<String, Object> exposed) {
        ContainerNet c = containers.get(containerId);
        if (c == null) {
            return ContainerInspect.NetworkSettings.unattached("");
        }
        Map<String, Object> nets = new LinkedHashMap<>();
        EndpointRecord top = null;
        for (Map.Entry<String, EndpointConfig> w : c.wanted().entrySet()) {
            NetworkRecord n = networks.get(w.getKey());
            if (n == null) {
                continue;
            }
            EndpointRecord e = c.active().stream().filter(x -> x.networkId().equals(n.id())).findFirst().orElse(null);
            if (e != null && n.isDefaultBridge()) {
                top = e;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            EndpointConfig ec = w.getValue();
            m.put("IPAMConfig", ec.ipv4Address().isEmpty() ? null : Map.of("IPv4Address", ec.ipv4Address()));
            m.put("Links", n.isDefaultBridge() && !c.links().isEmpty() ? c.links() : null);
            m.put("Aliases", e == null ? (ec.aliases().isEmpty() ? null : ec.aliases())
                    : e.aliases().isEmpty() ? null : e.aliases());
            m.put("MacAddress", e == null ? ec.macAddress() : e.mac());
            m.put("DriverOpts", null);
            m.put("NetworkID", n.id());
            m.put("EndpointID", e == null ? "" : e.endpointId());
            m.put("Gateway", e == null ? "" : e.gateway());
            m.put("IPAddress", e == null ? "" : e.ip());
            m.put("IPPrefixLen", e == null ? 0 : e.prefix());
            m.put("IPv6Gateway", "");
            m.put("GlobalIPv6Address", "");
            m.put("GlobalIPv6PrefixLen", 0);
            List<String> names = new ArrayList<>();
            if (e != null && !n.isDefaultBridge()) {
                names.add(c.name());
                names.addAll(e.aliases());
            }
            m.put("DNSNames", names.isEmpty() ? null : names);
            nets.put(n.name(), m);
        }
        Map<String, Object> ports = new LinkedHashMap<>();
        if (!c.active().isEmpty()) {
            if (exposed != null) {
                for (String k : exposed.keySet()) {
                    ports.put(k.contains("/") ? k : k + "/tcp", null);
                }
            }
            for (EndpointRecord e : c.active()) {
                for (PortMapping p : e.ports()) {
                    @SuppressWarnings("unchecked")
                    List<Object> l = ports.get(p.key()) instanceof List<?> x ? (List<Object>) x : new ArrayList<>();
                    l.add(Map.of("HostIp", p.shownHostIp(), "HostPort", Integer.toString(p.hostPort())));
                    ports.put(p.key(), l);
                }
            }
        }
        String sandbox = c.active().isEmpty() ? "" : plane.netnsPath(containerId).toString();
        return new ContainerInspect.NetworkSettings("", c.active().isEmpty() ? "" : containerId, false, "", 0, ports,
                sandbox, null, null, top == null ? "" : top.endpointId(), top == null ? "" : top.gateway(), "", 0,
                top == null ? "" : top.ip(), top == null ? 0 : top.prefix(), "", top == null ? "" : top.mac(), nets);
    }

    /** {@code Ports} of {@code GET /containers/json}. */
    public List<Object> summaryPorts(String containerId, Map<String, Object> exposed) {
        ContainerNet c = containers.get(containerId);
        List<Object> out = new ArrayList<>();
        List<PortMapping> published = new ArrayList<>();
        if (c != null) {
            c.active().forEach(e -> published.addAll(e.ports()));
        }
        for (PortMapping p : published) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("IP", p.shownHostIp());
            m.put("PrivatePort", p.containerPort());
            m.put("PublicPort", p.hostPort());
            m.put("Type", p.proto());
            out.add(m);
        }
        if (exposed != null) {
            for (String k : exposed.keySet()) {
                Object[] pk;
                try {
                    pk = PortSpecs.portKey(k);
                } catch (PouchException e) {
                    continue;
                }
                boolean shown = published.stream().anyMatch(p -> p.containerPort() == (int) pk[0]
                        && p.proto().equals(pk[1]));
                if (!shown) {
                    out.add(Map.of("PrivatePort", pk[0], "Type", pk[1]));
                }
            }
        }
        return out;
    }

    /** {@code NetworkSettings.Networks} of {@code GET /containers/json}. */
    public Map<String, Object> summaryNetworks(String containerId) {
        return settings(containerId, null).networks();
    }

    // ---------------------------------------------------------------- storage

    private NetworkRecord byName(String name) {
        return networks.values().stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
    }

    private void add(NetworkRecord n) {
        networks.put(n.id(), n);
    }

    private void saveNetworks() {
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(dir.resolve("networks.json"), Json.MAPPER.writeValueAsBytes(networks.values()));
        } catch (IOException e) {
            throw PouchException.internal("cannot save networks: " + e.getMessage(), e);
        }
    }

    private void save(ContainerNet c) {
        write(c);
        containers.put(c.id(), c);
    }

    /** The record on disk only (the in-memory one may already be ahead of it). */
    private void write(ContainerNet c) {
        try {
            Files.createDirectories(dir.resolve("containers"));
            AtomicFiles.write(dir.resolve("containers").resolve(c.id() + ".json"), Json.MAPPER.writeValueAsBytes(c));
        } catch (IOException e) {
            throw PouchException.internal("cannot save the network state of " + c.id() + ": " + e.getMessage(), e);
        }
    }

    static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String now() {
        return Instant.now().toString();
    }
}
