package io.pouch.daemon.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.math.BigInteger;
import java.util.Map;

/**
 * A network as pouchd stores it (home/network/networks.json). Records written before a component existed read it
 * as null or false, which is what a network that did not ask for it has.
 *
 * @param driver        "bridge", "host" or "null" (Docker's driver names)
 * @param device        the Linux bridge for driver bridge, else ""
 * @param subnet        canonical CIDR, "" for host/null
 * @param gateway       gateway address without prefix ("" for host/null)
 * @param ipRange       the sub-range addresses are handed out from ("" = whole subnet)
 * @param aux           IPv4 {@code AuxiliaryAddresses}: never handed out
 * @param autoSubnet    whether the IPv4 subnet came from the default pools (then containers may not ask for an
 *                      address, as dockerd)
 * @param enableIpv6    whether endpoints get an IPv6 address too (then subnet6 and gateway6 are set)
 * @param subnet6       canonical IPv6 CIDR, "" without IPv6
 * @param gateway6      IPv6 gateway address, "" without IPv6
 * @param ipRange6      the IPv6 sub-range addresses are handed out from ("" = whole subnet6)
 * @param aux6          IPv6 {@code AuxiliaryAddresses}
 * @param ipamOptions   {@code IPAM.Options} as given
 * @param attachable    {@code Attachable} as given
 * @param adoptedBridge whether the device existed before the network (then it stays when the network goes)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NetworkRecord(String id, String name, String driver, String created, String device, String subnet,
                            String gateway, String ipRange, boolean internal, Map<String, String> labels,
                            Map<String, String> options, Map<String, String> aux, boolean autoSubnet,
                            boolean enableIpv6, String subnet6, String gateway6, String ipRange6,
                            Map<String, String> aux6, Map<String, String> ipamOptions, boolean attachable,
                            boolean adoptedBridge) {

    public NetworkRecord {
        ipRange = ipRange == null ? "" : ipRange;
        labels = labels == null ? Map.of() : labels;
        options = options == null ? Map.of() : options;
        aux = aux == null ? Map.of() : aux;
        subnet6 = subnet6 == null ? "" : subnet6;
        gateway6 = gateway6 == null ? "" : gateway6;
        ipRange6 = ipRange6 == null ? "" : ipRange6;
        aux6 = aux6 == null ? Map.of() : aux6;
        ipamOptions = ipamOptions == null ? Map.of() : ipamOptions;
    }

    /** An IPv4-only network with the default IPAM. */
    public NetworkRecord(String id, String name, String driver, String created, String device, String subnet,
                         String gateway, String ipRange, boolean internal, Map<String, String> labels,
                         Map<String, String> options) {
        this(id, name, driver, created, device, subnet, gateway, ipRange, internal, labels, options, Map.of(),
                false, false, "", "", "", Map.of(), Map.of(), false, false);
    }

    public boolean isBridge() {
        return "bridge".equals(driver);
    }

    /** The predefined "bridge" network: no DNS, no aliases, like Docker's default bridge. */
    public boolean isDefaultBridge() {
        return "bridge".equals(name) && isBridge();
    }

    public Cidr subnetCidr() {
        return Cidr.parse(subnet);
    }

    public int gatewayAddress() {
        return Cidr.parseAddress(gateway);
    }

    /** Where addresses are allocated from. */
    public Cidr poolCidr() {
        return ipRange == null || ipRange.isEmpty() ? subnetCidr() : Cidr.parse(ipRange);
    }

    /** Whether endpoints here get an IPv6 address. */
    public boolean hasIpv6() {
        return enableIpv6 && !subnet6.isEmpty();
    }

    public Cidr6 subnet6Cidr() {
        return Cidr6.parse(subnet6);
    }

    public BigInteger gateway6Address() {
        return Cidr6.parseAddress(gateway6);
    }

    /** Where IPv6 addresses are allocated from. */
    public Cidr6 pool6Cidr() {
        return ipRange6.isEmpty() ? subnet6Cidr() : Cidr6.parse(ipRange6);
    }
}
