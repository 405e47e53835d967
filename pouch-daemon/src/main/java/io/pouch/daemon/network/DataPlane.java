package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import io.pouch.daemon.sys.Trace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Bridges, network namespaces and veth pairs, driven with iproute2 directly rather than through CNI plugins.
 *
 * <p>Why not CNI: the bridge plugin alone is one exec that in turn needs host-local (a second exec, with its own
 * lease store we would have to keep in step with ours) and portmap/firewall (more execs, and rules in chains we do
 * not own, which defeats exact cleanup). Here a container's whole setup is two processes: {@code unshare
 * --net=FILE ip -batch -} creates the namespace, bind-mounts it to FILE, and inside it configures lo and eth0 and
 * creates the veth pair with its host end sent straight to pouchd's namespace; one {@code ip -batch -} on the host
 * enslaves that end. Measured on this machine (2 cores, median of 20): attach 12 ms (namespace creation
 * included), detach 41 ms (veth deletion waits for the kernel); the CNI bridge plugin with host-local took 30 ms
 * to attach without counting the namespace creation or portmap, and 52 ms to detach.
 */
final class DataPlane {
    private static final Logger LOG = Logger.getLogger(DataPlane.class.getName());
    private static final long SELF_PID = ProcessHandle.current().pid();

    private final Path netnsDir;
    private static final int DEFAULT_MTU = 1500;
    /** The MTU each bridge was brought up with; a container's veth takes its bridge's. */
    private final Map<String, Integer> bridgeMtu = new ConcurrentHashMap<>();

    DataPlane(Path netnsDir) {
        this.netnsDir = netnsDir;
    }

    Path netnsPath(String containerId) {
        return netnsDir.resolve(containerId);
    }

    static boolean linkExists(String dev) {
        return Files.exists(Path.of("/sys/class/net", dev));
    }

    /**
     * Creates (or adopts) the bridge with the gateway address and MTU, up; forwarding on unless {@code ipForward}
     * is false (the operator manages it).
     */
    void ensureBridge(String dev, String gateway, int prefix, int mtu, boolean ipForward) {
        ensureBridge(dev, gateway, prefix, "", 0, mtu, ipForward);
    }

    /** As above, with an IPv6 gateway address too ("" for none). */
    void ensureBridge(String dev, String gateway, int prefix, String gateway6, int prefix6, int mtu,
                      boolean ipForward) {
        StringBuilder b = new StringBuilder();
        if (!linkExists(dev)) {
            b.append("link add ").append(dev).append(" type bridge\n");
        }
        // the bridge's own MTU; a bridge with ports takes the smallest of theirs, so veths get the same (inside())
        b.append("link set ").append(dev).append(" mtu ").append(mtu).append('\n');
        bridgeMtu.put(dev, mtu);
        // A bridge without an address of its own takes the lowest MAC of its ports, so attaching a container's veth
        // can change the gateway's MAC under the feet of containers that cached it (their packets to the gateway,
        // DNS included, vanish until the ARP entry expires). A fixed MAC, derived from the gateway address as the
        // containers' are from theirs, keeps it stable.
        b.append("link set ").append(dev).append(" address ").append(macFor(gateway)).append('\n');
        b.append("addr replace ").append(gateway).append('/').append(prefix).append(" dev ").append(dev).append('\n');
        b.append("link set ").append(dev).append(" up\n");
        Sh.run(List.of("ip", "-batch", "-"), b.toString());
        // published ports on 127.0.0.1 without a userland proxy: loopback-sourced packets may leave via the bridge
        sysctl("net/ipv4/conf/" + dev + "/route_localnet", "1");
        if (ipForward) {
            sysctl("net/ipv4/ip_forward", "1");
        }
        if (!gateway6.isEmpty()) {
            sysctl("net/ipv6/conf/" + dev + "/disable_ipv6", "0");
            // nodad: the gateway is usable at once, not after duplicate address detection's second
            Sh.run(List.of("ip", "addr", "replace", gateway6 + "/" + prefix6, "dev", dev, "nodad"), null);
            if (ipForward) {
                sysctl("net/ipv6/conf/all/forwarding", "1");
            }
        }
    }

