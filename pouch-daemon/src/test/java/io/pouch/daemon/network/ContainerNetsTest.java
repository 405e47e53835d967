package io.pouch.daemon.network;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContainerNetsTest {
    @TempDir
    Path dir;

    static EndpointRecord ep(String network, String ip, List<String> aliases, PortMapping... ports) {
        return new EndpointRecord(network, network, "e-" + ip, "eth0", "veth", ip, 24, "10.0.0.1", "m", aliases,
                List.of(ports));
    }

    static ContainerNet c(String id, String name, List<String> wanted, EndpointRecord... eps) {
        Map<String, EndpointConfig> w = new LinkedHashMap<>();
        wanted.forEach(n -> w.put(n, new EndpointConfig(n, "", List.of(), "")));
        return new ContainerNet(id, name, "default", w, List.of(), List.of(eps));
    }

    ContainerNets store() {
        ContainerNets s = new ContainerNets(dir.resolve("containers"));
        s.put(c("c1", "web", List.of("n1", "n2"), ep("n1", "10.0.0.2", List.of("api", "c1short")),
                ep("n2", "10.1.0.2", List.of(), new PortMapping("tcp", 80, "", 8080))));
        s.put(c("c2", "db", List.of("n1"), ep("n1", "10.0.0.3", List.of())));
        s.put(c("c3", "stopped", List.of("n3")));
        return s;
    }

    @Test
    void resolvesNamesAndAliasesPerNetwork() {
        ContainerNets s = store();
        assertEquals("10.0.0.2", s.resolve("n1", "web"));
        assertEquals("10.0.0.2", s.resolve("n1", "WEB."));
        assertEquals("10.0.0.2", s.resolve("n1", "api"));
        assertEquals("10.0.0.3", s.resolve("n1", "db"));
        assertEquals("10.1.0.2", s.resolve("n2", "web"));
        assertNull(s.resolve("n2", "db"));
        assertNull(s.resolve("n3", "stopped"));
    }

    @Test
    void attachedWantedPortsAndLeases() {
        ContainerNets s = store();
        assertEquals(List.of("c1", "c2"), s.attached("n1").keySet().stream().sorted().toList());
        assertEquals("10.1.0.2", s.attached("n2").get("c1").ip());
        assertTrue(s.wanted("n3"));
        assertFalse(s.wanted("n4"));
        assertEquals(List.of(new PortMapping("tcp", 80, "", 8080)), s.publishedPorts());
        assertEquals(Map.of("n1", Map.of("10.0.0.2", "c1", "10.0.0.3", "c2"), "n2", Map.of("10.1.0.2", "c1")),
                s.liveLeases());
        assertEquals("web", s.name("c1"));
        assertEquals("", s.name("nope"));
    }

    @Test
    void savesLoadsAndDeletes() throws Exception {
        ContainerNets s = new ContainerNets(dir.resolve("containers"));
        ContainerNet web = c("c1", "web", List.of("n1"), ep("n1", "10.0.0.2", List.of()));
        s.save(web);
        Files.writeString(dir.resolve("containers/broken.json"), "{");
        ContainerNets again = new ContainerNets(dir.resolve("containers"));
        again.load(); // the unreadable record is skipped
        assertEquals(web, again.get("c1"));
        assertEquals(1, again.all().size());
        // put is memory only, write is disk only
        again.put(web.withName("renamed"));
        ContainerNets third = new ContainerNets(dir.resolve("containers"));
        third.load();
        assertEquals("web", third.get("c1").name());
        again.write(web.withActive(List.of()));
        assertEquals("renamed", again.get("c1").name());
        ContainerNets fourth = new ContainerNets(dir.resolve("containers"));
        fourth.load();
        assertEquals(List.of(), fourth.get("c1").active());
        again.delete("c1");
        assertFalse(Files.exists(dir.resolve("containers/c1.json")));
        again.delete("c1"); // idempotent
    }
}
