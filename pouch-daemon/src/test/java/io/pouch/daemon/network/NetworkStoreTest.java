package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import io.pouch.daemon.query.Filters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkStoreTest {
    @TempDir
    Path dir;
    NetworkStore store;

    static NetworkRecord net(String id, String name, String driver, Map<String, String> labels) {
        return new NetworkRecord(id, name, driver, "t", driver.equals("bridge") ? "br-" + name : "", "", "", "",
                false, labels, Map.of());
    }

    @BeforeEach
    void networks() {
        store = new NetworkStore(dir);
        store.put(net("b0000001", "bridge", "bridge", Map.of()));
        store.put(net("h0000001", "host", "host", Map.of()));
        store.put(net("n0000001", "none", "null", Map.of()));
        store.put(net("abc12345", "web", "bridge", Map.of("tier", "front")));
        store.put(net("abd67890", "db", "bridge", Map.of("tier", "back", "backup", "")));
    }

    static List<String> names(List<NetworkRecord> l) {
        return l.stream().map(NetworkRecord::name).toList();
    }

    static Filters f(String json) {
        return Filters.parse(json);
    }

    @Test
    void findsByIdNameOrUniquePrefix() {
        assertEquals("web", store.find("abc12345").name());
        assertEquals("abc12345", store.find("web").id());
        assertEquals("db", store.find("abd").name());
        PouchException ambiguous = assertThrows(PouchException.class, () -> store.find("ab"));
        assertEquals(400, ambiguous.status());
        assertEquals("network ab is ambiguous (2 matches found)", ambiguous.getMessage());
        PouchException missing = assertThrows(PouchException.class, () -> store.find("nope"));
        assertEquals(404, missing.status());
        assertEquals("network nope not found", missing.getMessage());
        assertEquals(404, assertThrows(PouchException.class, () -> store.find("")).status());
    }

    @Test
    void aNameWinsOverAnIdPrefix() {
        store.put(net("webbbbbb", "other", "bridge", Map.of()));
        assertEquals("abc12345", store.find("web").id());
    }

    @Test
    void listIsByName() {
        assertEquals(List.of("bridge", "db", "host", "none", "web"), names(store.list(Filters.NONE)));
    }

    @Test
    void listFilters() {
        assertEquals(List.of("db", "web"), names(store.list(f("{\"name\":{\"we\":true,\"db\":true}}"))));
        assertEquals(List.of("db", "web"), names(store.list(f("{\"id\":{\"ab\":true}}"))));
        assertEquals(List.of("bridge", "db", "web"), names(store.list(f("{\"driver\":{\"bridge\":true}}"))));
        assertEquals(List.of("web"), names(store.list(f("{\"label\":{\"tier=front\":true}}"))));
        assertEquals(List.of("db"), names(store.list(f("{\"label\":{\"backup\":true,\"tier\":true}}"))));
        assertEquals(List.of("bridge", "host", "none"), names(store.list(f("{\"type\":{\"builtin\":true}}"))));
        assertEquals(List.of("db", "web"), names(store.list(f("{\"type\":{\"custom\":true}}"))));
        assertEquals(5, store.list(f("{\"scope\":{\"local\":true}}")).size());
        assertEquals(0, store.list(f("{\"scope\":{\"swarm\":true}}")).size());
        assertEquals(5, store.list(f("{\"dangling\":{\"true\":true}}")).size());
    }

    @Test
    void anUnknownListFilterIs400() {
        PouchException e = assertThrows(PouchException.class, () -> store.list(f("{\"color\":{\"red\":true}}")));
        assertEquals(400, e.status());
        assertEquals("invalid filter 'color'", e.getMessage());
    }

    @Test
    void savesAndLoads() throws Exception {
        store.save();
        assertTrue(Files.exists(dir.resolve("networks.json")));
        NetworkStore again = new NetworkStore(dir);
        again.load();
        assertEquals(names(store.sorted()), names(again.sorted()));
        assertEquals(Map.of("tier", "front"), again.find("web").labels());
        assertEquals(5, NetworkStore.read(dir).size());
        store.remove("abc12345");
        assertNull(store.get("abc12345"));
        assertNull(store.byName("web"));
        store.save();
        assertEquals(4, NetworkStore.read(dir).size());
    }

    @Test
    void nothingStoredReadsAsNoNetworks() throws Exception {
        assertEquals(List.of(), NetworkStore.read(dir.resolve("missing")));
        NetworkStore empty = new NetworkStore(dir.resolve("missing"));
        empty.load();
        assertEquals(List.of(), empty.sorted());
    }

    @Test
    void predefinedNames() {
        assertTrue(NetworkStore.isPredefined("bridge"));
        assertTrue(NetworkStore.isPredefined("none"));
        assertTrue(!NetworkStore.isPredefined("web"));
    }
}
