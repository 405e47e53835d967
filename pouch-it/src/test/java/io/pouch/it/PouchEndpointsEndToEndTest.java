package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pouch's own endpoints and commands on the shared daemon: {@code /metrics} scraped and parsed around container
 * and image actions, {@code /daemon/update} and {@code pouch updatedaemon} (labels in info, the image proxy of the
 * next pull, seen by a forward proxy on loopback), checkpoints (refused where criu does not work), Pouch's
 * {@code POST /images/search} and {@code GET /images/save} against a loopback registry, and an unknown command.
 */
@Tag("e2e")
class PouchEndpointsEndToEndTest {
    private static PouchdHarness d;
    private static LocalRegistry registry;
    private static Path dir;
    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    /** An image of this test's own in the loopback registry (a layer of its own, so a pull downloads blobs). */
    private static String pushed;

    @BeforeAll
    static void setUp() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(LocalRegistry.BINARY),
                "docker-registry is not installed (apt-get install docker-registry)");
        d = PouchdHarness.shared();
        dir = Files.createTempDirectory(Path.of("/tmp"), "pouch-endpoints-it-");
        registry = new LocalRegistry(dir, "endpoints", "");
        pushed = registry.host() + "/pouchit/endpoints" + SUFFIX + ":1";
        String name = "endpoints-src-" + SUFFIX;
        d.docker("run", "--name", name, "busybox", "sh", "-c", "echo " + SUFFIX + " > /word.txt").ok();
        d.docker("commit", name, pushed).ok();
        d.docker("rm", "-f", name).ok();
        d.docker("push", pushed).ok();
        d.docker("rmi", pushed).ok();
    }

    @AfterAll
    static void tearDown() {
        if (d != null) {
            d.docker("rmi", "-f", pushed);
            d.docker("rm", "-f", "endpoints-src-" + SUFFIX, "endpoints-m-" + SUFFIX, "endpoints-cp-" + SUFFIX);
        }
        if (registry != null) {
            registry.close();
        }
        if (dir != null) {
            Cmd.run(List.of("rm", "-rf", dir.toString()), Map.of(), null, Duration.ofSeconds(30));
        }
    }

    // ---- /metrics

    /** One scrape: series (name with its labels as written) to value, and the TYPE of each family. */
    record Scrape(Map<String, Double> series, Map<String, String> types, String text) {
        double value(String series) {
            return this.series.getOrDefault(series, 0.0);
        }
    }

    private static final Pattern SERIES = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*})?) (\\S+)");

    /** Parses the text format as a Prometheus server would need it: every line a comment or a valid series. */
    static Scrape parse(String text) {
        Map<String, Double> series = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                types.put(p[2], p[3]);
            } else if (!line.startsWith("# HELP ")) {
                Matcher m = SERIES.matcher(line);
                assertTrue(m.matches(), "not a series line: " + line);
                series.put(m.group(1), m.group(3).equals("+Inf") ? Double.POSITIVE_INFINITY
                        : Double.parseDouble(m.group(3)));
            }
        }
        return new Scrape(series, types, text);
    }

    private static Scrape scrape() {
        Cmd.Result r = d.curl("/metrics", "-D", "-");
        assertTrue(r.out().endsWith("\n200"), r.toString());
        String out = r.out().substring(0, r.out().length() - 4);
        int body = out.indexOf("\r\n\r\n");
        assertTrue(out.substring(0, body).toLowerCase().contains("content-type: text/plain; version=0.0.4"), out);
        return parse(out.substring(body + 4));
    }

    private static String action(String family, String action) {
        return family + "{action=\"" + action + "\"}";
    }

    @Test
    void metricsCountContainerActionsWithTheirOutcome() {
        String name = "endpoints-m-" + SUFFIX;
        String total = "engine_daemon_container_actions_counter_total";
        String success = "engine_daemon_container_success_actions_counter_total";
        Scrape before = scrape();
        d.docker("create", "--name", name, "busybox", "sleep", "300").ok();
        d.docker("start", name).ok();
        d.docker("stop", "-t", "1", name).ok();
        d.docker("rm", name).ok();
        assertNotEquals(0, d.docker("start", "endpoints-none-" + SUFFIX).exit());
        Scrape after = scrape();
        for (String a : List.of("create", "start", "stop", "delete")) {
            assertTrue(after.value(action(total, a)) >= before.value(action(total, a)) + 1, a + ": " + after.text());
            assertTrue(after.value(action(success, a)) >= before.value(action(success, a)) + 1, a);
        }
        // the failed start is counted, and not as a success
        assertTrue(after.value(action(total, "start")) >= before.value(action(total, "start")) + 2);
        assertEquals("counter", after.types().get(total));
        assertEquals("histogram", after.types().get("engine_daemon_container_actions_seconds"));
        assertTrue(after.value("engine_daemon_container_actions_seconds_count{action=\"create\"}")
                >= before.value("engine_daemon_container_actions_seconds_count{action=\"create\"}") + 1);
        assertEquals(after.value("engine_daemon_container_actions_seconds_count{action=\"create\"}"),
                after.value("engine_daemon_container_actions_seconds_bucket{action=\"create\",le=\"+Inf\"}"));
        // the engine and the process
        String kernel = Cmd.run(List.of("uname", "-r"), Map.of(), null, Duration.ofSeconds(10)).ok().trimmed();
        assertEquals(1.0, after.series().entrySet().stream()
                .filter(e -> e.getKey().startsWith("engine_daemon_engine_info{")
                        && e.getKey().contains("kernel=\"" + kernel + "\"") && e.getKey().contains("version=\""))
                .mapToDouble(Map.Entry::getValue).findFirst().orElse(0), after.text());
        assertTrue(after.series().containsKey("engine_daemon_container_states_containers{state=\"running\"}"));
        assertTrue(after.value("process_resident_memory_bytes") > 10 << 20, after.text());
        assertTrue(after.value("process_open_fds") > 0);
        assertTrue(after.value("process_max_fds") >= after.value("process_open_fds"));
        double start = after.value("process_start_time_seconds");
        assertTrue(start > 1.6e9 && start <= System.currentTimeMillis() / 1000.0 + 1, "start time " + start);
        assertEquals("counter", after.types().get("process_cpu_seconds_total"));
        // the versioned path serves the same
        assertTrue(d.curl("/v1.24/metrics").out().endsWith("\n200"));
    }

    @Test
    void metricsCountPullsAndImageDeletes() {
        String ref = registry.host() + "/pouchit/endpoints" + SUFFIX + ":1";
        Scrape before = scrape();
        d.docker("pull", ref).ok();
        d.docker("rmi", ref).ok();
        assertNotEquals(0, d.docker("rmi", "endpoints-none-" + SUFFIX + ":1").exit());
        Scrape after = scrape();
        String total = "engine_daemon_image_actions_counter_total";
        String success = "engine_daemon_image_success_actions_counter_total";
        assertEquals(before.value(action(total, "pull")) + 1, after.value(action(total, "pull")), after.text());
        assertEquals(before.value(action(success, "pull")) + 1, after.value(action(success, "pull")));
        assertEquals(before.value(action(total, "delete")) + 2, after.value(action(total, "delete")));
        assertEquals(before.value(action(success, "delete")) + 1, after.value(action(success, "delete")));
        String latency = "engine_daemon_image_pull_latency_microseconds_count{image=\"" + ref + "\"}";
        assertEquals(before.value(latency) + 1, after.value(latency), after.text());
        assertEquals("summary", after.types().get("engine_daemon_image_pull_latency_microseconds"));
    }

    // ---- /daemon/update and updatedaemon

    private static List<String> labels() throws IOException {
        JsonNode info = Json.MAPPER.readTree(d.docker("info", "--format", "{{json .Labels}}").ok().trimmed());
        return Json.MAPPER.convertValue(info, Json.MAPPER.getTypeFactory().constructCollectionType(List.class,
                String.class));
    }

    @Test
    void daemonUpdateSetsLabelsAndTheImageProxyOfTheNextPull() throws Exception {
        String key = "pouchit.zone" + SUFFIX;
        try (ForwardProxy proxy = new ForwardProxy(Map.of())) {
            String body = "{\"Labels\":[\"" + key + "=a\"],\"ImageProxy\":\"http://127.0.0.1:" + proxy.port() + "\"}";
            Cmd.Result r = d.curl("/daemon/update", "-XPOST", "-H", "Content-Type: application/json", "-d", body);
            assertTrue(r.out().endsWith("200"), r.toString());
            try {
                assertTrue(labels().contains(key + "=a"), labels().toString());
                d.pouch("updatedaemon", "--label", key + "=b").ok();
                List<String> now = labels();
                assertTrue(now.contains(key + "=b") && !now.contains(key + "=a"), "replaced by key: " + now);
                String info = d.pouch("info").ok().out();
                assertTrue(info.contains(" Labels:\n") && info.contains("\n  " + key + "=b\n"), info);
                d.docker("pull", pushed).ok();
                assertEquals(SUFFIX, d.docker("run", "--rm", pushed, "cat", "/word.txt").ok().trimmed());
                String blobs = "GET http://" + registry.host() + "/v2/pouchit/endpoints" + SUFFIX + "/blobs/sha256:";
                assertTrue(proxy.requests().stream().filter(l -> l.startsWith(blobs)).count() >= 2,
                        "blobs through the new image proxy: " + proxy.requests());
            } finally {
                d.curl("/daemon/update", "-XPOST", "-H", "Content-Type: application/json", "-d",
                        "{\"Labels\":[\"" + key + "=done\"],\"ImageProxy\":\"\"}");
                d.docker("rmi", "-f", pushed);
            }
        }
        // what a running daemon cannot change is refused, by the API and by the CLI
        Cmd.Result debug = d.curl("/daemon/update", "-XPOST", "-H", "Content-Type: application/json", "-d",
                "{\"Debug\":true}");
        assertTrue(debug.out().endsWith("\n400") && debug.out().contains("Debug"), debug.toString());
        Cmd.Result empty = d.curl("/daemon/update", "-XPOST", "-H", "Content-Type: application/json", "-d", "{}");
        assertTrue(empty.out().endsWith("\n400") && empty.out().contains("cannot be empty"), empty.toString());
        Cmd.Result cli = d.pouch("updatedaemon", "--bip", "10.200.0.1/24");
        assertEquals(1, cli.exit(), cli.toString());
        assertTrue(cli.err().contains("only --label and --image-proxy can be updated on a running daemon"), cli.err());
    }

    // ---- checkpoints

    @Test
    void checkpointsAreListedAndRemovedAndCreatingNamesWhatTheHostLacks() {
        String name = "endpoints-cp-" + SUFFIX;
        d.docker("run", "-d", "--name", name, "busybox", "sleep", "300").ok();
        try {
            assertEquals("", d.pouch("checkpoint", "ls", name).ok().out());
            assertEquals("[]\n\n200", d.curl("/containers/" + name + "/checkpoints").out());
            Cmd.Result create = d.pouch("checkpoint", "create", name, "cp1");
            assertEquals(1, create.exit(), create.toString());
            Cmd.Result check = Files.isExecutable(Path.of("/usr/sbin/criu"))
                    ? Cmd.run(List.of("/usr/sbin/criu", "check"), Map.of(), null, Duration.ofSeconds(60)) : null;
            if (check == null) {
                assertTrue(create.err().contains("criu is not installed"), create.err());
            } else if (check.exit() != 0) {
                assertTrue(create.err().contains("this host lacks a working CRIU"), create.err());
                assertTrue(create.err().contains("criu check` fails on this host"), create.err());
                if ((check.out() + check.err()).contains("kerndat_vdso_fill_symtable failed")) {
                    assertTrue(create.err().contains("kerndat_vdso_fill_symtable failed"), create.err());
                }
            } else {
                assertTrue(create.err().contains("does not drive containerd's checkpoint"), create.err());
            }
            Cmd.Result api = d.curl("/containers/" + name + "/checkpoints", "-XPOST", "-H",
                    "Content-Type: application/json", "-d", "{\"CheckpointID\":\"cp1\",\"Exit\":true}");
            assertTrue(api.out().endsWith("\n501"), api.toString());
            assertEquals("", d.pouch("checkpoint", "ls", name).ok().out(), "a refused create leaves nothing");
            assertTrue(d.docker("inspect", "-f", "{{.State.Running}}", name).ok().trimmed().equals("true"),
                    "the container keeps running");
            Cmd.Result rm = d.curl("/containers/" + name + "/checkpoints/nope", "-XDELETE");
            assertTrue(rm.out().endsWith("\n404") && rm.out().contains("checkpoint nope does not exist"), rm.toString());
            Cmd.Result pouchRm = d.pouch("checkpoint", "rm", name, "nope");
            assertEquals(1, pouchRm.exit());
            assertTrue(pouchRm.err().contains("checkpoint nope does not exist"), pouchRm.err());
            Cmd.Result bad = d.curl("/containers/" + name + "/checkpoints", "-XPOST", "-H",
                    "Content-Type: application/json", "-d", "{\"CheckpointID\":\"../x\"}");
            assertTrue(bad.out().endsWith("\n400"), bad.toString());
            d.docker("stop", "-t", "1", name).ok();
            Cmd.Result start = d.pouch("start", "--checkpoint", "nope", name);
            assertEquals(1, start.exit(), start.toString());
            assertTrue(start.err().contains("checkpoint nope does not exist"), start.err());
            assertEquals("false", d.docker("inspect", "-f", "{{.State.Running}}", name).ok().trimmed());
            assertEquals(404, status(d.curl("/containers/endpoints-none-" + SUFFIX + "/checkpoints")));
        } finally {
            d.docker("rm", "-f", name);
        }
    }

    private static int status(Cmd.Result curl) {
        String out = curl.out();
        return Integer.parseInt(out.substring(out.lastIndexOf('\n') + 1).trim());
    }

    // ---- Pouch's image routes

    @Test
    void pouchsSearchRouteListsTheNamedRegistrysCatalog() throws IOException {
        Cmd.Result r = d.curl("/images/search?term=endpoints" + SUFFIX + "&registry=" + registry.host(), "-XPOST");
        assertEquals(200, status(r), r.toString());
        JsonNode list = Json.MAPPER.readTree(r.out().substring(0, r.out().lastIndexOf('\n')));
        assertEquals(1, list.size(), list.toString());
        assertEquals(registry.host() + "/pouchit/endpoints" + SUFFIX, list.get(0).get("name").asText());
        Cmd.Result cli = d.pouch("search", "-r", registry.host(), "endpoints" + SUFFIX).ok();
        assertTrue(cli.out().contains(registry.host() + "/pouchit/endpoints" + SUFFIX), cli.out());
        Cmd.Result none = d.curl("/images/search?term=nothing-" + SUFFIX + "&registry=" + registry.host(), "-XPOST");
        assertEquals("[]\n\n200", none.out());
        Cmd.Result gone = d.curl("/images/search?term=x&registry=127.0.0.1:1", "-XPOST");
        assertNotEquals(200, status(gone), gone.toString());
        assertTrue(gone.out().contains("127.0.0.1:1"), "the error names the registry: " + gone);
    }

    @Test
    void pouchsSaveRouteStreamsTheSameTarAsImagesGet() throws IOException {
        Path viaSave = dir.resolve("save.tar");
        Path viaGet = dir.resolve("get.tar");
        assertEquals(200, status(d.curl("/images/save?name=busybox", "-o", viaSave.toString())));
        assertEquals(200, status(d.curl("/images/get?names=busybox", "-o", viaGet.toString())));
        assertArrayEquals(Files.readAllBytes(viaGet), Files.readAllBytes(viaSave));
        String listing = Cmd.run(List.of("tar", "-tf", viaSave.toString()), Map.of(), null, Duration.ofSeconds(30))
                .ok().out();
        assertTrue(listing.contains("manifest.json"), listing);
        Cmd.Result missing = d.curl("/images/save");
        assertEquals(400, status(missing), missing.toString());
        assertEquals(404, status(d.curl("/images/save?name=endpoints-none-" + SUFFIX)));
    }

    // ---- the CLI

    @Test
    void anUnknownCommandFailsLikeDockers() {
        Cmd.Result r = d.pouch("frobnicate", "--help");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().startsWith("pouch: unknown command: pouch frobnicate"), r.err());
        assertFalse(r.out().contains("Usage"), r.out());
        Cmd.Result docker = d.docker("nosuchcommand");
        Cmd.Result pouch = d.pouch("nosuchcommand");
        assertEquals(docker.exit(), pouch.exit());
        assertEquals(docker.err().replace("docker", "pouch"), pouch.err());
    }
}
