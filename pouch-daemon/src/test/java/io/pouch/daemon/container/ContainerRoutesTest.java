package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerCreateResponse;
import io.pouch.api.container.ContainerInspect;
import io.pouch.api.container.ContainerSummary;
import io.pouch.api.container.ContainerUpdate;
import io.pouch.api.container.ContainerUpgrade;
import io.pouch.api.container.HostConfig;
import io.pouch.api.container.NetworkMode;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.api.TestExchange;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.logs.LogFile;
import io.pouch.daemon.network.NetworkRequest;
import io.pouch.daemon.query.Filters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.pouch.daemon.api.TestExchange.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The /containers routes over an in-memory exchange and a recording service: HTTP in, service calls out. */
class ContainerRoutesTest {
    @TempDir
    Path dir;

    private final Recorder service = new Recorder();
    private final Router router = new Router();

    @BeforeEach
    void register() {
        new ContainerRoutes(service).register(router);
    }

    @Test
    void createPassesNameConfigHostConfigAndNetworksAndAnswers201() throws Exception {
        TestExchange ex = request("POST", "/containers/create").query("name", "web").body("""
                {"Image":"busybox","Cmd":["true"],"HostConfig":{"Memory":1024,"NetworkMode":"mynet"},
                 "NetworkingConfig":{"EndpointsConfig":{"mynet":{"Aliases":["db"]}}}}""").run(router);
        assertEquals(201, ex.status());
        assertEquals(new ContainerCreateResponse("c1", List.of()), ex.value());
        assertEquals("web", service.name);
        assertEquals("busybox", service.config.image());
        assertEquals(List.of("true"), service.config.cmd());
        assertEquals(1024, service.hostConfig.memory());
        assertEquals(List.of("db"), service.net.forMode("mynet").aliases());
    }

    @Test
    void createWithoutHostConfigOrBody() throws Exception {
        request("POST", "/containers/create").body("{\"Image\":\"busybox\"}").run(router);
        assertNull(service.hostConfig);
        assertEquals(NetworkRequest.EMPTY, service.net);
        service.calls.clear();
        PouchException e = assertThrows(PouchException.class, () -> request("POST", "/containers/create").run(router));
        assertEquals(400, e.status());
        assertEquals("config cannot be empty in order to create a container", e.getMessage());
        assertTrue(service.calls.isEmpty());
    }

    @Test
    void listPassesItsQuery() throws Exception {
        TestExchange ex = request("GET", "/containers/json").query("all", "1").query("limit", "3")
                .query("size", "true").query("filters", "{\"status\":[\"running\"]}").run(router);
        assertEquals(200, ex.status());
        assertEquals(List.of(), ex.value());
        assertEquals(List.of("list true 3 true [running]"), service.calls);
    }

    @Test
    void inspectIsAnsweredInlineFromTheCacheElseOnAThread() throws Exception {
        service.cached = inspect("c1");
        TestExchange hit = request("GET", "/containers/web/json").run(router);
        assertTrue(hit.answeredInline());
        assertSame(service.cached, hit.value());
        assertEquals(List.of("inspectCached web false"), service.calls);

        service.cached = null;
        service.calls.clear();
        TestExchange miss = request("GET", "/containers/web/json").query("size", "1").run(router);
        assertFalse(miss.answeredInline());
        assertEquals(200, miss.status());
        assertEquals("c1", ((ContainerInspect) miss.value()).id());
        assertEquals(List.of("inspectCached web true", "inspect web true"), service.calls);
    }

    @Test
    void aStartFromACheckpointAsksTheCheckpointsFirst() throws Exception {
        Router withCheckpoints = new Router();
        new ContainerRoutes(service, (ref, cp, dir) -> service.calls.add("startFrom " + ref + " " + cp + " " + dir))
                .register(withCheckpoints);
        request("POST", "/containers/web/start").query("checkpoint", "cp1").query("checkpoint-dir", "/cps")
                .run(withCheckpoints);
        request("POST", "/containers/web/start").query("checkpoint", "").run(withCheckpoints);
        assertEquals(List.of("startFrom web cp1 /cps", "start web", "start web"), service.calls);
        service.calls.clear();
        PouchException none = assertThrows(PouchException.class,
                () -> request("POST", "/containers/web/start").query("checkpoint", "cp1").run(router));
        assertEquals(400, none.status());
        assertTrue(service.calls.isEmpty());
    }

