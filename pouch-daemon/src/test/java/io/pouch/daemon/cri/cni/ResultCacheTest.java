package io.pouch.daemon.cri.cni;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultCacheTest {
    @TempDir
    Path dir;

    private static ResultCache.Entry entry(String network, String id, String ifName) throws Exception {
        ObjectNode config = (ObjectNode) Json.MAPPER.readTree("{\"name\":\"" + network
                + "\",\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"bridge\"}]}");
        ObjectNode caps = (ObjectNode) Json.MAPPER.readTree("{\"portMappings\":[]}");
        return new ResultCache.Entry(network, id, ifName, config, caps,
                Json.MAPPER.readTree("{\"ips\":[{\"address\":\"10.1.0.2/24\"}]}"));
    }

    @Test
    void keysAreLibcnis() {
        assertEquals("pouch-cni-abc-eth0", ResultCache.key("pouch-cni", "abc", "eth0"));
        assertEquals(dir.resolve("results/pouch-cni-abc-eth0"), new ResultCache(dir).path("pouch-cni", "abc", "eth0"));
    }

    @Test
    void anEntryIsWrittenReadAndRemoved() throws Exception {
        ResultCache c = new ResultCache(dir);
        ResultCache.Entry e = entry("pouch-cni", "abc", "eth0");
        c.put(e);
        assertTrue(Files.exists(dir.resolve("results/pouch-cni-abc-eth0")));
        assertEquals(e, c.get("pouch-cni", "abc", "eth0").orElseThrow());
        assertEquals(e, c.find("abc", "eth0").orElseThrow());
        assertTrue(c.find("abc", "lo").isEmpty());
        c.remove("pouch-cni", "abc", "eth0");
        c.remove("pouch-cni", "abc", "eth0");
        assertTrue(c.find("abc", "eth0").isEmpty());
        assertTrue(c.get("pouch-cni", "abc", "eth0").isEmpty());
    }

    @Test
    void findReadsTheNamesFromTheFilesNotTheirNames() throws Exception {
        ResultCache c = new ResultCache(dir);
        // "net-b-c-eth0" is network "net" and container "b-c", or network "net-b" and container "c"
        c.put(entry("net", "b-c", "eth0"));
        assertTrue(c.find("c", "eth0").isEmpty());
        assertEquals("net", c.find("b-c", "eth0").orElseThrow().networkName());
        c.put(entry("net-b", "c", "eth0"));
        assertEquals("net-b", c.find("c", "eth0").orElseThrow().networkName());
        assertTrue(c.find("b-c", "eth0").isEmpty());
    }

    @Test
    void aForeignOrTornFileIsAsNothingCached() throws Exception {
        Files.createDirectories(dir.resolve("results"));
        Files.writeString(dir.resolve("results/n-abc-eth0"), "{\"kind\":\"cniCacheV1\",\"config\":\"e30=\"}");
        assertFalse(new ResultCache(dir).find("abc", "eth0").isPresent());
        Files.writeString(dir.resolve("results/n-abc-eth0"), "{\"kind\":");
        assertFalse(new ResultCache(dir).find("abc", "eth0").isPresent());
    }
}
