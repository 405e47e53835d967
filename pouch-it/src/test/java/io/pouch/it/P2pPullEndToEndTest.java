package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.daemon.config.RegistryConfig;
import io.pouch.daemon.registry.Credentials;
import io.pouch.daemon.registry.RegistryClient;
import io.pouch.daemon.registry.RegistryException;
import io.pouch.daemon.registry.Repository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pull path around P2P's seam, end to end: a pouchd started with {@code --p2p-enable} whose peer is a
 * stand-in (pouch-daemon's test launcher {@code RangeSourcePouchd}: the first pull of a blob takes every piece
 * from the registry through the pull's Range reads, a later pull gets the pieces it kept "from peers"), a real
 * docker-registry on loopback, the docker and pouch CLIs: the pulls' P2P status lines, docker info, pouch info
 * and /metrics. Also the registry client's Range reads against the real registry, and the settings pouchd
 * refuses at start.
 */
@Tag("e2e")
class P2pPullEndToEndTest {
    private static final Pattern PULL_LINE = Pattern.compile("P2P: (\\S+ \\S+) from peers, (\\S+ \\S+) from the"
            + " registry");
    private static final int PIECE = 64 << 10;

    private static Path dir;
    private static LocalRegistry registry;
    private static PouchdHarness p;
    private static String ref;
    private static String sum;

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(LocalRegistry.BINARY),
                "docker-registry is not installed (apt-get install docker-registry)");
        dir = Files.createTempDirectory(Path.of("/tmp"), "pouch-p2p-it-");
        registry = new LocalRegistry(dir, "p2p", "");
        p = PouchdHarness.startPrivateFrom("io.pouch.daemon.RangeSourcePouchd", "pp2p", List.of("--p2p-enable",
                "--p2p-scheduler", "127.0.0.1:9", "--p2p-token", "test-only", "--p2p-piece-size", "64KiB"));
        // an image whose top layer (random bytes, so it does not compress) spans several pieces, the last a part
        ref = registry.host() + "/p2p/box:1";
        String name = "p2p-src-" + Long.toHexString(System.nanoTime());
        p.docker("run", "--name", name, "busybox", "sh", "-c", "head -c 300000 /dev/urandom > /r.bin").ok();
        p.docker("commit", name, ref).ok();
        p.docker("rm", "-f", name).ok();
        sum = p.docker("run", "--rm", ref, "md5sum", "/r.bin").ok().trimmed();
        p.docker("push", ref).ok();
        p.docker("rmi", "-f", ref).ok();
    }

    @AfterAll
    static void tearDown() {
        if (p != null) {
            p.docker("rmi", "-f", ref);
            p.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (dir != null) {
            Cmd.run(List.of("rm", "-rf", dir.toString()), Map.of(), null, Duration.ofSeconds(30));
        }
    }

    /** The {@code pouch_p2p_bytes_total} series by source. */
    private static Map<String, Long> bytesTotal() {
        String text = p.curl("/metrics").ok().out();
        assertTrue(text.contains("# TYPE pouch_p2p_bytes_total counter"), text);
        Matcher m = Pattern.compile("(?m)^pouch_p2p_bytes_total\\{source=\"(peers|registry)\"} (\\d+)$").matcher(text);
        Map<String, Long> out = new java.util.TreeMap<>();
        while (m.find()) {
            out.put(m.group(1), Long.parseLong(m.group(2)));
        }
        assertEquals(2, out.size(), text);
        return out;
    }

    /** The pushed image's top layer: its digest and size, from the registry's manifest. */
    private static JsonNode topLayer(Repository repo) {
        JsonNode layers = repo.manifest("1", ref).json().path("layers");
        return layers.get(layers.size() - 1);
    }

    private static Repository repository() {
        RegistryClient client = new RegistryClient(new RegistryConfig("docker.io", List.of(),
                List.of(registry.host()), dir.resolve("certs.d"), null));
        return client.repository(registry.host(), "p2p/box", Credentials.NONE, false);
    }

    @Test
    void aPullTakesItsLayersThroughThePeerAndSaysWhereTheyCameFrom() {
        Repository repo = repository();
        long layer = topLayer(repo).path("size").asLong();
        assertTrue(layer > 4L * PIECE, "the layer spans several pieces: " + layer);
        Map<String, Long> before = bytesTotal();

        // the first pull: every piece from the registry (busybox's layer is there already)
        Cmd.Result first = p.docker("pull", ref).ok();
        assertTrue(first.out().contains("Pull complete"), first.toString());
        Matcher m = PULL_LINE.matcher(first.out());
        assertTrue(m.find(), first.toString());
        assertEquals("0 B", m.group(1), first.toString());
        assertNotEquals("0 B", m.group(2), first.toString());
        assertTrue(first.out().indexOf("P2P: ") < first.out().indexOf("Digest: sha256:"), first.toString());
        assertEquals(sum, p.docker("run", "--rm", ref, "md5sum", "/r.bin").ok().trimmed());
        Map<String, Long> afterFirst = bytesTotal();
        assertEquals(before.get("registry") + layer, afterFirst.get("registry"), afterFirst.toString());
        assertEquals(before.get("peers"), afterFirst.get("peers"));

        // the second pull of the same blob: the pieces the stand-in peer kept, none from the registry
        p.docker("rmi", "-f", ref).ok();
        Cmd.Result second = p.pouch("pull", ref).ok();
        m = PULL_LINE.matcher(second.out());
        assertTrue(m.find(), second.toString());
        assertNotEquals("0 B", m.group(1), second.toString());
        assertEquals("0 B", m.group(2), second.toString());
        assertEquals(sum, p.docker("run", "--rm", ref, "md5sum", "/r.bin").ok().trimmed());
        Map<String, Long> afterSecond = bytesTotal();
        assertEquals(afterFirst.get("peers") + layer, afterSecond.get("peers"), afterSecond.toString());
        assertEquals(afterFirst.get("registry"), afterSecond.get("registry"));

        // the totals in docker info and pouch info
        String line = "P2P: " + human(afterSecond.get("peers")) + " from peers, " + human(afterSecond.get("registry"))
                + " from the registry";
        Cmd.Result info = p.docker("info").ok();
        assertTrue(info.out().contains(" " + line + "\n"), line + " in " + info);
        assertTrue(info.out().contains(" P2P Scheduler: 127.0.0.1:9\n"), info.toString());
        Cmd.Result pouchInfo = p.pouch("info").ok();
        assertTrue(pouchInfo.out().contains(" " + line + "\n"), line + " in " + pouchInfo);

        // already there: nothing to download, no P2P line (as without P2P)
        Cmd.Result again = p.docker("pull", ref).ok();
        assertTrue(again.out().contains("Image is up to date"), again.toString());
        assertFalse(again.out().contains("P2P:"), again.toString());
    }

    /** Go's units.HumanSize, as the pull line and info write sizes. */
    private static String human(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int i = 0;
        while (v >= 1000 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString()
                + " " + units[i];
    }

    @Test
    void rangeReadsOfTheRealRegistryAreTheBlobsBytes() throws IOException {
        Repository repo = repository();
        JsonNode layer = topLayer(repo);
        String digest = layer.path("digest").asText();
        int size = layer.path("size").asInt();
        byte[] whole = repo.smallBlob(digest, size);
        assertArrayEquals(Arrays.copyOfRange(whole, 0, PIECE), repo.readRange(digest, 0, PIECE));
        assertArrayEquals(Arrays.copyOfRange(whole, PIECE, 2 * PIECE), repo.readRange(digest, PIECE, PIECE));
        int lastStart = (size - 1) / PIECE * PIECE;
        assertArrayEquals(Arrays.copyOfRange(whole, lastStart, size), repo.readRange(digest, lastStart,
                size - lastStart));
        assertArrayEquals(Arrays.copyOfRange(whole, size - 1, size), repo.readRange(digest, size - 1, 1));
        // past the end the registry answers 416: an error, not a short piece
        Exception past = assertThrows(Exception.class, () -> repo.readRange(digest, size, 10));
        assertTrue(past instanceof RegistryException || past instanceof IOException, past.toString());
        // a blob the repository does not have
        RegistryException missing = assertThrows(RegistryException.class,
                () -> repo.readRange("sha256:" + "0".repeat(64), 0, 10));
        assertEquals(404, missing.status(), missing.getMessage());
    }

    @Test
    void pouchdRefusesP2pSettingsItCannotHonourNamingThem() throws IOException {
        Path base = Files.createTempDirectory(Path.of("/tmp"), "pouch-it-p2pno-");
        try {
            Files.writeString(base.resolve("ca.pem"), "not checked before the peer starts");
            Map<List<String>, String> cases = new java.util.LinkedHashMap<>();
            cases.put(List.of("--p2p-enable", "--p2p-token", "t"), "pouchd: P2P is enabled without a scheduler: give"
                    + " --p2p-scheduler");
            cases.put(List.of("--p2p-scheduler", "10.0.0.1:65001"), "pouchd: P2P settings given (--p2p-scheduler");
            cases.put(List.of("--p2p-enable", "--p2p-scheduler", "s:1", "--p2p-ca", base.resolve("ca.pem").toString(),
                    "--p2p-token", "t"), "pouchd: P2P mutual TLS needs all three of --p2p-ca");
            cases.put(List.of("--p2p-enable", "--p2p-scheduler", "s:1", "--p2p-ca", base.resolve("none.pem")
                    .toString(), "--p2p-cert", base.resolve("ca.pem").toString(), "--p2p-key",
                    base.resolve("ca.pem").toString()), "pouchd: cannot read --p2p-ca");
            cases.put(List.of("--p2p-enable", "--p2p-scheduler", "s:1", "--p2p-token", "t", "--p2p-piece-size", "4x"),
                    "pouchd: invalid --p2p-piece-size");
            if (!P2pPeersEndToEndTest.coreBuilt()) {
                // a build without the P2P core says so rather than run without it
                cases.put(List.of("--p2p-scheduler-listen", "0.0.0.0:65001", "--p2p-token", "t"),
                        "pouchd: cannot honour --p2p-scheduler-listen 0.0.0.0:65001");
                cases.put(List.of("--p2p-enable", "--p2p-scheduler", "s:1", "--p2p-token", "t"),
                        "pouchd: cannot honour --p2p-enable");
            }
            for (Map.Entry<List<String>, String> c : cases.entrySet()) {
                Cmd.Result r = pouchd(base, c.getKey());
                assertNotEquals(0, r.exit(), r.toString());
                assertTrue(r.err().startsWith(c.getValue()), c.getKey() + " -> " + r);
                assertFalse(Files.exists(base.resolve("home")), "nothing is created before the refusal");
            }
            // the same setting in the file and as a flag
            Files.writeString(base.resolve("config.json"), "{\"p2p\": {\"token\": \"a\"}}");
            Cmd.Result r = pouchd(base, List.of("--p2p-token", "b"));
            assertTrue(r.err().startsWith("pouchd: the following directives are specified both as a flag and in the"
                    + " configuration file"), r.toString());
            assertTrue(r.err().contains("--p2p-token and \"p2p\": {\"token\"}"), r.toString());
        } finally {
            Cmd.run(List.of("rm", "-rf", base.toString()), Map.of(), null, Duration.ofSeconds(30));
        }
    }

    /** The real pouchd (its own peer) with {@code args}, in {@code base}; it is expected to refuse and exit. */
    private static Cmd.Result pouchd(Path base, List<String> args) throws IOException {
        if (!Files.exists(base.resolve("config.json"))) {
            Files.writeString(base.resolve("config.json"), "{}");
        }
        Path root = Cmd.repoRoot();
        String cp = root.resolve("pouch-daemon/target/classes") + ":" + root.resolve("pouch-daemon/target/lib/*");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                "io.pouch.daemon.Pouchd", "--home-dir", base.resolve("home").toString(), "--exec-root",
                base.resolve("run").toString(), "--listen", "unix://" + base.resolve("s.sock"), "--pidfile",
                base.resolve("pid").toString(), "--config-file", base.resolve("config.json").toString()));
        cmd.addAll(args);
        return Cmd.run(cmd, Map.of(), null, Duration.ofSeconds(60));
    }
}