    @Test
    void lifecycleRoutesAnswerWithoutBody() throws Exception {
        assertEquals(204, request("POST", "/containers/web/start").run(router).status());
        assertEquals(204, request("POST", "/containers/web/kill").query("signal", "HUP").run(router).status());
        assertEquals(204, request("POST", "/containers/web/pause").run(router).status());
        assertEquals(204, request("POST", "/containers/web/unpause").run(router).status());
        assertEquals(204, request("POST", "/containers/web/rename").query("name", "api").run(router).status());
        assertEquals(204, request("DELETE", "/containers/web").query("force", "1").query("v", "1").run(router)
                .status());
        assertEquals(204, request("DELETE", "/containers/db").run(router).status());
        assertEquals(200, request("POST", "/containers/web/resize").query("h", "24").query("w", "80").run(router)
                .status());
        assertEquals(List.of("start web", "kill web HUP", "pause web", "unpause web", "rename web api",
                "remove web true true", "remove db false false", "resize web 24 80"), service.calls);
    }

    @Test
    void stopAndRestartTakeTheTimeoutAsTOrTimeout() throws Exception {
        assertEquals(204, request("POST", "/containers/web/stop").query("t", "5").run(router).status());
        request("POST", "/containers/web/stop").query("timeout", "7").run(router);
        request("POST", "/containers/web/stop").run(router);
        assertEquals(204, request("POST", "/containers/web/restart").query("t", "-1").run(router).status());
        assertEquals(List.of("stop web 5", "stop web 7", "stop web null", "restart web -1"), service.calls);
        PouchException e = assertThrows(PouchException.class,
                () -> request("POST", "/containers/web/stop").query("t", "soon").run(router));
        assertEquals(400, e.status());
        assertEquals("invalid value for t: soon", e.getMessage());
    }

    @Test
    void serviceErrorsPassThrough() throws Exception {
        service.failure = PouchException.notModified("container already started");
        PouchException e = assertThrows(PouchException.class,
                () -> request("POST", "/containers/web/start").run(router));
        assertEquals(304, e.status());
    }

    @Test
    void waitStreamsTheExitCodeAsJson() throws Exception {
        service.exit = CompletableFuture.completedFuture(3);
        TestExchange ex = request("POST", "/containers/web/wait").query("condition", "next-exit").run(router);
        assertEquals(200, ex.status());
        assertEquals("application/json", ex.contentType());
        assertEquals("{\"Error\":null,\"StatusCode\":3}\n", ex.text());
        assertEquals(List.of("waitFor web next-exit"), service.calls);
    }

    @Test
    void updateAnswersTheWarningsAndUpgradeAnswers200() throws Exception {
        TestExchange u = request("POST", "/containers/web/update").body("{\"Memory\":1048576}")
                .run(router);
        assertEquals(200, u.status());
        assertEquals(new ContainerUpdate.Response(List.of("careful")), u.value());
        TestExchange g = request("POST", "/containers/web/upgrade").body("{\"Image\":\"busybox:2\"}")
                .run(router);
        assertEquals(200, g.status());
        assertEquals(List.of("update web 1048576", "upgrade web busybox:2"), service.calls);
    }

    @Test
    void logsOfADriverThatKeepsNothingAre501() throws Exception {
        service.failure = new PouchException(501, "configured logging driver does not support reading");
        TestExchange ex = request("GET", "/containers/web/logs").query("stdout", "1");
        PouchException e = assertThrows(PouchException.class, () -> ex.run(router));
        assertEquals(501, e.status());
        assertEquals(0, ex.status(), "nothing answered before the error");
        assertEquals(List.of("resolveId web", "requireReadableLogs c1"), service.calls);
    }

    @Test
    void logsStreamTheJsonFileFramedPerStream() throws Exception {
        service.log = dir.resolve("c1-json.log");
        Files.writeString(service.log,
                "{\"log\":\"hi\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-29T22:10:00.1Z\"}\n");
        TestExchange ex = request("GET", "/containers/web/logs").query("stdout", "1").run(router);
        assertEquals(200, ex.status());
        assertArrayEquals(new byte[] {1, 0, 0, 0, 0, 0, 0, 3, 'h', 'i', '\n'}, ex.bytes());
        assertEquals(List.of("resolveId web", "requireReadableLogs c1", "logFile c1", "isTty c1"),
                service.calls.subList(0, 4));
    }

    @Test
    void attachTakesTheIoThenPublishesAttachThenHijacks() throws Exception {
        TestExchange ex = request("POST", "/containers/web/attach").query("stream", "0").query("stdout", "1")
                .run(router);
        assertTrue(ex.hijacked());
        assertEquals(List.of("resolveId web", "ioForAttach c1", "attached c1"), service.calls);
    }

