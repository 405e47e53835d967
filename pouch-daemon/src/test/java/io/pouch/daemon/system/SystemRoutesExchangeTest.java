package io.pouch.daemon.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.daemon.api.ApiVersion;
import io.pouch.daemon.api.TestExchange;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.testing.Await;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The system endpoints over an in-memory exchange. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SystemRoutesExchangeTest {
    @TempDir
    Path tmp;
    final EventBus bus = new EventBus();
    final Router router = new Router();
    SystemRoutes routes;

    @BeforeEach
    void register() {
        DaemonConfig cfg = new DaemonConfig(tmp.resolve("home"), tmp.resolve("run"), List.of(), null, null, "pouch",
                false, "json-file", Map.of(), "runc", "p0", null);
        routes = new SystemRoutes(bus, cfg, () -> new SystemInfoSource.Counts(3, 1, 0, 2, 4), "1.2.3");
        routes.register(router);
    }

    TestExchange call(String method, String uri) {
        return TestExchange.request(method, uri).send(router);
    }

    static String filters(String json) {
        return URLEncoder.encode(json, StandardCharsets.UTF_8);
    }

    static List<JsonNode> lines(TestExchange x) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (String line : x.text().split("\n")) {
            if (!line.isEmpty()) {
                events.add(Json.MAPPER.readTree(line));
            }
        }
        return events;
    }

    @Test
    void pingAnswersOkWithDockerdsHeadersAndHeadHasNoBody() {
        TestExchange get = call("GET", "/v1.44/_ping");
        assertEquals(200, get.status());
        assertEquals("text/plain; charset=utf-8", get.contentType());
        assertEquals("OK", get.text());
        assertEquals("inactive", get.responseHeader("Swarm"));
        assertEquals("1", get.responseHeader("Builder-Version"));
        assertEquals("no-cache, no-store, must-revalidate", get.responseHeader("Cache-Control"));
        assertEquals("no-cache", get.responseHeader("Pragma"));
        TestExchange head = call("HEAD", "/_ping");
        assertEquals(200, head.status());
        assertEquals("", head.text());
    }

    @Test
    void versionAndInfo() {
        JsonNode v = call("GET", "/v1.41/version").json();
        assertEquals(SystemRoutes.ENGINE_COMPAT_VERSION, v.get("Version").asText());
        assertEquals(ApiVersion.CURRENT.toString(), v.get("ApiVersion").asText());
        assertEquals(ApiVersion.MINIMUM.toString(), v.get("MinAPIVersion").asText());
        assertEquals("1.2.3", v.get("Components").get(1).get("Version").asText());
        JsonNode i = call("GET", "/info").json();
        assertEquals(3, i.get("Containers").asInt());
        assertEquals(1, i.get("ContainersRunning").asInt());
        assertEquals(4, i.get("Images").asInt());
        assertEquals(tmp.resolve("home").toString(), i.get("DockerRootDir").asText());
    }

    @Test
    void eventsReplayFilteredUpToUntil() throws Exception {
        bus.publish(Event.of("container", "start", "abc123", Map.of("name", "web", "image", "busybox")));
        bus.publish(Event.of("image", "pull", "busybox:latest", Map.of("name", "busybox:latest")));
        bus.publish(Event.of("container", "die", "def456", Map.of("name", "db", "exitCode", "0")));
        long until = System.currentTimeMillis() / 1000 + 1;
        TestExchange x = call("GET", "/events?since=0&until=" + until + "&filters="
                + filters("{\"type\":[\"container\"]}"));
        assertEquals(200, x.status());
        assertEquals("application/json", x.contentType());
        List<JsonNode> events = lines(x);
        assertEquals(List.of("start", "die"), events.stream().map(e -> e.get("Action").asText()).toList());
        TestExchange bad = call("GET", "/events?since=yesterday");
        assertEquals(400, bad.status());
    }

    @Test
    void eventsFollowUntilTheClientLeaves() throws Exception {
        TestExchange x = TestExchange.request("GET", "/events?filters=" + filters("{\"type\":[\"volume\"]}"));
        Thread follower = Thread.ofVirtual().start(() -> x.send(router));
        awaitListeners(1);
        bus.publish(Event.of("network", "create", "n1", Map.of()));
        bus.publish(Event.of("volume", "create", "v1", Map.of("driver", "local")));
        x.await(ex -> ex.text().contains("\"v1\""), "volume event");
        x.leave();
        follower.join();
        List<JsonNode> events = lines(x);
        assertEquals(1, events.size(), x.text());
        assertEquals("volume", events.getFirst().get("Type").asText());
        assertEquals(0, routes.info().nEventsListener());
    }

    /** Waits until the events endpoint has {@code n} listeners. */
    void awaitListeners(int n) {
        Await.until(Duration.ofSeconds(10), () -> routes.info().nEventsListener() == n, n + " listener(s)");
    }
}
