package io.pouch.daemon.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/**
 * A container's attachment to one network while it runs (the {@code active} list of its {@link ContainerNet}
 * record, home/network/containers/&lt;id&gt;.json). Everything needed to undo it exactly is here: the host veth,
 * the address lease, the port rules.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EndpointRecord(String networkId, String networkName, String endpointId, String ifName,
                             String hostVeth, String ip, int prefix, String gateway, String mac,
                             List<String> aliases, List<PortMapping> ports) {

    /** The same endpoint with these published ports. */
    EndpointRecord withPorts(List<PortMapping> published) {
        return new EndpointRecord(networkId, networkName, endpointId, ifName, hostVeth, ip, prefix, gateway, mac,
                aliases, published);
    }
}
