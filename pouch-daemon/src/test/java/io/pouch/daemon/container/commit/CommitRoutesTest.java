package io.pouch.daemon.container.commit;

import io.pouch.api.PouchException;
import io.pouch.daemon.api.TestExchange;
import io.pouch.daemon.api.Router;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.pouch.daemon.api.TestExchange.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CommitRoutesTest {
    private final List<CommitRequest> requests = new ArrayList<>();
    private final Router router = new Router();

    @BeforeEach
    void routes() {
        new CommitRoutes(r -> {
            if (r.container().equals("gone")) {
                throw PouchException.notFound("No such container: gone");
            }
            requests.add(r);
            return "sha256:" + "9".repeat(64);
        }).register(router);
    }

    @Test
    void aCommitAnswers201WithTheNewId() throws Exception {
        TestExchange x = request("POST", "/commit").query("container", "web").query("repo", "me/web")
                .query("tag", "v2").query("comment", "fixed").query("author", "Me <me@example.com>")
                .query("changes", "CMD [\"sh\"]").query("changes", "ENV A=b")
                .body("{\"Cmd\":[\"top\"],\"Hostname\":\"ignored\"}").run(router);
        assertEquals(201, x.status());
        assertEquals("{\"Id\":\"sha256:" + "9".repeat(64) + "\"}", x.json().toString());
        CommitRequest r = requests.getFirst();
        assertEquals("web", r.container());
        assertEquals(List.of("CMD [\"sh\"]", "ENV A=b"), r.changes());
        assertEquals("top", r.config().get("Cmd").get(0).asText());
        assertEquals("fixed", r.comment());
        assertEquals("Me <me@example.com>", r.author());
        assertEquals("me/web", r.repo());
        assertEquals("v2", r.tag());
    }

    @Test
    void noBodyNoOverride() throws Exception {
        request("POST", "/commit").query("container", "web").run(router);
        assertNull(requests.getFirst().config());
        assertEquals(List.of(), requests.getFirst().changes());
        assertNull(requests.getFirst().repo());
    }

    @Test
    void theContainerIsRequiredAndMustExist() {
        PouchException missing = assertThrows(PouchException.class, () -> request("POST", "/commit").run(router));
        assertEquals(400, missing.status());
        assertEquals("container is required: give the container to commit", missing.getMessage());
        assertEquals(404, assertThrows(PouchException.class,
                () -> request("POST", "/commit").query("container", "gone").run(router)).status());
        assertEquals(400, assertThrows(PouchException.class,
                () -> request("POST", "/commit").query("container", "web").body("{not json").run(router)).status());
    }
}
