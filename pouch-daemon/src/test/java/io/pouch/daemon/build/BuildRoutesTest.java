package io.pouch.daemon.build;

import io.pouch.api.PouchException;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.api.TestExchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.pouch.daemon.registry.Credentials;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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
        for (String[] p : List.of(new String[]{"platform", "linux/arm64"}, new String[]{"cachefrom", "[\"x\"]"},
                new String[]{"remote", "https://example.com/x.git"}, new String[]{"version", "2"},
                new String[]{"squash", "1"}, new String[]{"securityopt", "seccomp=unconfined"},
                new String[]{"isolation", "hyperv"})) {
            PouchException e = assertThrows(PouchException.class,
                    () -> request("POST", "/build").query(p[0], p[1]).body("tar").run(router), p[0]);
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains("build parameter " + p[0] + "="), e.getMessage());
        }
        assertTrue(requests.isEmpty());
    }

    @Test
    void runSettingsPullAndRegistryConfigReachTheRequest() throws Exception {
        String auth = Base64.getUrlEncoder().encodeToString(
                "{\"127.0.0.1:5000\":{\"username\":\"u\",\"password\":\"p\"}}".getBytes(StandardCharsets.UTF_8));
        request("POST", "/build").query("pull", "1").query("networkmode", "none").query("extrahosts", "a:1.2.3.4")
                .query("extrahosts", "b:::1").query("shmsize", "1024").query("memory", "67108864")
                .query("memswap", "-1").query("cpushares", "512").query("cpuquota", "50000")
                .query("cpuperiod", "100000").query("cpusetcpus", "0").query("cpusetmems", "0")
                .query("cgroupparent", "/bopts").query("ulimits", "[{\"Name\":\"nofile\",\"Soft\":100,\"Hard\":200}]")
                .header("X-Registry-Config", auth).body("tar").run(router);
        BuildRequest r = requests.getFirst();
        assertTrue(r.pull());
        assertEquals("u", Credentials.forRegistry(r.registryAuth(), "127.0.0.1:5000").username());
        assertTrue(Credentials.forRegistry(r.registryAuth(), "docker.io").isEmpty());
        BuildRequest.RunSettings s = r.run();
        assertEquals(new BuildRequest.RunSettings("none", List.of("a:1.2.3.4", "b:::1"), 1024, 67108864, -1, 512,
                50000, 100000, "0", "0", "/bopts", List.of(Map.of("Name", "nofile", "Soft", 100L, "Hard", 200L))), s);
        assertEquals("none", s.hostConfigJson().get("NetworkMode"));
    }

    @Test
    void theCliDefaultsAreTheDefaultRunSettings() throws Exception {
        cliDefaults(request("POST", "/build")).body("tar").run(router);
        assertEquals(BuildRequest.RunSettings.DEFAULT, requests.getFirst().run());
        assertFalse(requests.getFirst().run().hostConfigJson().containsKey("NetworkMode"));
    }

    @Test
    void badRunSettingsAreRefusedNamingTheParameter() {
        for (String[] p : List.of(new String[]{"memory", "lots"}, new String[]{"shmsize", "-1"},
                new String[]{"memswap", "-2"}, new String[]{"ulimits", "{"}, new String[]{"ulimits", "[{}]"},
                new String[]{"extrahosts", "nocolon"}, new String[]{"networkmode", "container:x"})) {
            PouchException e = assertThrows(PouchException.class,
                    () -> request("POST", "/build").query(p[0], p[1]).body("tar").run(router), p[0]);
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains(p[0]), e.getMessage());
        }
        assertTrue(requests.isEmpty());
    }

    @Test
    void dockerHubCredentialsAreFoundUnderTheirLegacyKey() {
        Map<String, Credentials> m = Map.of("https://index.docker.io/v1/",
                new Credentials("hub", "p", null, null, null), "https://127.0.0.1:5000/v2/",
                new Credentials("local", "p", null, null, null));
        assertEquals("hub", Credentials.forRegistry(m, "docker.io").username());
        assertEquals("local", Credentials.forRegistry(m, "127.0.0.1:5000").username());
        assertTrue(Credentials.forRegistry(m, "other:1").isEmpty());
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
