package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import io.pouch.daemon.sys.Trace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A container's side of networking: what it wants (recorded at create), its endpoints while it runs (attach before
 * the task starts, detach after it exits, teardown after removal, off the request path where the caller need not
 * wait), and network connect and disconnect. Changes are made under the network lock, shared with
 * {@link Networks} (see {@link NetworkManager}); pending set-up or teardown of a container is awaited before the
 * lock is taken, never while holding it.
 */
final class Endpoints {
    private final NetworkStore networks;
    private final ContainerNets containers;
    private final Ipam ipam;
    private final DataPlane plane;
    private final Firewall firewall;
    private final BridgeNetworks bridges;
    private final PortAllocator ports;
    private final PendingWork pending;
    private final NetworkEvents events;
    private final ReentrantLock lock;

    Endpoints(NetworkStore networks, ContainerNets containers, Ipam ipam, DataPlane plane, Firewall firewall,
              BridgeNetworks bridges, PortAllocator ports, PendingWork pending, NetworkEvents events,
              ReentrantLock lock) {
        this.networks = networks;
        this.containers = containers;
        this.ipam = ipam;
        this.plane = plane;
        this.firewall = firewall;
        this.bridges = bridges;
        this.ports = ports;
        this.pending = pending;
        this.events = events;
        this.lock = lock;
    }

    /** Records what a new container asked for, after {@link NetworkModes#validate}, at create. */
    void register(String containerId, String name, String mode, NetworkRequest req) {
        EndpointConfig ec = req.forMode(mode);
        Map<String, EndpointConfig> wanted = new LinkedHashMap<>();
        if (NetworkModes.joinedContainer(mode) != null) {
            // uses another container's network: none of its own
            containers.save(new ContainerNet(containerId, name, mode, wanted, List.of(), List.of()));
            return;
        }
        String network = NetworkModes.networkName(mode);
        NetworkRecord n = null;
        try {
            n = find(network);
        } catch (PouchException e) {
            // kept by name: the start reports "network x not found"
            wanted.put("unknown:" + network, new EndpointConfig(network, "", List.of(), ""));
        }
        if (n != null) {
            wanted.put(n.id(), ec.on(n.name()));
        }
        req.extras(mode).forEach((ref, extra) -> {
            try {
                NetworkRecord x = find(ref);
                wanted.putIfAbsent(x.id(), extra.on(x.name()));
            } catch (PouchException e) {
                wanted.put("unknown:" + ref, new EndpointConfig(ref, "", List.of(), ""));
            }
        });
        containers.save(new ContainerNet(containerId, name, mode, wanted, req.links(), List.of()));
    }

    /**
     * The network namespace {@link #attach} will give a container that asks for {@code mode} and {@code req}: its
     * own (this path) when one of the networks is a bridge, none of pouchd's ("") when every network exists and
     * none is; null when it cannot tell (a network missing, or a {@code container:} mode).
     */
    String predictNamespace(String containerId, String mode, NetworkRequest req) {
        if (NetworkModes.joinedContainer(mode) != null) {
            return null;
        }
        List<String> refs = new ArrayList<>();
        refs.add(NetworkModes.networkName(mode));
        refs.addAll(req.extras(mode).keySet());
        boolean bridge = false;
        for (String ref : refs) {
            try {
                bridge |= find(ref).isBridge();
            } catch (PouchException e) {
                return null;
            }
        }
        return bridge ? plane.netnsPath(containerId).toString() : "";
    }

    private NetworkRecord find(String ref) {
        lock.lock();
        try {
            return networks.find(ref);
        } finally {
            lock.unlock();
        }
    }

    /** The container was renamed (its DNS name follows). */
    void rename(String containerId, String newName) {
        ContainerNet c = containers.get(containerId);
        if (c != null) {
            containers.save(c.withName(newName));
        }
    }

