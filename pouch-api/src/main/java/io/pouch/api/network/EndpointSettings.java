package io.pouch.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * A container's settings on one network, as container inspect ({@code NetworkSettings.Networks.<name>}) and the
 * container list show them, in Docker's field order. Null components are left out of the JSON: what was not asked
 * for ({@code IPAMConfig}, {@code Aliases}), links outside the default bridge, DNS names outside user networks.
 */
public record EndpointSettings(
        @JsonProperty("IPAMConfig") EndpointIpamConfig ipamConfig,
        @JsonProperty("Links") List<String> links,
        @JsonProperty("Aliases") List<String> aliases,
        @JsonProperty("MacAddress") String macAddress,
        @JsonProperty("DriverOpts") Map<String, String> driverOpts,
        @JsonProperty("NetworkID") String networkId,
        @JsonProperty("EndpointID") String endpointId,
        @JsonProperty("Gateway") String gateway,
        @JsonProperty("IPAddress") String ipAddress,
        @JsonProperty("IPPrefixLen") int ipPrefixLen,
        @JsonProperty("IPv6Gateway") String ipv6Gateway,
        @JsonProperty("GlobalIPv6Address") String globalIpv6Address,
        @JsonProperty("GlobalIPv6PrefixLen") int globalIpv6PrefixLen,
        @JsonProperty("DNSNames") List<String> dnsNames) {

    /** The addresses the client asked for on this network; null ones are left out. */
    public record EndpointIpamConfig(@JsonProperty("IPv4Address") String ipv4Address,
                                     @JsonProperty("IPv6Address") String ipv6Address,
                                     @JsonProperty("LinkLocalIPs") List<String> linkLocalIps) {
        public EndpointIpamConfig(String ipv4Address) {
            this(ipv4Address, null, null);
        }
    }
}
