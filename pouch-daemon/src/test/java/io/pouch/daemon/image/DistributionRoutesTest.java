package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.TestExchange;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.registry.Credentials;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static io.pouch.daemon.api.TestExchange.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistributionRoutesTest {
    private final RecordingImages images = new RecordingImages();
    private final List<String> calls = new ArrayList<>();
    private final Router router = new Router();
    /** A tag whose pull fails once the stream has started. */
    private static final String BROKEN = "broken";

    private final PullService puller = new PullService() {
        @Override
        public List<String> tags(String fromImage, Credentials creds) {
            calls.add("tags " + fromImage);
            if (fromImage.equals("unknown")) {
                throw PouchException.notFound("repository unknown not found");
            }
            return List.of("1", BROKEN, "3");
        }

        @Override
        public Plan resolve(String fromImage, String tag, String platform, Credentials creds) {
            calls.add("resolve " + fromImage + " " + tag + " " + platform + " " + creds.username());
            if (tag.equals("missing")) {
                throw PouchException.notFound("manifest unknown");
            }
            return new Plan(ImagePuller.reference(fromImage, tag), null, null, null, null, null, List.of(), List.of());
        }

        @Override
        public void pull(Plan plan, ProgressWriter out) throws IOException {
            if (plan.ref().tag().equals(BROKEN)) {
                throw new IOException("connection reset");
            }
            out.status("Status: Downloaded newer image for " + plan.ref().familiar());
        }
    };

    private final PushService pusher = new PushService() {
        @Override
        public Plan resolve(String name, String tag, Credentials creds) {
            calls.add("push " + name + " " + tag);
            if (name.equals("nothing")) {
                throw PouchException.notFound("An image does not exist locally with the tag: nothing");
            }
            return new Plan(Reference.parseNormalized(name), null, null);
        }

        @Override
        public void push(Plan plan, ProgressWriter out) {
            if (plan.ref().tag().equals(BROKEN)) {
                throw PouchException.internal("upload refused", null);
            }
            out.status("The push refers to repository [" + plan.ref().familiarName() + "]");
        }
    };

    private final RegistryService registry = new RegistryService() {
        @Override
        public void login(Credentials creds) {
            calls.add("login " + creds.username() + " " + creds.serverAddress());
        }

        @Override
        public List<SearchResult> search(String term, int limit, Credentials creds) {
            calls.add("search " + term + " " + limit);
            return List.of(SearchResult.of("localhost:5000/busybox"));
        }
    };

    @BeforeEach
    void routes() {
        DistributionRoutes distribution = new DistributionRoutes(images, puller, pusher, registry);
        distribution.register(router);
        new ImageRoutes(images, distribution).register(router);
    }

    private static String auth(String user) {
        return Base64.getUrlEncoder().encodeToString(("{\"username\":\"" + user + "\",\"password\":\"p\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static List<JsonNode> lines(TestExchange x) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : x.text().split("\r?\n")) {
            if (!l.isBlank()) {
                out.add(Json.MAPPER.readTree(l));
            }
        }
        return out;
    }

    @Test
    void aPullStreamsItsProgressWithTheCredentialsOfTheHeader() throws Exception {
        TestExchange x = request("POST", "/images/create").query("fromImage", "busybox").query("tag", "1.36")
                .query("platform", "linux/amd64").header("X-Registry-Auth", auth("me")).run(router);
        assertEquals(200, x.status());
        assertEquals("Status: Downloaded newer image for busybox:1.36", lines(x).getLast().get("status").asText());
        assertEquals(List.of("resolve busybox 1.36 linux/amd64 me"), calls);
    }

    @Test
    void aPullFailingBeforeTheStreamIsAPlainStatusAfterItAnErrorMessage() throws Exception {
        TestExchange before = request("POST", "/images/create").query("fromImage", "busybox").query("tag", "missing");
        assertEquals(404, assertThrows(PouchException.class, () -> before.run(router)).status());
        assertEquals(0, before.status(), "no stream was started");
        TestExchange during = request("POST", "/images/create").query("fromImage", "busybox").query("tag", BROKEN)
                .run(router);
        assertEquals(200, during.status());
        assertEquals("connection reset", lines(during).getLast().get("errorDetail").get("message").asText());
    }

    @Test
    void aPullWithoutTagPullsEveryTagUntilOneFails() throws Exception {
        TestExchange x = request("POST", "/images/create").query("fromImage", "busybox").run(router);
        List<JsonNode> lines = lines(x);
        assertEquals("Status: Downloaded newer image for busybox:1", lines.getFirst().get("status").asText());
        assertEquals("connection reset", lines.getLast().get("error").asText());
        assertEquals(List.of("tags busybox", "resolve busybox 1 null null", "resolve busybox broken null null"), calls);
        assertEquals(404, assertThrows(PouchException.class,
                () -> request("POST", "/images/create").query("fromImage", "unknown").run(router)).status());
    }

    @Test
    void aPushStreamsOrFailsLikeAPull() throws Exception {
        TestExchange x = request("POST", "/images/localhost:5000/busybox/push").query("tag", "1").run(router);
        assertEquals("The push refers to repository [localhost:5000/busybox]", lines(x).getFirst().get("status").asText());
        assertEquals(404, assertThrows(PouchException.class,
                () -> request("POST", "/images/nothing/push").run(router)).status());
        TestExchange failed = request("POST", "/images/busybox:broken/push").run(router);
        assertEquals("upload refused", lines(failed).getLast().get("errorDetail").get("message").asText());
        assertEquals(List.of("push localhost:5000/busybox 1", "push nothing null", "push busybox:broken null"), calls);
    }

    @Test
    void loginChecksTheCredentialsOfTheBody() throws Exception {
        TestExchange x = request("POST", "/auth")
                .body("{\"username\":\"me\",\"password\":\"p\",\"serveraddress\":\"localhost:5000\"}").run(router);
        assertEquals(200, x.status());
        assertEquals("{\"Status\":\"Login Succeeded\",\"IdentityToken\":\"\"}", x.json().toString());
        assertEquals(List.of("login me localhost:5000"), calls);
        PouchException bad = assertThrows(PouchException.class, () -> request("POST", "/auth").body("[1]").run(router));
        assertEquals(400, bad.status());
    }

    @Test
    void searchAnswersDockersFields() throws Exception {
        TestExchange x = request("GET", "/images/search").query("term", "localhost:5000/busy").query("limit", "5")
                .run(router);
        assertEquals("[{\"star_count\":0,\"is_official\":false,\"name\":\"localhost:5000/busybox\","
                + "\"is_automated\":false,\"description\":\"\"}]", Json.MAPPER.writeValueAsString(x.json()));
        request("GET", "/images/search").query("term", "busy").run(router);
        assertEquals(List.of("search localhost:5000/busy 5", "search busy 25"), calls);
        assertEquals(400, assertThrows(PouchException.class,
                () -> request("GET", "/images/search").query("term", "x").query("limit", "many").run(router)).status());
    }

    @Test
    void pouchsSearchRouteNamesTheRegistryApart() throws Exception {
        TestExchange x = request("POST", "/images/search").query("term", "busy").query("registry", "localhost:5000")
                .run(router);
        assertEquals("localhost:5000/busybox", x.json().get(0).get("name").asText());
        request("POST", "/images/search").query("term", "busy").run(router);
        assertEquals(List.of("search localhost:5000/busy 25", "search busy 25"), calls);
    }

    @Test
    void pruneAndDiskUsageGoToTheImages() throws Exception {
        TestExchange p = request("POST", "/images/prune").query("filters", "{\"dangling\":[\"false\"]}")
                .run(router);
        assertEquals(0, p.json().get("SpaceReclaimed").asLong());
        assertTrue(p.json().path("ImagesDeleted").isMissingNode() || p.json().get("ImagesDeleted").isNull());
        assertEquals(List.of("false"), images.lastFilters.get("dangling"));
        TestExchange df = request("GET", "/v1.41/system/df").run(router);
        assertEquals(42, df.json().get("LayersSize").asLong());
        assertEquals(List.of("prune", "diskUsage BEFORE_1_44"), images.calls);
    }
}
