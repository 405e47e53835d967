package io.pouch.daemon.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Map;

/**
 * A container as the network manager knows it (home/network/containers/&lt;id&gt;.json): the networks it wants
 * (by network id, with what was asked for each) and, while it runs, its live endpoints.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record ContainerNet(String id, String name, String mode, Map<String, EndpointConfig> wanted, List<String> links,
                    List<EndpointRecord> active) {
    ContainerNet {
        wanted = wanted == null ? Map.of() : Map.copyOf(wanted);
        links = links == null ? List.of() : List.copyOf(links);
        active = active == null ? List.of() : List.copyOf(active);
    }

    ContainerNet withActive(List<EndpointRecord> a) {
        return new ContainerNet(id, name, mode, wanted, links, a);
    }

    ContainerNet withWanted(Map<String, EndpointConfig> w) {
        return new ContainerNet(id, name, mode, w, links, active);
    }

    ContainerNet withName(String n) {
        return new ContainerNet(id, n, mode, wanted, links, active);
    }
}
