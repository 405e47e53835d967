package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.HostConfig;
import io.pouch.api.container.NetworkMode;

import java.math.BigInteger;
import java.util.Map;
import java.util.function.Function;

/**
 * A container's network mode ({@code default}, {@code bridge}, {@code host}, {@code none}, a network's name or id,
 * {@code container:<name|id>}) and the checks dockerd makes on it and on the endpoint settings at create, with
 * dockerd's messages.
 */
final class NetworkModes {
    private static final String CONTAINER_PREFIX = "container:";

    /** Network reference to network (404 when unknown). */
    private final Function<String, NetworkRecord> find;

    NetworkModes(Function<String, NetworkRecord> find) {
        this.find = find;
    }

    /** The network a mode names: {@code bridge} for an empty mode or {@code default}. */
    static String networkName(String mode) {
        return mode == null || mode.isEmpty() || mode.equals("default") ? "bridge" : mode;
    }

    /** The container a {@code container:<name|id>} mode names; null for any other mode. */
    static String joinedContainer(String mode) {
        return NetworkMode.parse(mode).joinedContainer();
    }

    /** The networks a mode names must exist; user-given addresses are only for user networks. At create. */
    void validate(String mode, NetworkRequest req, Map<String, Object> portBindings, Map<String, Object> exposed,
                  boolean publishAll) {
        if (mode.startsWith(CONTAINER_PREFIX)) {
            return; // validateContainerMode
        }
        Map<String, EndpointConfig> extras = req.extras(mode);
        if (!extras.isEmpty()) {
            checkExtras(mode, extras);
        }
        NetworkRecord n;
        try {
            n = find.apply(networkName(mode));
        } catch (PouchException e) {
            // as dockerd: an unknown network fails the start, not the create (a 404 at create would make the
            // docker CLI take it for a missing image and try to pull)
            return;
        }
        EndpointConfig ec = req.forMode(mode);
        checkEndpoint(n, ec);
        for (PortSpecs.Request r : PortSpecs.requests(portBindings, exposed, publishAll)) {
            if (Cidr6.isV6(r.hostIp()) && !n.hasIpv6()) {
                // without IPv6 on the network only a userland proxy could forward it, and pouchd runs none
                throw PouchException.invalidArgument("invalid HostIp " + r.hostIp() + " of " + r.containerPort() + "/"
                        + r.proto() + ": publishing on an IPv6 address needs a network with IPv6 (EnableIPv6)");
            }
        }
        for (String l : req.links()) {
            if (!n.isDefaultBridge()) {
                break;
            }
            if (l.isEmpty()) {
                throw PouchException.invalidArgument("invalid link: empty");
            }
        }
    }

    /**
     * More networks than the mode's at create (API 1.44+): each a bridge network, as is the mode's, with what it
     * asks for checked as at connect. An unknown one fails the start, as the mode's does.
     */
    private void checkExtras(String mode, Map<String, EndpointConfig> extras) {
        NetworkRecord m = null;
        try {
            m = find.apply(networkName(mode));
        } catch (PouchException e) {
            // reported at start
        }
        for (Map.Entry<String, EndpointConfig> e : extras.entrySet()) {
            NetworkRecord n;
            try {
                n = find.apply(e.getKey());
            } catch (PouchException unknown) {
                continue;
            }
            if (!n.isBridge() || m != null && !m.isBridge()) {
                throw PouchException.invalidArgument("conflicting options: cannot attach both user-defined and"
                        + " non-user-defined network-modes");
            }
            checkEndpoint(n, e.getValue());
        }
    }

    /**
     * What a container may ask for on network n, at create and at connect, with dockerd's messages: addresses only
     * on a user network whose subnet the client gave (an IPv6 one on a network with IPv6), inside that subnet;
     * link-local addresses that are IP addresses; aliases only on user networks.
     */
    static void checkEndpoint(NetworkRecord n, EndpointConfig ec) {
        boolean userNet = n.isBridge() && !n.isDefaultBridge();
        if (!ec.ipv4Address().isEmpty() || !ec.ipv6Address().isEmpty()) {
            if (!userNet) {
                throw PouchException.invalidArgument("user specified IP address is supported on user defined networks"
                        + " only");
            }
            if (!ec.ipv4Address().isEmpty() && n.autoSubnet() || !ec.ipv6Address().isEmpty() && !n.hasIpv6()) {
                throw PouchException.invalidArgument("user specified IP address is supported only when connecting to"
                        + " networks with user configured subnets");
            }
        }
        if (!ec.ipv4Address().isEmpty()) {
            Integer a = Cidr.parseAddress(ec.ipv4Address());
            if (a == null) {
                throw PouchException.invalidArgument("invalid IPv4 address: " + ec.ipv4Address());
            }
            if (!n.subnetCidr().contains(a)) {
                throw PouchException.invalidArgument("no configured subnet or ip-range contain the IP address "
                        + ec.ipv4Address());
            }
        }
        if (!ec.ipv6Address().isEmpty()) {
            BigInteger a = Cidr6.parseAddress(ec.ipv6Address());
            if (a == null) {
                throw PouchException.invalidArgument("invalid IPv6 address: " + ec.ipv6Address());
            }
            if (!n.subnet6Cidr().contains(a)) {
                throw PouchException.invalidArgument("no configured subnet or ip-range contain the IP address "
                        + ec.ipv6Address());
            }
        }
        for (String ll : ec.linkLocalIps()) {
            if (Cidr.parseAddress(ll) == null && Cidr6.parseAddress(ll) == null) {
                throw PouchException.invalidArgument("invalid link-local IP address: " + ll);
            }
        }
        if (!ec.linkLocalIps().isEmpty() && !n.isBridge()) {
            throw PouchException.invalidArgument("link-local IP addresses are supported on bridge networks only");
        }
        if (!ec.aliases().isEmpty() && n.isDefaultBridge()) {
            throw PouchException.invalidArgument("network-scoped alias is supported only for containers in user"
                    + " defined networks");
        }
        if (!ec.macAddress().isEmpty() && !ec.macAddress().matches("(?i)([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
            throw PouchException.invalidArgument("invalid MAC address: " + ec.macAddress());
        }
    }

    /**
     * {@code container:<name|id>} shares that container's namespace, names and files: what would configure a network
     * of its own is refused, with dockerd's messages (runconfig's validateNetContainerMode), in dockerd's order.
     */
    static void validateContainerMode(ContainerConfig cfg, HostConfig hc, NetworkRequest req) {
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
        if (!ec.ipv4Address().isEmpty() || !ec.ipv6Address().isEmpty() || !ec.linkLocalIps().isEmpty()) {
            throw PouchException.invalidArgument("user specified IP address is supported on user defined networks"
                    + " only");
        }
    }
}
