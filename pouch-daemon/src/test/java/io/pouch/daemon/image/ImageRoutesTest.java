package io.pouch.daemon.image;

import io.pouch.api.PouchException;
import io.pouch.daemon.api.ApiVersion;
import io.pouch.daemon.api.TestExchange;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.registry.Credentials;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.pouch.daemon.api.TestExchange.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageRoutesTest {
    private final RecordingImages images = new RecordingImages();
    private final List<String> pulls = new ArrayList<>();
    private final Router router = new Router();
    private String busybox;

    /** A puller that only says what it was asked. */
    private final PullService puller = new PullService() {
        @Override
        public List<String> tags(String fromImage, Credentials creds) {
            return List.of("1", "2");
        }

        @Override
        public Plan resolve(String fromImage, String tag, String platform, Credentials creds) {
            pulls.add("resolve " + fromImage + " " + tag + " " + platform);
            return new Plan(ImagePuller.reference(fromImage, tag), null, null, null, null, null, List.of(), List.of());
        }

        @Override
        public void pull(Plan plan, ProgressWriter out) {
            out.status("Status: Downloaded newer image for " + plan.ref().familiar());
        }
    };

    @BeforeEach
    void routes() throws IOException {
        busybox = images.indexed.add("2024-01-01T00:00:00Z", Map.of(), 100, "docker.io/library/busybox:latest");
        DistributionRoutes distribution = new DistributionRoutes(images, puller, new PushService() {
            @Override
            public Plan resolve(String name, String tag, Credentials creds) {
                throw new AssertionError("no push through the image routes");
            }

            @Override
            public void push(Plan plan, ProgressWriter out) {
                throw new AssertionError("no push through the image routes");
            }
        }, new RegistryService() {
            @Override
            public void login(Credentials creds) {
                throw new AssertionError("no login through the image routes");
            }

            @Override
            public List<SearchResult> search(String term, int limit, Credentials creds) {
                throw new AssertionError("no search through the image routes");
            }
        });
        new ImageRoutes(images, distribution).register(router);
    }

    @Test
    void listPassesTheFiltersAndTheFieldsOfTheVersion() throws Exception {
        TestExchange x = request("GET", "/v1.43/images/json").query("filters", "{\"dangling\":[\"false\"]}")
                .run(router);
        assertEquals(200, x.status());
        assertEquals(List.of("list BEFORE_1_44"), images.calls);
        assertEquals(List.of("false"), images.lastFilters.get("dangling"));
        assertEquals(busybox, x.json().get(0).get("Id").asText());
        assertEquals(100, x.json().get(0).get("VirtualSize").asLong());
    }

    @Test
    void inspectAndHistoryTakeNamesWithSlashes() throws Exception {
        TestExchange x = request("GET", "/v1.44/images/docker.io/library/busybox/json").run(router);
        assertEquals(200, x.status());
        assertEquals(busybox, x.json().get("Id").asText());
        TestExchange h = request("GET", "/images/busybox:latest/history").run(router);
        assertEquals(busybox, h.json().get(0).get("Id").asText());
        assertEquals(List.of("inspect docker.io/library/busybox BEFORE_1_45", "history busybox:latest"), images.calls);
        request("GET", "/images/busybox/json").run(router);
        assertEquals("inspect busybox CURRENT", images.calls.getLast());
        PouchException missing = assertThrows(PouchException.class, () -> request("GET", "/images/nothing/json").run(router));
        assertEquals(404, missing.status());
    }

    @Test
    void tagAnswers201AndDeleteTheItems() throws Exception {
        assertEquals(201, request("POST", "/images/busybox/tag").query("repo", "localhost:5000/x").query("tag", "1")
                .run(router).status());
        TestExchange d = request("DELETE", "/images/busybox").query("force", "1").run(router);
        assertEquals(200, d.status());
        assertEquals("busybox:latest", d.json().get(0).get("Untagged").asText());
        assertEquals("sha256:" + "a".repeat(64), d.json().get(1).get("Deleted").asText());
        request("DELETE", "/images/alpine").run(router);
        assertEquals(List.of("tag busybox localhost:5000/x 1", "delete busybox true", "delete alpine false"), images.calls);
    }

    @Test
    void loadStreamsTheLinesDockerPrints() throws Exception {
        TestExchange x = request("POST", "/images/load").body("archive").run(router);
        assertEquals(200, x.status());
        assertEquals("{\"stream\":\"Loaded image: busybox:latest\\n\"}\r\n{\"stream\":\"Loaded image ID: sha256:"
                + "c".repeat(64) + "\\n\"}\r\n", x.text());
        assertEquals(List.of("load archive"), images.calls);
    }

    @Test
    void createImportsFromTheBodyOrPulls() throws Exception {
        TestExchange imported = request("POST", "/images/create").query("fromSrc", "-").query("repo", "imported")
                .query("tag", "v1").query("changes", "CMD [\"sh\"]").query("changes", "ENV A=b").query("message", "hi")
                .body("rootfs").run(router);
        assertEquals("{\"status\":\"sha256:" + "d".repeat(64) + "\"}\r\n", imported.text());
        assertEquals(List.of("import rootfs imported v1 [CMD [\"sh\"], ENV A=b] hi"), images.calls);

        TestExchange pulled = request("POST", "/images/create").query("fromImage", "busybox").query("tag", "1")
                .run(router);
        assertEquals(200, pulled.status());
        assertTrue(pulled.text().contains("Downloaded newer image for busybox:1"), pulled.text());
        assertEquals(List.of("resolve busybox 1 null"), pulls);

        assertEquals("either fromImage or fromSrc is required",
                assertThrows(PouchException.class, () -> request("POST", "/images/create").run(router)).getMessage());
        PouchException url = assertThrows(PouchException.class,
                () -> request("POST", "/images/create").query("fromSrc", "http://example.invalid/x.tar").run(router));
        assertEquals(400, url.status());
    }

    @Test
    void saveResolvesEveryNameBeforeTheTarStarts() throws Exception {
        TestExchange x = request("GET", "/images/get").query("names", "busybox").query("names", "alpine")
                .run(router);
        assertEquals("application/x-tar", x.contentType());
        assertEquals("tar bytes", x.text());
        TestExchange one = request("GET", "/images/library/busybox/get").run(router);
        assertEquals(200, one.status());
        assertEquals(List.of("planSave [busybox, alpine]", "save 2", "planSave [library/busybox]", "save 1"), images.calls);
    }

    @Test
    void pouchsSaveRouteStreamsTheSameTar() throws Exception {
        TestExchange x = request("GET", "/images/save").query("name", "busybox").run(router);
        assertEquals("application/x-tar", x.contentType());
        assertEquals("tar bytes", x.text());
        assertEquals(List.of("planSave [busybox]", "save 1"), images.calls);
        PouchException none = assertThrows(PouchException.class, () -> request("GET", "/images/save").run(router));
        assertEquals(400, none.status());
        assertTrue(none.getMessage().contains("?name="), none.getMessage());
    }

    @Test
    void fieldsFollowTheApiVersion() {
        assertEquals(ImageFields.BEFORE_1_44, ImageRoutes.fields(ApiVersion.MINIMUM));
        assertEquals(ImageFields.BEFORE_1_44, ImageRoutes.fields(new ApiVersion(1, 43)));
        assertEquals(ImageFields.BEFORE_1_45, ImageRoutes.fields(new ApiVersion(1, 44)));
        assertEquals(ImageFields.CURRENT, ImageRoutes.fields(new ApiVersion(1, 45)));
        assertEquals(ImageFields.CURRENT, ImageRoutes.fields(ApiVersion.CURRENT));
    }
}