    /**
     * Before the task starts: a namespace with one interface per wanted bridge network, addresses leased, ports
     * published. Host and none need no namespace of ours.
     *
     * <p>Only the decisions are made on the caller's thread (addresses, ports, names: what /etc/hosts and the spec
     * need), so the container's start does not wait for the kernel: the namespace, the veths, the port rules and
     * the crash-safe writes of the record and the leases are made on a thread of their own while the caller
     * prepares the task. The caller waits with {@link Attachment#awaitNamespace()} before containerd's
     * Tasks/Create (runc joins the namespace, which must exist) and with {@link Attachment#awaitReady()} before
     * Tasks/Start (the process must find its interfaces and the record must be on disk before anything runs in
     * it). A failure there, or anywhere before, is undone by {@link #detach}; a failure here leaves nothing.
     */
    Attachment attach(String containerId, String hostname, Map<String, Object> portBindings,
                      Map<String, Object> exposed, boolean publishAll) {
        long t0 = Trace.start();
        pending.await(containerId);
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
                    n = networks.byName(c.wanted().get(nid).network()); // created since the container was
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
                for (NetworkRecord n : nets) {
                    if (!n.isBridge()) {
                        continue;
                    }
                    EndpointConfig ec = c.wanted().getOrDefault(n.id(),
                            new EndpointConfig(n.name(), "", List.of(), ""));
                    EndpointRecord e = endpoint(c, n, ec, ifName(n, eps), false, eps);
                    eps.add(e);
                    boolean route = !n.internal() && !routed;
                    routed |= route;
                    ifaces.add(e.iface(route, n.device()));
                }
                // ports go on the first network that routes out
                EndpointRecord first = eps.get(0);
                NetworkRecord firstNet = networks.get(first.networkId());
                List<PortMapping> published = firstNet.internal() ? List.of()
                        : ports.allocate(PortSpecs.withHostIp(PortSpecs.requests(portBindings, exposed, publishAll),
                                BridgeOptions.of(firstNet).hostIp(), !first.ip6().isEmpty()),
                                containers.publishedPorts(), containerId, c.name());
                eps.set(0, first.withPorts(published));
                published.forEach(p -> rules.addAll(firewall.portRules(first, p)));
            } catch (RuntimeException ex) {
                ipam.releaseOwner(containerId);
                throw ex;
            }
            ContainerNet attached = c.withActive(eps);
            containers.put(attached); // seen at once by DNS, inspect and later allocations
            CompletableFuture<Void> namespace = new CompletableFuture<>();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            pending.started(containerId, ready);
            Thread.ofVirtual().name("net-up-" + PendingWork.shortId(containerId))
                    .start(() -> setUp(attached, ifaces, rules, namespace, ready, t0));
            return new Attachment(plane.netnsPath(containerId).toString(),
                    HostsEntries.lines(c, eps.get(0), hostname, containers.all()), nameservers(eps), namespace, ready);
        } finally {
            lock.unlock();
        }
    }

    /** The host side of an attach, on its own thread: namespace and veths, port rules, then record and leases. */
    private void setUp(ContainerNet attached, List<DataPlane.Iface> ifaces, List<Firewall.Rule> rules,
                       CompletableFuture<Void> namespace, CompletableFuture<Void> ready, long t0) {
        String containerId = attached.id();
        try {
            long tNs = Trace.start();
            plane.createNamespace(containerId, ifaces, () -> namespace.complete(null));
            Trace.end("network", "namespace", containerId, tNs);
            try {
                firewall.add(rules);
            } catch (RuntimeException ex) {
                plane.deleteNamespace(containerId, ifaces.stream().map(DataPlane.Iface::hostVeth).toList());
                throw ex;
            }
            // the record names the addresses: on disk first, so a crash never leaves a lease without the record
            // that lets the boot reconcile release it
            containers.write(attached);
            ipam.flush();
            Trace.end("network", "attach", containerId, t0);
            ready.complete(null);
        } catch (Throwable ex) {
            namespace.completeExceptionally(ex);
            ready.completeExceptionally(ex);
        } finally {
            pending.done(containerId, ready);
        }
    }

    /**
     * A new endpoint of c on n: an address leased (saved to disk at once when saveLease, else with the attach's
     * record), the asked or derived MAC, the aliases (with the short id on user networks, as Docker lists it).
     */
    private EndpointRecord endpoint(ContainerNet c, NetworkRecord n, EndpointConfig ec, String ifName,
                                    boolean saveLease, List<EndpointRecord> others) {
        if (!ec.ipv6Address().isEmpty() && !n.hasIpv6()) {
            throw PouchException.invalidArgument("user specified IP address is supported only when connecting to"
                    + " networks with user configured subnets");
        }
        String ip = ipam.allocateUnsaved(n, ec.ipv4Address(), c.id());
        String ip6 = "";
        if (n.hasIpv6()) {
            try {
                ip6 = ipam.allocate6Unsaved(n, ec.ipv6Address(), c.id());
            } catch (RuntimeException e) {
                ipam.release(n.id(), ip);
                throw e;
            }
        }
        if (saveLease) {
            ipam.flush();
        }
        String mac = ec.macAddress().isEmpty() ? DataPlane.macFor(ip) : ec.macAddress().toLowerCase();
        List<String> aliases = new ArrayList<>(ec.aliases());
        if (!n.isDefaultBridge()) {
            aliases.add(c.id().substring(0, 12));
        }
        String veth = Ids.vethName();
        return new EndpointRecord(n.id(), n.name(), Ids.newId(), ifName, veth, ip, n.subnetCidr().prefix(),
                n.gateway(), mac, aliases, List.of(), ip6, n.hasIpv6() ? n.subnet6Cidr().prefix() : 0,
                n.hasIpv6() ? n.gateway6() : "", ec.linkLocalIps());
    }

    /**
     * The interface name of a new endpoint on n: the network's {@code container_iface_prefix} ({@code eth} by
     * default) and the count of the container's interfaces of that prefix, as dockerd numbers them.
     */
    private static String ifName(NetworkRecord n, List<EndpointRecord> others) {
        BridgeOptions o = BridgeOptions.of(n);
        String prefix = o.ifName(0).substring(0, o.ifName(0).length() - 1);
        int i = (int) others.stream().filter(e -> e.ifName().matches(java.util.regex.Pattern.quote(prefix) + "\\d+"))
                .count();
        return o.ifName(i);
    }

    /** The embedded DNS server of the first user network (not on the default bridge, as Docker). */
    private List<String> nameservers(List<EndpointRecord> eps) {
        for (EndpointRecord e : eps) {
            NetworkRecord n = networks.get(e.networkId());
            if (n != null && !n.isDefaultBridge() && bridges.servesDns(n.id())) {
                return List.of(n.gateway());
            }
        }
        return List.of();
    }

    /** At exit: namespace, veths, port rules and leases go; what the container wants stays. Idempotent. */
    void detach(String containerId) {
        pending.await(containerId);
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
            containers.save(c.withActive(List.of()));
        }
        Trace.end("network", "detach", containerId, t0);
    }

    /** Port rules, veths, namespace and leases of one container. Idempotent; needs no lock (nothing shared). */
    private void teardown(String containerId, List<EndpointRecord> eps) {
        firewall.delete(portRules(eps));
        plane.deleteNamespace(containerId, eps.stream().map(EndpointRecord::hostVeth).toList());
        ipam.releaseOwner(containerId);
    }

    private List<Firewall.Rule> portRules(List<EndpointRecord> eps) {
        List<Firewall.Rule> rules = new ArrayList<>();
        eps.forEach(e -> e.ports().forEach(p -> rules.addAll(firewall.portRules(e, p))));
        return rules;
    }

    /**
     * At exit, as {@link #detach}, but off the exit path ({@code docker run --rm} waits for the removal that
     * follows, and deleting a veth waits for the kernel: ~20-40 ms). The container stops being attached at once
     * (inspect, DNS, network removal); the teardown runs on its own thread and then writes the record.
     * Crash-safe: until then the record on disk still names the endpoints, and the boot's reconcile tears down
     * what a stopped container still holds.
     */
    void detachLater(String containerId) {
        lock.lock();
        try {
            ContainerNet c = containers.get(containerId);
            if (c == null || c.active().isEmpty()) {
                return;
            }
            List<EndpointRecord> eps = c.active();
            containers.put(c.withActive(List.of()));
            pending.schedule(containerId, () -> {
                long t0 = Trace.start();
                teardown(containerId, eps);
                lock.lock();
                try {
                    ContainerNet now = containers.get(containerId);
                    if (now != null && now.active().isEmpty()) {
                        containers.write(now);
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
    void forget(String containerId) {
        lock.lock();
        try {
            ContainerNet c = containers.remove(containerId);
            List<EndpointRecord> eps = c == null ? List.of() : c.active();
            pending.schedule(containerId, () -> {
                teardown(containerId, eps);
                containers.delete(containerId);
            });
        } finally {
            lock.unlock();
        }
    }

    /** {@code POST /networks/{id}/connect}: wanted from now on; live at once when running is true. */
    void connect(String ref, String containerId, EndpointConfig ec, boolean running) {
        pending.await(containerId);
        lock.lock();
        try {
            NetworkRecord n = networks.find(ref);
            ContainerNet c = containers.get(containerId);
            if (c == null) {
                throw PouchException.notFound("No such container: " + containerId);
            }
            if (NetworkModes.joinedContainer(c.mode()) != null) {
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
            NetworkModes.checkEndpoint(n, ec);
            Map<String, EndpointConfig> w = new LinkedHashMap<>(c.wanted());
            w.put(n.id(), ec.on(n.name()));
            if (running && !c.active().isEmpty()) {
                EndpointRecord e = endpoint(c, n, w.get(n.id()), ifName(n, c.active()), true, c.active());
                try {
                    plane.addInterface(containerId, e.iface(false, n.device()));
                } catch (RuntimeException ex) {
                    ipam.release(n.id(), e.ip());
                    ipam.release(n.id(), e.ip6());
                    throw ex;
                }
                List<EndpointRecord> a = new ArrayList<>(c.active());
                a.add(e);
                c = c.withActive(a);
            }
            containers.save(c.withWanted(w));
            events.publish(n, "connect", containerId);
        } finally {
            lock.unlock();
        }
    }

    /** {@code POST /networks/{id}/disconnect}; with force a container that is not connected is no error. */
    void disconnect(String ref, String containerId, boolean force) {
        pending.await(containerId);
        lock.lock();
        try {
            NetworkRecord n = networks.find(ref);
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
                    firewall.delete(portRules(List.of(e)));
                    plane.deleteLinks(List.of(e.hostVeth()));
                    ipam.release(n.id(), e.ip());
                    ipam.release(n.id(), e.ip6());
                } else {
                    a.add(e);
                }
            }
            containers.save(c.withWanted(w).withActive(a));
            events.publish(n, "disconnect", containerId);
        } finally {
            lock.unlock();
        }
    }

    /**
     * After the container side reconciled with containerd, at daemon start: endpoints of running containers get
     * their port rules back; anything else (stopped containers, namespaces of containers that are gone) is
     * removed, and records of containers that no longer exist are dropped. The leases follow the records.
     */
    void reconcile(Predicate<String> isRunning, Predicate<String> exists) {
        lock.lock();
        try {
            for (ContainerNet c : List.copyOf(containers.all())) {
                if (!exists.test(c.id())) {
                    detachLocked(c.id());
                    containers.remove(c.id());
                    containers.delete(c.id());
                    continue;
                }
                if (c.active().isEmpty()) {
                    continue;
                }
                if (isRunning.test(c.id())) {
                    firewall.add(portRules(c.active()));
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
            // the start path writes the record before the leases, so after a crash a lease may lack its record
            // (dropped here) or, the other way round, be missing (added back)
            ipam.reconcileOwners(containers.liveLeases());
        } finally {
            lock.unlock();
        }
    }

    /**
     * The namespace a {@code container:} joiner enters: the one we made for the running container it names, or, when
     * that container has none of ours (none, host, or itself a joiner), its init process's.
     */
    String joinNamespace(String containerId, long pid) {
        ContainerNet c = containers.get(containerId);
        Path ns = plane.netnsPath(containerId);
        if (c != null && !c.active().isEmpty() && Files.exists(ns)) {
            return ns.toString();
        }
        return "/proc/" + pid + "/ns/net";
    }
}