    /**
     * Bridged packets through iptables (and ip6tables when v6), as dockerd sets it up for a network without
     * inter-container communication: br_netfilter loaded, its call-iptables switches on.
     *
     * @throws PouchException 500 when the kernel has no br_netfilter
     */
    void ensureBridgeNetfilter(boolean v6) {
        if (!Files.isDirectory(Path.of("/proc/sys/net/bridge"))) {
            Sh.tryRun(List.of("modprobe", "br_netfilter"), null);
        }
        if (!Files.isDirectory(Path.of("/proc/sys/net/bridge"))) {
            throw PouchException.internal("com.docker.network.bridge.enable_icc=false needs the br_netfilter kernel"
                    + " module, which cannot be loaded", null);
        }
        sysctl("net/bridge/bridge-nf-call-iptables", "1");
        if (v6) {
            sysctl("net/bridge/bridge-nf-call-ip6tables", "1");
        }
    }

    /** Whether an existing link is a bridge. */
    static boolean isBridge(String dev) {
        return Files.isDirectory(Path.of("/sys/class/net", dev, "bridge"));
    }

    /** Docker's locally administered MAC for an address: 02:42 followed by the four address bytes. */
    static String macFor(String ipv4) {
        int a = Cidr.parseAddress(ipv4);
        return String.format("02:42:%02x:%02x:%02x:%02x", (a >>> 24) & 0xff, (a >>> 16) & 0xff, (a >>> 8) & 0xff,
                a & 0xff);
    }

    void deleteBridge(String dev) {
        if (linkExists(dev)) {
            Sh.tryRun(List.of("ip", "link", "del", dev), null);
        }
    }

    private static void sysctl(String key, String value) {
        Path p = Path.of("/proc/sys", key);
        try {
            if (!Files.readString(p).trim().equals(value)) {
                Files.writeString(p, value);
            }
        } catch (IOException e) {
            LOG.warning("cannot set " + key + "=" + value + ": " + e.getMessage());
        }
    }

    /** One interface to create in a container's namespace. */
    record Iface(String ifName, String hostVeth, String mac, String ip, int prefix, String gateway, boolean route,
                 String bridge, String ip6, int prefix6, String gateway6, List<String> linkLocal) {
        Iface {
            ip6 = ip6 == null ? "" : ip6;
            gateway6 = gateway6 == null ? "" : gateway6;
            linkLocal = linkLocal == null ? List.of() : List.copyOf(linkLocal);
        }

        /** An IPv4-only interface. */
        Iface(String ifName, String hostVeth, String mac, String ip, int prefix, String gateway, boolean route,
              String bridge) {
            this(ifName, hostVeth, mac, ip, prefix, gateway, route, bridge, "", 0, "", List.of());
        }
    }

    /** A new namespace at netnsPath(id) holding lo and the given interfaces, their host ends on their bridges. */
    void createNamespace(String containerId, List<Iface> ifaces) {
        createNamespace(containerId, ifaces, () -> { });
    }

    /**
     * As above; {@code created} runs as soon as the namespace exists and holds its interfaces, before their host
     * ends are on their bridges (a runtime may join the namespace from then on).
     */
    void createNamespace(String containerId, List<Iface> ifaces, Runnable created) {
        Path ns = netnsPath(containerId);
        try {
            Files.createDirectories(netnsDir);
            Files.deleteIfExists(ns);
            Files.createFile(ns);
        } catch (IOException e) {
            throw PouchException.internal("cannot create " + ns + ": " + e.getMessage(), e);
        }
        StringBuilder in = new StringBuilder("link set lo up\n");
        for (Iface f : ifaces) {
            in.append(inside(f));
        }
        try {
            long t0 = Trace.start();
            Sh.run(List.of("unshare", "--net=" + ns, "ip", "-batch", "-"), in.toString());
            Trace.end("network", "unshare+inside", containerId, t0);
            created.run();
            hostSide(ifaces);
        } catch (RuntimeException e) {
            deleteNamespace(containerId, ifaces.stream().map(Iface::hostVeth).toList());
            throw e;
        }
    }

