package io.pouch.daemon.volume;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.daemon.api.TestExchange;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.events.EventBus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The volume endpoints over an in-memory exchange, with a real manager on local volumes in a temporary home. */
class VolumeRoutesTest {
    @TempDir
    Path tmp;
    VolumeManager volumes;
    final Router router = new Router();

    @BeforeEach
    void start() throws Exception {
        DaemonConfig cfg = new DaemonConfig(tmp.resolve("home"), tmp.resolve("run"), List.of(), null, null, "t", false,
                "json-file", Map.of(), "runc", "p0", null);
        volumes = new VolumeManager(cfg, new EventBus(),
                new PluginDrivers(List.of(tmp.resolve("plugins")), List.of(tmp.resolve("specs"))));
        volumes.start();
        new VolumeRoutes(volumes).register(router);
    }

    TestExchange call(String method, String uri) {
        return TestExchange.request(method, uri).send(router);
    }

    TestExchange create(String body) {
        return TestExchange.request("POST", "/v1.44/volumes/create").body(body).send(router);
    }

    static String filters(String json) {
        return URLEncoder.encode(json, StandardCharsets.UTF_8);
    }

    static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.get("Volumes").forEach(v -> names.add(v.get("Name").asText()));
        return names;
    }

    @Test
    void createAnswers201WithTheVolume() {
        TestExchange x = create("{\"Name\":\"data\",\"Labels\":{\"team\":\"a\"},\"Unknown\":1}");
        assertEquals(201, x.status());
        assertEquals("application/json", x.contentType());
        JsonNode v = x.json();
        assertEquals("data", v.get("Name").asText());
        assertEquals("local", v.get("Driver").asText());
        assertEquals("a", v.get("Labels").get("team").asText());
        assertEquals("local", v.get("Scope").asText());
        assertTrue(Files.isDirectory(Path.of(v.get("Mountpoint").asText())));
        assertTrue(x.text().endsWith("}\n"));
    }

    @Test
    void createWithoutABodyOrWithBadJsonIs400() {
        TestExchange empty = create("");
        assertEquals(400, empty.status());
        assertEquals("a JSON body is required: {\"Name\": ..., \"Driver\": ...}", empty.message());
        TestExchange bad = create("{\"Name\":");
        assertEquals(400, bad.status());
        assertTrue(bad.message().startsWith("invalid JSON at line 1, column "), bad.message());
        assertEquals(400, create("{\"Name\":\"a/b\"}").status());
    }

    @Test
    void listAndItsFilters() {
        create("{\"Name\":\"one\",\"Labels\":{\"team\":\"a\"}}");
        create("{\"Name\":\"two\"}");
        TestExchange all = call("GET", "/volumes");
        assertEquals(200, all.status());
        assertEquals(List.of("one", "two"), names(all.json()));
        assertEquals(List.of("one"), names(call("GET", "/v1.44/volumes?filters="
                + filters("{\"label\":[\"team=a\"]}")).json()));
        TestExchange badFilter = call("GET", "/volumes?filters=" + filters("{\"bogus\":[\"x\"]}"));
        assertEquals(400, badFilter.status());
    }

    @Test
    void inspectByName() {
        create("{\"Name\":\"data\"}");
        TestExchange x = call("GET", "/v1.44/volumes/data");
        assertEquals(200, x.status());
        assertEquals("data", x.json().get("Name").asText());
        TestExchange missing = call("GET", "/v1.44/volumes/nope");
        assertEquals(404, missing.status());
        assertEquals("get nope: no such volume", missing.message());
    }

    @Test
    void removeAnswers204AndForceIgnoresAMissingVolume() {
        create("{\"Name\":\"data\"}");
        TestExchange x = call("DELETE", "/v1.44/volumes/data");
        assertEquals(204, x.status());
        assertEquals("", x.text());
        assertEquals(404, call("DELETE", "/v1.44/volumes/data").status());
        assertEquals(204, call("DELETE", "/v1.44/volumes/data?force=1").status());
    }

    static List<String> deleted(TestExchange prune) {
        assertEquals(200, prune.status());
        assertTrue(prune.json().has("SpaceReclaimed"));
        List<String> names = new ArrayList<>();
        prune.json().get("VolumesDeleted").forEach(n -> names.add(n.asText()));
        return names.stream().sorted().toList();
    }

    @Test
    void pruneTakesOnlyAnonymousVolumesFromApi142UnlessAskedForAll() {
        String anonymous = "{\"Labels\":{\"" + VolumeRecord.ANONYMOUS_LABEL + "\":\"\"}}";
        create("{\"Name\":\"named\"}");
        String first = create(anonymous).json().get("Name").asText();
        assertEquals(List.of(first), deleted(call("POST", "/v1.44/volumes/prune")));
        assertEquals(List.of("named"), deleted(call("POST", "/v1.44/volumes/prune?filters="
                + filters("{\"all\":[\"true\"]}"))));

        create("{\"Name\":\"named\"}");
        String second = create(anonymous).json().get("Name").asText();
        assertEquals(List.of(second, "named").stream().sorted().toList(),
                deleted(call("POST", "/v1.41/volumes/prune")), "before 1.42 every unused volume goes");
        assertEquals(List.of(), names(call("GET", "/volumes").json()));
    }

    @Test
    void anUnknownMethodOnAVolumePathIs405() {
        assertEquals(405, call("PUT", "/volumes/data").status());
    }
}