    private static ContainerInspect inspect(String id) {
        return new ContainerInspect(id, null, null, null, null, null, null, null, null, null, "/web", 0, null,
                null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Records every call as "method args..." and answers with canned values. */
    private static final class Recorder implements ContainerService {
        @Override
        public ContainerBrief brief(String ref) {
            throw new UnsupportedOperationException();
        }

        final List<String> calls = new ArrayList<>();
        String name;
        ContainerConfig config;
        HostConfig hostConfig;
        NetworkRequest net;
        ContainerInspect cached;
        CompletableFuture<Integer> exit;
        RuntimeException failure;
        Path log;

        private void call(String c) {
            calls.add(c);
            if (failure != null && !c.startsWith("resolveId")) {
                throw failure;
            }
        }

        @Override
        public ContainerCreateResponse create(String name, ContainerConfig config, HostConfig hostConfig,
                                              NetworkRequest net) {
            call("create " + name);
            this.name = name;
            this.config = config;
            this.hostConfig = hostConfig;
            this.net = net;
            return new ContainerCreateResponse("c1", List.of());
        }

        @Override
        public List<ContainerSummary> list(boolean all, int limit, boolean size, Filters filters) {
            call("list " + all + " " + limit + " " + size + " " + filters.get("status"));
            return List.of();
        }

        @Override
        public ContainerInspect inspect(String ref, boolean size) {
            call("inspect " + ref + " " + size);
            return ContainerRoutesTest.inspect("c1");
        }

        @Override
        public ContainerInspect inspectCached(String ref, boolean size) {
            call("inspectCached " + ref + " " + size);
            return cached;
        }

        @Override
        public void start(String ref) {
            call("start " + ref);
        }

        @Override
        public void stop(String ref, Integer timeoutSeconds) {
            call("stop " + ref + " " + timeoutSeconds);
        }

        @Override
        public void restart(String ref, Integer timeoutSeconds) {
            call("restart " + ref + " " + timeoutSeconds);
        }

        @Override
        public void kill(String ref, String signal) {
            call("kill " + ref + " " + signal);
        }

        @Override
        public void pause(String ref) {
            call("pause " + ref);
        }

        @Override
        public void unpause(String ref) {
            call("unpause " + ref);
        }

        @Override
        public void remove(String ref, boolean force, boolean volumes) {
            call("remove " + ref + " " + force + " " + volumes);
        }

        @Override
        public void rename(String ref, String newName) {
            call("rename " + ref + " " + newName);
        }

        @Override
        public void resize(String ref, int height, int width) {
            call("resize " + ref + " " + height + " " + width);
        }

        @Override
        public CompletableFuture<Integer> waitFor(String ref, String condition) {
            call("waitFor " + ref + " " + condition);
            return exit;
        }

        @Override
        public void upgrade(String ref, ContainerUpgrade upgrade) {
            call("upgrade " + ref + " " + upgrade.image());
        }

        @Override
        public List<String> update(String ref, ContainerUpdate update) {
            call("update " + ref + " " + update.memory());
            return List.of("careful");
        }

        @Override
        public String resolveId(String ref) {
            call("resolveId " + ref);
            return "c1";
        }

        @Override
        public void requireReadableLogs(String ref) {
            call("requireReadableLogs " + ref);
        }

        @Override
        public LogFile logFile(String id) {
            call("logFile " + id);
            return LogFile.jsonFile(log);
        }

        @Override
        public boolean isTty(String ref) {
            call("isTty " + ref);
            return false;
        }

        @Override
        public boolean mayLogMore(String ref) {
            call("mayLogMore " + ref);
            return false;
        }

        @Override
        public ContainerIO ioForAttach(String ref) {
            call("ioForAttach " + ref);
            return (ContainerIO) Proxy.newProxyInstance(ContainerIO.class.getClassLoader(),
                    new Class<?>[] {ContainerIO.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "tty", "stdinOnce", "isDrained" -> false;
                        default -> null;
                    });
        }

        @Override
        public Map<String, Object> prune(Filters filters) {
            call("prune " + filters.values());
            return Map.of("SpaceReclaimed", 0);
        }

        @Override
        public CompletableFuture<Void> exitRecorded(String id, ContainerIO io) {
            call("exitRecorded " + id);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void attached(String ref) {
            call("attached " + ref);
        }

        @Override
        public void closeStdin(String id) {
            call("closeStdin " + id);
        }
    }
}
