package io.pouch.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * A network as {@code GET /networks/{id}} and each element of {@code GET /networks} show it, in Docker's field
 * order. Null components are left out of the JSON (the shared mapper writes no nulls).
 */
public record NetworkInspect(
        @JsonProperty("Name") String name,
        @JsonProperty("Id") String id,
        @JsonProperty("Created") String created,
        @JsonProperty("Scope") String scope,
        @JsonProperty("Driver") String driver,
        @JsonProperty("EnableIPv4") boolean enableIpv4,
        @JsonProperty("EnableIPv6") boolean enableIpv6,
        @JsonProperty("IPAM") Ipam ipam,
        @JsonProperty("Internal") boolean internal,
        @JsonProperty("Attachable") boolean attachable,
        @JsonProperty("Ingress") boolean ingress,
        @JsonProperty("ConfigFrom") ConfigReference configFrom,
        @JsonProperty("ConfigOnly") boolean configOnly,
        @JsonProperty("Containers") Map<String, EndpointResource> containers,
        @JsonProperty("Options") Map<String, String> options,
        @JsonProperty("Labels") Map<String, String> labels) {

    /** Address management: the driver, its options as given and one entry per subnet. */
    public record Ipam(@JsonProperty("Driver") String driver,
                       @JsonProperty("Options") Map<String, String> options,
                       @JsonProperty("Config") List<IpamConfig> config) {
    }

    /**
     * One subnet; {@code ipRange} is null (left out) when addresses come from the whole subnet,
     * {@code auxiliaryAddresses} null when none were given.
     */
    public record IpamConfig(@JsonProperty("Subnet") String subnet,
                             @JsonProperty("IPRange") String ipRange,
                             @JsonProperty("Gateway") String gateway,
                             @JsonProperty("AuxiliaryAddresses") Map<String, String> auxiliaryAddresses) {
        public IpamConfig(String subnet, String ipRange, String gateway) {
            this(subnet, ipRange, gateway, null);
        }
    }

    /** The network a config-only network's settings come from ("" for none). */
    public record ConfigReference(@JsonProperty("Network") String network) {
    }

    /** One container attached to the network. */
    public record EndpointResource(@JsonProperty("Name") String name,
                                   @JsonProperty("EndpointID") String endpointId,
                                   @JsonProperty("MacAddress") String macAddress,
                                   @JsonProperty("IPv4Address") String ipv4Address,
                                   @JsonProperty("IPv6Address") String ipv6Address) {
    }
}
