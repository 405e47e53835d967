package io.pouch.daemon.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/**
 * A container's attachment to one network while it runs (the {@code active} list of its {@link ContainerNet}
 * record, home/network/containers/&lt;id&gt;.json). Everything needed to undo it exactly is here: the host veth,
 * the address leases, the port rules.
 *
 * @param ip6       the IPv6 address on a network with IPv6, else ""
 * @param linkLocal the link-local addresses the client asked for ({@code IPAMConfig.LinkLocalIPs})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EndpointRecord(String networkId, String networkName, String endpointId, String ifName,
                             String hostVeth, String ip, int prefix, String gateway, String mac,
                             List<String> aliases, List<PortMapping> ports, String ip6, int prefix6,
                             String gateway6, List<String> linkLocal) {

    public EndpointRecord {
        ip6 = ip6 == null ? "" : ip6;
        gateway6 = gateway6 == null ? "" : gateway6;
        linkLocal = linkLocal == null ? List.of() : List.copyOf(linkLocal);
    }

    /** An IPv4-only endpoint. */
    public EndpointRecord(String networkId, String networkName, String endpointId, String ifName, String hostVeth,
                          String ip, int prefix, String gateway, String mac, List<String> aliases,
                          List<PortMapping> ports) {
        this(networkId, networkName, endpointId, ifName, hostVeth, ip, prefix, gateway, mac, aliases, ports, "", 0,
                "", List.of());
    }

    /** The same endpoint with these published ports. */
    EndpointRecord withPorts(List<PortMapping> published) {
        return new EndpointRecord(networkId, networkName, endpointId, ifName, hostVeth, ip, prefix, gateway, mac,
                aliases, published, ip6, prefix6, gateway6, linkLocal);
    }

    /** The interface to create for it in the container. */
    DataPlane.Iface iface(boolean route, String bridge) {
        return new DataPlane.Iface(ifName, hostVeth, mac, ip, prefix, gateway, route, bridge, ip6, prefix6, gateway6,
                linkLocal);
    }
}
