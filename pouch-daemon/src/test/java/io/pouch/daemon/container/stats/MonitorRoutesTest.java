package io.pouch.daemon.container.stats;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.TestExchange;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.ProcessViews;
import io.pouch.daemon.containerd.ContainerdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.pouch.daemon.api.TestExchange.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** top and stats over in-memory containers, a canned ps and an empty cgroup tree. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MonitorRoutesTest {
    private static final String PS = """
            UID          PID    PPID  C STIME TTY          TIME CMD
            root           1       0  0 10:00 ?        00:00:01 /sbin/init
            root         300       1  0 10:01 ?        00:00:00 sleep 1000
            root         301     300  0 10:01 pts/0    00:00:00 sh -c echo a  b
            """;

    @TempDir
    Path cgroups;
    final List<List<String>> psRuns = new CopyOnWriteArrayList<>();
    volatile boolean running = true;
    volatile RuntimeException pidsFailure;
    final ProcessViews views = ref -> {
        if (!ref.equals("web") && !ref.equals("c1")) {
            throw PouchException.notFound("No such container: " + ref);
        }
        // a stopped container has no pid: its readings are zeros
        return new ContainerManager.ProcessView("c1", "web", "busybox", "sha256:1", Map.of(), running, false,
                running ? (int) ProcessHandle.current().pid() : 0, "", false);
    };

    private Router router() {
        TopService top = new TopService(views, id -> {
            if (pidsFailure != null) {
                throw pidsFailure;
            }
            return List.of(300, 301);
        }, args -> {
            psRuns.add(args);
            return PS;
        });
        Router r = new Router();
        new MonitorRoutes(top, new StatsService(views, new CgroupReader(cgroups), Duration.ofMillis(10))).register(r);
        return r;
    }

    @Test
    void topKeepsThePsRowsOfTheContainersProcesses() throws Exception {
        JsonNode top = request("GET", "/containers/web/top").run(router()).json();
        assertEquals(List.of("-ef"), psRuns.getFirst());
        assertEquals("UID", top.get("Titles").get(0).asText());
        assertEquals(8, top.get("Titles").size());
        assertEquals(2, top.get("Processes").size());
        assertEquals("300", top.get("Processes").get(0).get(1).asText());
        assertEquals("sh -c echo a  b", top.get("Processes").get(1).get(7).asText(), "the command keeps its spaces");

        request("GET", "/containers/web/top?ps_args=" + "%20aux%20%20-w").run(router());
        assertEquals(List.of("aux", "-w"), psRuns.get(1));
    }

    @Test
    void topOfAContainerThatDoesNotRunIs409() {
        running = false;
        PouchException stopped = assertThrows(PouchException.class,
                () -> request("GET", "/containers/web/top").run(router()));
        assertEquals(409, stopped.status());
        assertEquals("Container c1 is not running", stopped.getMessage());
        running = true;
        pidsFailure = new ContainerdException(ContainerdException.Code.NOT_FOUND, "no task", null);
        PouchException noTask = assertThrows(PouchException.class,
                () -> request("GET", "/containers/web/top").run(router()));
        assertEquals(409, noTask.status());
        assertEquals(List.of(), psRuns, "ps is not run for a container without a task");
        assertEquals(404, assertThrows(PouchException.class,
                () -> request("GET", "/containers/nope/top").run(router())).status());
    }

    @Test
    void oneReadingWithoutStreaming() throws Exception {
        running = false;
        TestExchange ex = request("GET", "/containers/web/stats?stream=false").run(router());
        assertEquals(200, ex.status());
        JsonNode s = ex.json();
        assertEquals("c1", s.get("id").asText());
        assertEquals("/web", s.get("name").asText());
        assertTrue(s.has("cpu_stats"));
        assertTrue(s.has("memory_stats"));
        assertEquals(404, assertThrows(PouchException.class,
                () -> request("GET", "/containers/nope/stats?stream=0").run(router())).status());
    }

    @Test
    void aStreamSendsAReadingPerLineUntilTheClientLeaves() throws Exception {
        TestExchange ex = request("GET", "/containers/web/stats");
        Router r = router();
        Thread streaming = Thread.ofVirtual().start(() -> {
            try {
                ex.run(r);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        ex.await(x -> x.text().split("\n").length >= 3, "three readings");
        ex.leave();
        streaming.join();
        assertTrue(ex.closed());
        assertEquals("application/json", ex.contentType());
        List<JsonNode> lines = new ArrayList<>();
        for (String l : ex.text().split("\n")) {
            lines.add(Json.MAPPER.readTree(l.getBytes(StandardCharsets.UTF_8)));
        }
        assertTrue(lines.size() >= 3);
        assertEquals("c1", lines.getFirst().get("id").asText());
        assertEquals("0001-01-01T00:00:00Z", lines.getFirst().get("preread").asText());
        assertEquals(lines.get(0).get("read").asText(), lines.get(1).get("preread").asText(),
                "each reading is computed against the one before");
        assertEquals(404, assertThrows(PouchException.class,
                () -> request("GET", "/containers/nope/stats").run(router())).status());
    }
}
