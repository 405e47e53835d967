package io.pouch.daemon.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/**
 * What a client asked for one network at create or connect: {@code EndpointsConfig.<net>} (IPAMConfig.IPv4Address,
 * Aliases, MacAddress) with the network named by key.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EndpointConfig(String network, String ipv4Address, List<String> aliases, String macAddress) {
    public EndpointConfig {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ipv4Address = ipv4Address == null ? "" : ipv4Address;
        macAddress = macAddress == null ? "" : macAddress;
    }
}