    /** Adds an interface to an existing namespace (network connect on a running container). */
    void addInterface(String containerId, Iface f) {
        Sh.run(List.of("nsenter", "--net=" + netnsPath(containerId), "ip", "-batch", "-"), inside(f));
        try {
            hostSide(List.of(f));
        } catch (RuntimeException e) {
            deleteLinks(List.of(f.hostVeth()));
            throw e;
        }
    }

    private String inside(Iface f) {
        StringBuilder b = new StringBuilder();
        int mtu = bridgeMtu.getOrDefault(f.bridge(), DEFAULT_MTU);
        String m = mtu == DEFAULT_MTU ? "" : " mtu " + mtu;
        b.append("link add ").append(f.ifName()).append(" address ").append(f.mac()).append(m)
                .append(" type veth peer name ").append(f.hostVeth()).append(m).append(" netns ").append(SELF_PID)
                .append('\n');
        b.append("addr add ").append(f.ip()).append('/').append(f.prefix()).append(" dev ").append(f.ifName())
                .append('\n');
        for (String ll : f.linkLocal()) {
            // dockerd's link-local addresses: 169.254/16 and fe80::/64
            b.append("addr add ").append(ll).append(ll.contains(":") ? "/64" : "/16").append(" dev ")
                    .append(f.ifName()).append(ll.contains(":") ? " nodad" : "").append('\n');
        }
        if (!f.ip6().isEmpty()) {
            // nodad: usable as soon as the process starts, as a fixed, leased address needs no detection
            b.append("addr add ").append(f.ip6()).append('/').append(f.prefix6()).append(" dev ").append(f.ifName())
                    .append(" nodad\n");
        }
        b.append("link set ").append(f.ifName()).append(" up\n");
        if (f.route()) {
            b.append("route replace default via ").append(f.gateway()).append(" dev ").append(f.ifName()).append('\n');
            if (!f.gateway6().isEmpty()) {
                b.append("route replace default via ").append(f.gateway6()).append(" dev ").append(f.ifName())
                        .append('\n');
            }
        }
        return b.toString();
    }

    private static void hostSide(List<Iface> ifaces) {
        StringBuilder b = new StringBuilder();
        for (Iface f : ifaces) {
            b.append("link set ").append(f.hostVeth()).append(" master ").append(f.bridge()).append('\n');
            // hairpin: a container reaching its own published port through a host address comes back on its port
            b.append("link set ").append(f.hostVeth()).append(" type bridge_slave hairpin on\n");
            b.append("link set ").append(f.hostVeth()).append(" up\n");
        }
        if (!b.isEmpty()) {
            Sh.run(List.of("ip", "-batch", "-"), b.toString());
        }
    }

    /** Deletes host veth ends (their peers go with them); missing ones are fine. */
    void deleteLinks(List<String> hostVeths) {
        List<String> present = new ArrayList<>();
        for (String v : hostVeths) {
            if (v != null && linkExists(v)) {
                present.add(v);
            }
        }
        if (!present.isEmpty()) {
            StringBuilder b = new StringBuilder();
            present.forEach(v -> b.append("link del ").append(v).append('\n'));
            Sh.tryRun(List.of("ip", "-force", "-batch", "-"), b.toString());
        }
    }

    /** Removes the veths, unmounts and deletes the namespace file. Idempotent. */
    void deleteNamespace(String containerId, List<String> hostVeths) {
        long t0 = Trace.start();
        deleteLinks(hostVeths);
        Trace.end("network", "veth-del", containerId, t0);
        Path ns = netnsPath(containerId);
        if (Files.exists(ns)) {
            Sh.tryRun(List.of("umount", "-l", ns.toString()), null);
            try {
                Files.deleteIfExists(ns);
            } catch (IOException e) {
                LOG.warning("cannot delete " + ns + ": " + e.getMessage());
            }
        }
    }

    /** Namespace files present (for stale-state cleanup at daemon start). */
    List<String> namespaces() {
        if (!Files.isDirectory(netnsDir)) {
            return List.of();
        }
        try (var s = Files.list(netnsDir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
