package io.pouch.daemon.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.Map;

/**
 * A network as pouchd stores it (home/network/networks.json).
 *
 * @param driver  "bridge", "host" or "null" (Docker's driver names)
 * @param device  the Linux bridge for driver bridge, else ""
 * @param subnet  canonical CIDR, "" for host/null
 * @param gateway gateway address without prefix ("" for host/null)
 * @param ipRange the sub-range addresses are handed out from ("" = whole subnet)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NetworkRecord(String id, String name, String driver, String created, String device, String subnet,
                            String gateway, String ipRange, boolean internal, Map<String, String> labels,
                            Map<String, String> options) {

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
}
