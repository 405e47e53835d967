package io.pouch.client;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PouchClientUnitTest {
    @Test
    void parsesHosts() {
        assertEquals("unix:///var/run/pouchd.sock", DaemonHost.parse(null).toString());
        assertEquals("unix:///tmp/x.sock", DaemonHost.parse("unix:///tmp/x.sock").toString());
        assertEquals("tcp://127.0.0.1:2375", DaemonHost.parse("tcp://127.0.0.1").toString());
        assertEquals("tcp://example:4243", DaemonHost.parse("example:4243").toString());
        assertThrows(IllegalArgumentException.class, () -> DaemonHost.parse("unix://"));
        assertThrows(IllegalArgumentException.class, () -> DaemonHost.parse("ssh://host"));
    }

    @Test
    void encodesQueries() {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("all", true);
        q.put("skip", null);
        q.put("names", List.of("a:1", "b/c"));
        q.put("filters", "{\"name\":{\"x\":true}}");
        assertEquals("/containers/json?all=1&names=a%3A1&names=b%2Fc&filters=%7B%22name%22%3A%7B%22x%22%3Atrue%7D%7D",
                PouchClient.uri("/containers/json", q));
    }

    @Test
    void escapesPathSegments() {
        assertEquals("registry:5000/ns/app:1", PouchClient.escape("registry:5000/ns/app:1"));
        assertEquals("a%20b%3Fc", PouchClient.escape("a b?c"));
        assertEquals("%2E%2E/x", PouchClient.escape("../x"));
    }

    @Test
    void negotiatesVersionsNumerically() {
        assertTrue(PouchClient.compareVersions("1.9", "1.10") < 0);
        assertEquals(0, PouchClient.compareVersions("1.47", "1.47"));
        assertTrue(PouchClient.compareVersions("1.51", "1.47") > 0);
    }

    @Test
    void errorsCarryTheDaemonsMessage() {
        PouchClientException e = PouchClient.error(404, "{\"message\":\"No such container: x\"}\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(404, e.status());
        assertEquals("No such container: x", e.getMessage());
        assertEquals("plain text", PouchClient.error(500, "plain text\n".getBytes(StandardCharsets.UTF_8)).getMessage());
        assertTrue(PouchClient.error(502, new byte[0]).getMessage().contains("502"));
    }
}
