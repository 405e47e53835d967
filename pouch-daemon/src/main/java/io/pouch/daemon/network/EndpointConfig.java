package io.pouch.daemon.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/**
 * What a client asked for one network at create or connect: {@code EndpointsConfig.<net>} (IPAMConfig.IPv4Address,
 * IPAMConfig.IPv6Address, IPAMConfig.LinkLocalIPs, Aliases, MacAddress) with the network named by key.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EndpointConfig(String network, String ipv4Address, List<String> aliases, String macAddress,
                             String ipv6Address, List<String> linkLocalIps) {
    public EndpointConfig {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ipv4Address = ipv4Address == null ? "" : ipv4Address;
        macAddress = macAddress == null ? "" : macAddress;
        ipv6Address = ipv6Address == null ? "" : ipv6Address;
        linkLocalIps = linkLocalIps == null ? List.of() : List.copyOf(linkLocalIps);
    }

    /** Without IPv6 or link-local addresses. */
    public EndpointConfig(String network, String ipv4Address, List<String> aliases, String macAddress) {
        this(network, ipv4Address, aliases, macAddress, "", List.of());
    }

    /** The same settings for the network named n. */
    EndpointConfig on(String n) {
        return new EndpointConfig(n, ipv4Address, aliases, macAddress, ipv6Address, linkLocalIps);
    }

    /** The same settings with this MAC address. */
    EndpointConfig withMac(String mac) {
        return new EndpointConfig(network, ipv4Address, aliases, mac, ipv6Address, linkLocalIps);
    }
}
