package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import io.pouch.daemon.query.Filters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Removal and pruning of networks, without root (the networks here have no device on the host). */
class NetworksTest {
    @TempDir
    Path dir;
    NetworkSide side;

    @BeforeEach
    void wire() {
        side = new NetworkSide(dir);
    }

    List<String> stored() throws Exception {
        return NetworkStore.read(dir.resolve("home/network")).stream().map(NetworkRecord::name).sorted().toList();
    }

    NetworkRecord user(String id, String name, Map<String, String> labels) {
        NetworkRecord n = new NetworkRecord(id, name, "bridge", "t", "ptest-nodev-" + name.charAt(0), "10.240."
                + name.length() + ".0/24", "10.240." + name.length() + ".1", "", false, labels, Map.of());
        side.store.put(n);
        return n;
    }

    @Test
    void predefinedNetworksCannotBeRemoved() {
        PouchException e = assertThrows(PouchException.class, () -> side.networks.remove("bridge"));
        assertEquals(403, e.status());
        assertEquals("bridge is a pre-defined network and cannot be removed", e.getMessage());
        assertEquals(404, assertThrows(PouchException.class, () -> side.networks.remove("nope")).status());
    }

    @Test
    void aNetworkWithEndpointsCannotBeRemoved() {
        EndpointRecord e = new EndpointRecord(NetworkSide.WEB_ID, "web", "e", "eth0", "v", "10.232.0.2", 24,
                "10.232.0.1", "m", List.of(), List.of());
        side.containers.put(new ContainerNet("c1", "one", "web", Map.of(), List.of(), List.of(e)));
        PouchException ex = assertThrows(PouchException.class, () -> side.networks.remove("web"));
        assertEquals(409, ex.status());
        assertEquals("error while removing network: network web id " + NetworkSide.WEB_ID + " has active endpoints",
                ex.getMessage());
    }

    @Test
    void removeForgetsTheNetworkItsLeasesAndSaysSo() throws Exception {
        side.ipam.allocate(side.web, "", "stale");
        side.networks.remove(NetworkSide.WEB_ID.substring(0, 6));
        assertNull(side.store.byName("web"));
        assertEquals(List.of("bridge", "host"), stored());
        assertEquals(Map.of(), side.ipam.leases(NetworkSide.WEB_ID));
        assertEquals(List.of("destroy web"), side.actions());
    }

    @Test
    void pruneRemovesUnwantedUserNetworksThatPassTheLabelFilter() throws Exception {
        user("c".repeat(64), "keep-wanted", Map.of("tier", "front"));
        user("d".repeat(64), "other", Map.of("tier", "back"));
        side.containers.put(new ContainerNet("c1", "stopped", "keep-wanted",
                Map.of("c".repeat(64), new EndpointConfig("keep-wanted", "", List.of(), "")), List.of(), List.of()));
        assertEquals(List.of("web"), side.networks.prune(Filters.parse("{\"label\":{\"tier=front\":true}}")));
        assertEquals(List.of("other"), side.networks.prune(Filters.NONE));
        assertEquals(List.of("bridge", "host", "keep-wanted"), stored());
        assertEquals(List.of("destroy web", "destroy other"), side.actions());
    }

    @Test
    void pruneRefusesAnUnknownFilterBeforeRemovingAnything() {
        PouchException e = assertThrows(PouchException.class,
                () -> side.networks.prune(Filters.parse("{\"driver\":{\"bridge\":true}}")));
        assertEquals(400, e.status());
        assertEquals("web", side.store.byName("web").name());
    }

    @Test
    void listAndFind() {
        assertEquals(List.of("web"), side.networks.list(Filters.parse("{\"type\":{\"custom\":true}}")).stream()
                .map(NetworkRecord::name).toList());
        assertEquals(NetworkSide.WEB_ID, side.networks.find("web").id());
    }
}
