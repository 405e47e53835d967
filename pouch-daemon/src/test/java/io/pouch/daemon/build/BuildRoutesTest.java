package io.pouch.daemon.build;

import io.pouch.api.PouchException;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.api.TestExchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.pouch.daemon.api.TestExchange.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuildRoutesTest {
    private final List<BuildRequest> requests = new ArrayList<>();
    private final Router router = new Router();

    @BeforeEach
    void routes() {
        new BuildRoutes(new BuildService() {
            @Override
            public PreparedBuild prepare(BuildRequest request, InputStream context) {
                requests.add(request);
                return new PreparedBuild(request, null, null);
            }

            @Override
            public void build(PreparedBuild build, BuildProgress progress) {
                progress.stream("Step 1/1 : FROM busybox\n");
                progress.imageId("sha256:" + "a".repeat(64));
                progress.stream("Successfully built aaaaaaaaaaaa\n");
            }

            @Override
            public Map<String, Object> prune() {
                return Map.of("CachesDeleted", List.of(), "SpaceReclaimed", 0);
            }
        }).register(router);
    }

    /** What the docker CLI 20.10 sends for {@code DOCKER_BUILDKIT=0 docker build -t a -t b:2 --build-arg X=1 .}. */
    private static TestExchange cliDefaults(TestExchange x) {
        return x.query("rm", "1").query("cpusetcpus", "").query("networkmode", "default").query("cpushares", "0")
                .query("cpuquota", "0").query("cpuperiod", "0").query("memory", "0").query("memswap", "0")
                .query("cgroupparent", "").query("shmsize", "0").query("ulimits", "null").query("cachefrom", "null")
                .query("platform", "").query("version", "1").query("session", "x").query("buildid", "");
    }

    @Test
    void theCliDefaultsAreAcceptedAndTheStreamIsDockerds() throws Exception {
        TestExchange x = cliDefaults(request("POST", "/build")).query("t", "a").query("t", "b:2")
                .query("buildargs", "{\"X\":\"1\"}").query("labels", "{\"l\":\"v\"}").query("dockerfile", "sub/Df")
                .query("target", "base").query("nocache", "1").body("tar").run(router);
        assertEquals(200, x.status());
        assertEquals("""
                {"stream":"Step 1/1 : FROM busybox\\n"}\r
                {"aux":{"ID":"sha256:%s"}}\r
                {"stream":"Successfully built aaaaaaaaaaaa\\n"}\r
                """.formatted("a".repeat(64)), x.text());
        BuildRequest r = requests.getFirst();
        assertEquals(List.of("a", "b:2"), r.tags());
        assertEquals(Map.of("X", "1"), r.buildArgs());
        assertEquals(Map.of("l", "v"), r.labels());
        assertEquals("sub/Df", r.dockerfile());
        assertEquals("base", r.target());
        assertTrue(r.noCache());
        assertTrue(r.remove());
        assertFalse(r.quiet());
    }

    @Test
    void theDockerfileDefaultsAndRmDefaultsToTrue() throws Exception {
        request("POST", "/build").body("tar").run(router);
        assertEquals("Dockerfile", requests.getFirst().dockerfile());
        assertTrue(requests.getFirst().remove());
    }

    @Test
    void parametersThatAskForWhatIsNotImplementedAreRefusedByName() {
        for (String[] p : List.of(new String[]{"networkmode", "host"}, new String[]{"pull", "1"},
                new String[]{"memory", "1000000"}, new String[]{"platform", "linux/arm64"},
                new String[]{"extrahosts", "a:1.2.3.4"}, new String[]{"cachefrom", "[\"x\"]"},
                new String[]{"remote", "https://example.com/x.git"}, new String[]{"version", "2"},
                new String[]{"shmsize", "1024"})) {
            PouchException e = assertThrows(PouchException.class,
                    () -> request("POST", "/build").query(p[0], p[1]).body("tar").run(router), p[0]);
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains("build parameter " + p[0] + "="), e.getMessage());
        }
        assertTrue(requests.isEmpty());
    }

    @Test
    void badJsonIsNamed() {
        PouchException e = assertThrows(PouchException.class,
                () -> request("POST", "/build").query("buildargs", "{x").body("tar").run(router));
        assertTrue(e.getMessage().startsWith("invalid buildargs"), e.getMessage());
    }

    @Test
    void prune() throws Exception {
        TestExchange x = request("POST", "/build/prune").run(router);
        assertEquals(200, x.status());
        assertEquals(0, x.json().get("SpaceReclaimed").asInt());
    }
}
