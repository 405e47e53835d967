package io.pouch.daemon.api;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouterTest {
    private final Handler json = ex -> { };
    private final Handler tag = ex -> { };
    private final Handler remove = ex -> { };
    private final Handler start = ex -> { };
    private final Handler list = ex -> { };

    private final Router router = new Router()
            .add("GET", "/images/{name*}/json", json)
            .add("POST", "/images/{name*}/tag", tag)
            .add("DELETE", "/images/{name*}", remove)
            .add("GET", "/images/json", list)
            .add("POST", "/containers/{id}/start", start);

    private static List<String> segs(String path) {
        return List.of(path.substring(1).split("/"));
    }

    @Test
    void imageNamesWithSlashesAreOneParameter() {
        Router.Match m = router.match("GET", segs("/images/127.0.0.1:5000/e2e/busybox:1.29/json"));
        assertSame(json, m.handler());
        assertEquals("127.0.0.1:5000/e2e/busybox:1.29", m.params().get("name"));
    }

    @Test
    void aPercentDecodedSlashInsideOneSegmentGivesTheSameName() {
        Router.Match m = router.match("GET", List.of("images", "127.0.0.1:5000/e2e/busybox:1.29", "json"));
        assertEquals("127.0.0.1:5000/e2e/busybox:1.29", m.params().get("name"));
    }

    @Test
    void fixedRoutesWinOverParameters() {
        assertSame(list, router.match("GET", segs("/images/json")).handler());
    }

    @Test
    void deleteTakesTheWholeRest() {
        Router.Match m = router.match("DELETE", segs("/images/library/busybox:latest"));
        assertSame(remove, m.handler());
        assertEquals("library/busybox:latest", m.params().get("name"));
    }

    @Test
    void headFallsBackToGet() {
        assertSame(json, router.match("HEAD", segs("/images/busybox/json")).handler());
    }

    @Test
    void unknownPathsAndMethods() {
        assertNull(router.match("GET", segs("/nope")));
        assertNull(router.match("GET", segs("/containers/abc/start")));
        assertTrue(router.pathExists(segs("/containers/abc/start")));
        assertNull(router.match("POST", segs("/containers//start")));
    }
}
