package io.pouch.daemon.network;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HostsEntriesTest {
    static EndpointRecord ep(String network, String ip) {
        return new EndpointRecord(network, network, "e", "eth0", "veth", ip, 24, "10.0.0.1", "m", List.of(), List.of());
    }

    static ContainerNet c(String id, String name, List<String> links, EndpointRecord... eps) {
        return new ContainerNet(id, name, "default", Map.of(), links, List.of(eps));
    }

    @Test
    void ownAddressThenLinkedContainersOnTheSameNetwork() {
        ContainerNet db = c("d".repeat(64), "db", List.of(), ep("n1", "10.0.0.3"), ep("n2", "10.1.0.3"));
        ContainerNet cache = c("cafe" + "0".repeat(60), "cache", List.of(), ep("n1", "10.0.0.4"));
        ContainerNet elsewhere = c("e".repeat(64), "far", List.of(), ep("n2", "10.1.0.5"));
        EndpointRecord mine = ep("n1", "10.0.0.2");
        ContainerNet web = c("w".repeat(64), "web", List.of("/db:/web/database", "cafe", "far:f", "ghost"), mine);
        assertEquals(List.of("10.0.0.2\tweb-host",
                        "10.0.0.3\tdatabase db dddddddddddd",
                        "10.0.0.4\tcafe cache cafe00000000"),
                HostsEntries.lines(web, mine, "web-host", List.of(db, cache, elsewhere, web)));
    }

    @Test
    void anAliasThatIsTheNameIsNotRepeated() {
        ContainerNet db = c("d".repeat(64), "db", List.of(), ep("n1", "10.0.0.3"));
        EndpointRecord mine = ep("n1", "10.0.0.2");
        ContainerNet web = c("w".repeat(64), "web", List.of("db:db"), mine);
        assertEquals(List.of("10.0.0.2\th", "10.0.0.3\tdb dddddddddddd"),
                HostsEntries.lines(web, mine, "h", List.of(db)));
    }
}
