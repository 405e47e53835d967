package io.pouch.daemon.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.daemon.api.HttpServer;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The system endpoints through the real server, driven by curl as an outside client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SystemRoutesTest {
    static Path dir;
    static Path sock;
    static HttpServer server;
    static final EventBus bus = new EventBus();
    static SystemRoutes routes;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is needed");
        dir = Files.createTempDirectory("sysroutes");
        sock = dir.resolve("api.sock");
        DaemonConfig cfg = new DaemonConfig(dir.resolve("home"), dir.resolve("run"), List.of("unix://" + sock), null,
                "containerd", "pouch", false, "json-file", Map.of(), "runc", "p0", null);
        Router r = new Router();
        routes = new SystemRoutes(bus, cfg, () -> new SystemInfoSource.Counts(3, 1, 0, 2, 4), "1.2.3");
        routes.register(r);
        server = new HttpServer(cfg.listen(), r, "1.2.3");
        server.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "--unix-socket", sock.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    @Test
    void pingHeaders() throws Exception {
        String head = curl("-I", "http://d/_ping").toLowerCase();
        for (String h : List.of("api-version: ", "ostype: linux", "docker-experimental: false", "builder-version: 1",
                "swarm: inactive", "cache-control: no-cache, no-store, must-revalidate", "pragma: no-cache",
                "content-type: text/plain; charset=utf-8", "content-length: 0", "server: pouch/1.2.3 (linux)")) {
            assertTrue(head.contains(h), h + " missing in\n" + head);
        }
        assertEquals("OK", curl("http://d/v1.44/_ping"));
    }

    @Test
    void versionAndInfo() throws Exception {
        JsonNode v = Json.MAPPER.readTree(curl("http://d/v1.41/version"));
        // the Docker release whose API is served (SDKs gate on it); pouchd's own version is a component
        assertEquals(SystemRoutes.ENGINE_COMPAT_VERSION, v.get("Version").asText());
        assertEquals("Engine", v.get("Components").get(0).get("Name").asText());
        assertEquals("Pouch", v.get("Components").get(1).get("Name").asText());
        assertEquals("1.2.3", v.get("Components").get(1).get("Version").asText());
        assertEquals("containerd", v.get("Components").get(2).get("Name").asText());
        assertEquals("Pouch for the JVM 1.2.3", v.get("Platform").get("Name").asText());
        assertEquals("1.24", v.get("MinAPIVersion").asText());
        JsonNode i = Json.MAPPER.readTree(curl("http://d/info"));
        assertEquals(3, i.get("Containers").asInt());
        assertEquals(2, i.get("ContainersStopped").asInt());
        assertEquals(4, i.get("Images").asInt());
        assertTrue(i.get("MemTotal").asLong() > 0);
        assertTrue(i.get("NCPU").asInt() > 0);
        assertTrue(List.of("1", "2").contains(i.get("CgroupVersion").asText()));
        assertEquals("inactive", i.get("Swarm").get("LocalNodeState").asText());
        assertEquals("runc", i.get("Runtimes").get("runc").get("path").asText());
        assertEquals(dir.resolve("home").toString(), i.get("DockerRootDir").asText());
        // the engine ID is kept
        assertEquals(i.get("ID").asText(), Json.MAPPER.readTree(curl("http://d/info")).get("ID").asText());
    }

    @Test
    void eventsReplayFilterAndEndAtUntil() throws Exception {
        bus.publish(Event.of("container", "start", "abc123", Map.of("name", "web", "image", "busybox")));
        bus.publish(Event.of("image", "pull", "busybox:latest", Map.of("name", "busybox:latest")));
        bus.publish(Event.of("container", "die", "def456", Map.of("name", "db", "image", "busybox", "exitCode", "0")));
        long now = System.currentTimeMillis() / 1000 + 1;
        String filters = URLEncoder.encode("{\"type\":{\"container\":true}}", StandardCharsets.UTF_8);
        // ends by itself: until is reached
        String out = curl("http://d/events?since=0&until=" + now + "&filters=" + filters);
        String[] lines = out.strip().split("\n");
        assertEquals(2, lines.length, out);
        assertEquals("start", Json.MAPPER.readTree(lines[0]).get("Action").asText());
        assertEquals("db", Json.MAPPER.readTree(lines[1]).get("Actor").get("Attributes").get("name").asText());
        String byName = curl("http://d/events?since=0&until=" + now + "&filters="
                + URLEncoder.encode("{\"container\":[\"web\"]}", StandardCharsets.UTF_8));
        assertEquals(1, byName.strip().split("\n").length, byName);
        assertTrue(curl("-i", "http://d/events?since=yesterday").startsWith("HTTP/1.1 400"));
    }

    @Test
    void eventsStreamLiveAndStopWhenTheClientLeaves() throws Exception {
        // published once curl's stream has subscribed
        Thread publisher = Thread.ofVirtual().start(() -> {
            Await.until(Duration.ofSeconds(5), () -> listeners() == 1, "the events stream subscribed");
            bus.publish(Event.of("volume", "create", "v1", Map.of("driver", "local")));
        });
        String out = curl("--max-time", "1.5", "http://d/events?filters="
                + URLEncoder.encode("{\"type\":[\"volume\"]}", StandardCharsets.UTF_8));
        publisher.join();
        assertTrue(out.contains("\"Type\":\"volume\""), out);
        // the handler noticed curl leaving and unsubscribed
        Await.until(Duration.ofSeconds(5), () -> listeners() == 0, "no events listener left");
    }

    private static int listeners() {
        try {
            return Json.MAPPER.readTree(curl("http://d/info")).get("NEventsListener").asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
