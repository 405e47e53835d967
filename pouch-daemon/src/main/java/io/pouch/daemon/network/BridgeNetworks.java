package io.pouch.daemon.network;

import io.pouch.daemon.config.BridgeConfig;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.logging.Logger;

/**
 * The host side of bridge networks: the Linux bridge, the network's iptables rules, and on user networks the
 * embedded DNS server on the gateway address. Callers hold the network lock.
 */
final class BridgeNetworks {
    private static final Logger LOG = Logger.getLogger(BridgeNetworks.class.getName());

    private final DataPlane plane;
    private final Firewall firewall;
    private final BridgeConfig bridgeConfig;
    /** Network id and name to the address of a container there (see {@link ContainerNets#resolve}). */
    private final BiFunction<String, String, String> resolver;
    private final Map<String, DnsServer> dns = new ConcurrentHashMap<>();

    BridgeNetworks(DataPlane plane, Firewall firewall, BridgeConfig bridgeConfig,
                   BiFunction<String, String, String> resolver) {
        this.plane = plane;
        this.firewall = firewall;
        this.bridgeConfig = bridgeConfig;
        this.resolver = resolver;
    }

    /** At daemon start: our iptables chains empty again, then every bridge network brought up. */
    void start(Collection<NetworkRecord> networks) {
        firewall.reset();
        for (NetworkRecord n : networks) {
            if (n.isBridge()) {
                bringUp(n);
            }
        }
    }

    /** The bridge up with its address and MTU, the network's rules in place, a DNS server on user networks. */
    void bringUp(NetworkRecord n) {
        Cidr subnet = n.subnetCidr();
        plane.ensureBridge(n.device(), n.gateway(), subnet.prefix(), n.hasIpv6() ? n.gateway6() : "",
                n.hasIpv6() ? n.subnet6Cidr().prefix() : 0, mtu(n), bridgeConfig.ipForward());
        if (!BridgeOptions.of(n).icc()) {
            // bridged traffic between the network's containers must pass iptables for enable_icc=false to drop it
            plane.ensureBridgeNetfilter(n.hasIpv6());
        }
        firewall.add(firewall.networkRules(n));
        if (!n.isDefaultBridge()) {
            try {
                dns.put(n.id(), DnsServer.start(n.gateway(), name -> resolver.apply(n.id(), name)));
            } catch (RuntimeException e) {
                LOG.warning("no DNS server on network " + n.name() + ": " + e.getMessage());
            }
        }
    }

    /**
     * Undoes {@link #bringUp}: DNS server, rules and bridge go. A bridge that existed before the network stays,
     * with its addresses, as dockerd leaves it.
     */
    void teardown(NetworkRecord n) {
        DnsServer d = dns.remove(n.id());
        if (d != null) {
            d.close();
        }
        firewall.delete(firewall.networkRules(n));
        if (!n.adoptedBridge()) {
            plane.deleteBridge(n.device());
        }
    }

    /** Whether network id has a DNS server of ours (containers there get its address as nameserver). */
    boolean servesDns(String networkId) {
        return dns.containsKey(networkId);
    }

    /** The default bridge's is the daemon's --mtu; a user network's its driver option (1500 without), as dockerd. */
    private int mtu(NetworkRecord n) {
        if (n.isDefaultBridge()) {
            return bridgeConfig.mtu();
        }
        return BridgeOptions.of(n).mtu();
    }

    /** Stops every DNS server (daemon stop); bridges and rules stay for the containers that keep running. */
    void close() {
        dns.values().forEach(DnsServer::close);
        dns.clear();
    }
}
