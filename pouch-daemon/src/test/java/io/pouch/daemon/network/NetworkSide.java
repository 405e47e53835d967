package io.pouch.daemon.network;

import io.pouch.daemon.config.BridgeConfig;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.events.Event;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The network side wired as {@link NetworkManager} wires it, for tests without root: iptables off, namespaces in
 * a temporary directory, no bridge on the host (so removing one runs nothing), events recorded. What would run
 * ip or unshare (bringing a bridge up, creating a namespace) is not used by these tests.
 */
final class NetworkSide {
    static final String BRIDGE_ID = "b".repeat(64);
    static final String WEB_ID = "a".repeat(64);
    static final String HOST_ID = "h".repeat(64);

    final List<Event> events = new CopyOnWriteArrayList<>();
    final ReentrantLock lock = new ReentrantLock();
    final NetworkStore store;
    final ContainerNets containers;
    final Ipam ipam;
    final DataPlane plane;
    final PendingWork pending = new PendingWork();
    final Networks networks;
    final Endpoints endpoints;
    final NetworkRecord bridge;
    final NetworkRecord web;

    NetworkSide(Path dir) {
        Path netDir = dir.resolve("home/network");
        DaemonConfig config = new DaemonConfig(dir.resolve("home"), dir.resolve("run"), List.of("unix:///x"), null,
                "containerd", "pouch", false, "json-file", Map.of(), "runc", "ptest0", null);
        BridgeConfig bridgeConfig = new BridgeConfig(null, 1500, false, false);
        store = new NetworkStore(netDir);
        containers = new ContainerNets(netDir.resolve("containers"));
        ipam = new Ipam(netDir.resolve("ipam.json"));
        plane = new DataPlane(dir.resolve("run/netns"));
        Firewall firewall = new Firewall("ptest0", false);
        BridgeNetworks bridges = new BridgeNetworks(plane, firewall, bridgeConfig, containers::resolve);
        NetworkEvents sink = new NetworkEvents(events::add);
        networks = new Networks(config, bridgeConfig, store, containers, bridges, ipam, pending, sink, lock,
                dev -> false);
        endpoints = new Endpoints(store, containers, ipam, plane, firewall, bridges, new PortAllocator(m -> true),
                pending, sink, lock);
        bridge = NetworkFactory.defaultBridge(BRIDGE_ID, "ptest-nodev0", Cidr.parse("10.231.0.1/24"), "");
        web = new NetworkRecord(WEB_ID, "web", "bridge", "t", "ptest-nodev1", "10.232.0.0/24", "10.232.0.1", "", false,
                Map.of("tier", "front"), Map.of());
        store.put(bridge);
        store.put(web);
        store.put(new NetworkRecord(HOST_ID, "host", "host", "t", "", "", "", "", false, Map.of(), Map.of()));
        store.save();
    }

    List<String> actions() {
        return events.stream().map(e -> e.action() + " " + e.actor().attributes().get("name")).toList();
    }
}
