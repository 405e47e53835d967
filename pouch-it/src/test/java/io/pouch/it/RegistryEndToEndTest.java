package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pull, push and login through the real docker CLI against real registries (Debian's docker-registry) on
 * loopback: plain HTTP, tlsPort with a CA made here by openssl, htpasswd (bcrypt) Basic auth; and a small proxy in
 * the test that tampers with, truncates, or drops blob downloads.
 */
@Tag("e2e")
class RegistryEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The ports of the registries and of the proxy: the OS picks them. */
    private static int plainPort;
    private static int tlsPort;
    private static int basicPort;
    private static int proxyPort;
    private static int tokenPort;

    private static PouchdHarness d;
    /** The content store's lines of multi:test's blobs right after its load. */
    private static List<String> loadedBlobs;
    private static Path dir;
    private static final List<LocalRegistry> registries = new ArrayList<>();
    private static HttpServer proxy;
    private static HttpServer tokenServer;
    /** What the proxy does to blob downloads: pass, tamper, truncate, down. */
    private static final AtomicReference<String> proxyMode = new AtomicReference<>("pass");
    private static final AtomicInteger rangeRequests = new AtomicInteger();
    /** GETs of big blobs (over 100 kB) the proxy relayed, by path. */
    private static final Map<String, Integer> bigBlobGets = new ConcurrentHashMap<>();

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(LocalRegistry.BINARY),
                "docker-registry is not installed (apt-get install docker-registry)");
        d = PouchdHarness.shared();
        dir = Files.createTempDirectory(Path.of("/tmp"), "pouch-reg-it-");
        plainPort = registry("plain", "");
        // tlsPort: a CA and a server certificate for 127.0.0.1 and localhost, made with openssl
        shIn("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=pouch-test-ca -keyout ca.key -out ca.crt"
                + " && openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout srv.key -out srv.csr"
                + " && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ext.cnf"
                + " && openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out srv.crt"
                + " && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca -keyout other.key -out other.crt");
        tlsPort = registry("tls", "  tls:\n    certificate: " + dir.resolve("srv.crt") + "\n    key: "
                + dir.resolve("srv.key") + "\n");
        Path ca = Files.createDirectories(d.certsDir().resolve("127.0.0.1:" + tlsPort));
        Files.copy(dir.resolve("ca.crt"), ca.resolve("ca.crt"));
        // localhost:tlsPort gets the wrong CA: verification must fail there
        Path wrong = Files.createDirectories(d.certsDir().resolve("localhost:" + tlsPort));
        Files.copy(dir.resolve("other.crt"), wrong.resolve("ca.crt"));
        shIn("htpasswd -Bbc htpasswd tester s3cret");
        basicPort = registry("basic", "auth:\n  htpasswd:\n    realm: pouch-test\n    path: " + dir.resolve("htpasswd")
                + "\n");
        // Bearer: the registry trusts tokens signed by the key of token.crt; the token server below signs them
        shIn("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=pouch-token -keyout token.key -out token.crt");
        tokenServer = TokenServer.start(0, dir.resolve("token.key"), dir.resolve("token.crt"), "tester", "s3cret");
        tokenPort = registry("token", "auth:\n  token:\n    realm: http://127.0.0.1:"
                + tokenServer.getAddress().getPort() + "/token\n    service: pouch-registry\n"
                + "    issuer: pouch-test-issuer\n    rootcertbundle: " + dir.resolve("token.crt") + "\n");
        proxy = startProxy(0);
        proxyPort = proxy.getAddress().getPort();
        // the multi-layer image, pushed once to the plain registry
        Path tar = multiLayerImage();
        d.docker("load", "-i", tar.toString()).ok();
        loadedBlobs = contentLines(manifestOf("docker.io/library/multi:test"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (proxy != null) {
            proxy.stop(0);
        }
        if (tokenServer != null) {
            tokenServer.stop(0);
        }
        registries.forEach(LocalRegistry::close);
        if (dir != null) {
            Cmd.run(List.of("rm", "-rf", dir.toString()), Map.of(), null, Duration.ofSeconds(30));
        }
    }

    private static void sh(String script) {
        Cmd.run(List.of("sh", "-ec", script), Map.of(), null, Duration.ofSeconds(60)).ok();
    }

    private static void shIn(String script) {
        sh("cd " + dir + " && " + script);
    }

    /** Starts a registry (its port picked by the OS) that the tear-down stops; returns its port. */
    private static int registry(String name, String extra) throws IOException {
        LocalRegistry r = new LocalRegistry(dir, name, extra);
        registries.add(r);
        return r.port();
    }

    /** busybox plus two layers: 3 MiB of random bytes and a small config file. */
    private static Path multiLayerImage() throws Exception {
        Path work = Files.createDirectories(dir.resolve("ml"));
        String src = System.getenv().getOrDefault("POUCH_TEST_IMAGE_TAR", Cmd.repoRoot().resolve("target/busybox.tar").toString());
        Cmd.run(List.of("tar", "-xf", src, "-C", work.toString()), Map.of(), null, Duration.ofSeconds(60)).ok();
        ArrayNode manifest = (ArrayNode) JSON.readTree(work.resolve("manifest.json").toFile());
        ObjectNode entry = (ObjectNode) manifest.get(0);
        ObjectNode config = (ObjectNode) JSON.readTree(work.resolve(entry.get("Config").asText()).toFile());
        ArrayNode layers = (ArrayNode) entry.get("Layers");
        ArrayNode diffIds = (ArrayNode) config.with("rootfs").get("diff_ids");
        byte[] random = new byte[3 << 20];
        new Random(42).nextBytes(random);
        for (int i = 0; i < 2; i++) {
            Path root = Files.createDirectories(work.resolve("root" + i + "/data"));
            if (i == 0) {
                Files.write(root.resolve("blob.bin"), random);
            } else {
                Files.writeString(root.resolve("hello.txt"), "layer two says hi\n");
            }
            Path layerDir = Files.createDirectories(work.resolve("extra" + i));
            Cmd.run(List.of("tar", "-cf", layerDir.resolve("layer.tar").toString(), "-C", work.resolve("root" + i).toString(),
                    "data"), Map.of(), null, Duration.ofSeconds(60)).ok();
            diffIds.add("sha256:" + sha256(Files.readAllBytes(layerDir.resolve("layer.tar"))));
            layers.add("extra" + i + "/layer.tar");
        }
        config.remove("history");
        byte[] cfg = JSON.writeValueAsBytes(config);
        String cfgName = sha256(cfg) + ".json";
        Files.write(work.resolve(cfgName), cfg);
        entry.put("Config", cfgName);
        entry.putArray("RepoTags").add("multi:test");
        Files.write(work.resolve("manifest.json"), JSON.writeValueAsBytes(manifest));
        Files.deleteIfExists(work.resolve("repositories"));
        Path tar = dir.resolve("multi.tar");
        List<String> members = new ArrayList<>(List.of("manifest.json", cfgName));
        for (var l : layers) {
            members.add(l.asText());
        }
        List<String> cmd = new ArrayList<>(List.of("tar", "-cf", tar.toString(), "-C", work.toString()));
        cmd.addAll(members);
        Cmd.run(cmd, Map.of(), null, Duration.ofSeconds(60)).ok();
        return tar;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /**
     * A registry front on {@code port} (0: the OS picks one) that forwards to the plain registry, and for blob GETs
     * does what {@link #proxyMode} says: flips a byte (tamper), sends half and hangs up (truncate), or is
     * unreachable after sending half (down: the server stops).
     */
    private static HttpServer startProxy(int port) throws IOException {
        HttpClient up = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.createContext("/", x -> {
            try {
                forward(up, x);
            } catch (Exception e) {
                x.close();
            }
        });
        s.start();
        return s;
    }

    private static void forward(HttpClient up, HttpExchange x) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plainPort + x.getRequestURI()));
        byte[] body = x.getRequestBody().readAllBytes();
        for (String h : List.of("Accept", "Content-Type", "Range")) {
            String v = x.getRequestHeaders().getFirst(h);
            if (v != null) {
                b.header(h, v);
            }
        }
        b.method(x.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> r = up.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        r.headers().map().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("transfer-encoding")
                    && !k.equalsIgnoreCase("connection") && !k.equals(":status")) {
                x.getResponseHeaders().put(k, v);
            }
        });
        byte[] out = r.body();
        boolean blob = x.getRequestMethod().equals("GET") && x.getRequestURI().getPath().contains("/blobs/sha256:")
                && out.length > 100_000;
        String mode = proxyMode.get();
        if (blob) {
            bigBlobGets.merge(x.getRequestURI().getPath(), 1, Integer::sum);
        }
        if (blob && mode.equals("slow")) {
            // not a wait for anything: a slow registry is what this mode is, so that a download is still in flight
            // when the second pull of the same image starts
            Thread.sleep(1500);
        }
        if (blob && mode.equals("tamper")) {
            out = out.clone();
            out[out.length / 2] ^= 1;
        }
        if (x.getRequestMethod().equals("HEAD")) {
            x.sendResponseHeaders(r.statusCode(), -1);
            x.close();
            return;
        }
        boolean cut = blob && (mode.equals("truncate") || mode.equals("down") || mode.equals("truncate-once"));
        if (cut && mode.equals("truncate-once")) {
            proxyMode.set("pass");
        }
        if (blob && x.getRequestHeaders().getFirst("Range") != null) {
            rangeRequests.incrementAndGet();
        }
        // a cut body is sent chunked: the JDK server then ends it short instead of keeping the connection open
        x.sendResponseHeaders(r.statusCode(), cut ? 0 : out.length == 0 ? -1 : out.length);
        try (OutputStream o = x.getResponseBody()) {
            if (cut) {
                o.write(out, 0, out.length / 2);
                o.flush();
                if (mode.equals("down")) {
                    Thread.ofVirtual().start(() -> proxy.stop(0));
                }
                return;
            }
            o.write(out);
        }
    }

    private static void rmiQuiet(String... refs) {
        for (String r : refs) {
            d.docker("rmi", "-f", r);
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void pushRemovePullRunMultiLayerImage() throws Exception {
        String ref = "127.0.0.1:" + plainPort + "/pouch/multi:v1";
        d.docker("tag", "multi:test", ref).ok();
        Cmd.Result push = d.docker("push", ref).ok();
        assertTrue(push.out().contains("The push refers to repository [127.0.0.1:" + plainPort + "/pouch/multi]"), push.toString());
        assertTrue(push.out().contains("Pushed"), push.toString());
        assertTrue(push.out().matches("(?s).*v1: digest: sha256:[0-9a-f]{64} size: \\d+.*"), push.toString());
        String id = d.docker("image", "inspect", "-f", "{{.Id}}", ref).ok().trimmed();
        // a second push finds every layer there
        assertTrue(d.docker("push", ref).ok().out().contains("Layer already exists"));
        d.docker("rmi", "-f", id).ok();
        assertNotEquals(0, d.docker("image", "inspect", ref).exit());
        Cmd.Result pull = d.docker("pull", ref).ok();
        assertTrue(pull.out().contains("v1: Pulling from pouch/multi"), pull.toString());
        assertTrue(pull.out().contains("Pull complete"), pull.toString());
        assertTrue(pull.out().contains("Status: Downloaded newer image for " + ref), pull.toString());
        assertEquals(id, d.docker("image", "inspect", "-f", "{{.Id}}", ref).ok().trimmed());
        assertUnpackedByPouchd(ref);
        assertStagedByPouchd(ref);
        assertEquals("layer two says hi", d.docker("run", "--rm", ref, "cat", "/data/hello.txt").ok().trimmed());
        assertEquals("3145728", d.docker("run", "--rm", ref, "sh", "-c", "wc -c < /data/blob.bin").ok().trimmed());
        Cmd.Result again = d.docker("pull", ref).ok();
        assertTrue(again.out().contains("Status: Image is up to date for " + ref), again.toString());
        d.docker("tag", ref, "multi:test").ok();
    }

    /**
     * Every layer snapshot of {@code ref} was unpacked by pouchd as its bytes came (label {@code io.pouch.unpacked-by}),
     * not by containerd's Apply, the fallback that would leave pulls correct but slower.
     */
    private void assertUnpackedByPouchd(String ref) throws Exception {
        String sock = d.base().resolve("run/containerd/containerd.sock").toString();
        String layers = d.docker("image", "inspect", "-f", "{{range .RootFS.Layers}}{{.}} {{end}}", ref).ok().trimmed();
        String chain = null;
        for (String diffId : layers.split(" ")) {
            chain = chain == null ? diffId
                    : "sha256:" + sha256((chain + " " + diffId).getBytes(StandardCharsets.UTF_8));
            Cmd.Result info = Cmd.run(List.of("ctr", "--address", sock, "-n", "pouch", "snapshots", "info", chain),
                    Map.of(), null, Duration.ofSeconds(10)).ok();
            assertTrue(info.out().matches("(?s).*\"io.pouch.unpacked-by\":\\s*\"pouchd\".*"), info.toString());
        }
    }

    /**
     * Every blob of {@code ref} (manifest, config, layers) was staged by pouchd and linked into containerd's store
     * (label {@code io.pouch.staged-by}), not streamed through Content.Write, the fallback that would leave pulls
     * correct but slower.
     */
    private void assertStagedByPouchd(String ref) throws Exception {
        String repoDigest = d.docker("image", "inspect", "-f", "{{index .RepoDigests 0}}", ref).ok().trimmed();
        assertAllStagedByPouchd(contentLines(repoDigest.substring(repoDigest.indexOf('@') + 1)));
    }

    @Test
    void aLoadedImagesBlobsAreLinkedIntoContainerdsStore() {
        // as they were right after the load before the tests (a later pull of multi:test may store them again)
        assertAllStagedByPouchd(loadedBlobs);
    }

    private static void assertAllStagedByPouchd(List<String> contentLines) {
        for (String line : contentLines) {
            assertTrue(line.contains("io.pouch.staged-by=pouchd"), line);
        }
    }

    /** The manifest digest of containerd's record {@code name}. */
    private static String manifestOf(String name) throws Exception {
        String images = ctr("images", "ls");
        String line = images.lines().filter(x -> x.startsWith(name + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no record of " + name + ":\n" + images));
        return Arrays.stream(line.split("\\s+")).filter(x -> x.startsWith("sha256:")).findFirst().orElseThrow();
    }

    /** {@code ctr content ls}'s lines of the manifest's blobs: the manifest, its config and its layers. */
    private static List<String> contentLines(String manifest) throws Exception {
        JsonNode m = JSON.readTree(ctr("content", "get", manifest));
        List<String> blobs = new ArrayList<>(List.of(manifest, m.path("config").path("digest").asText()));
        m.path("layers").forEach(l -> blobs.add(l.path("digest").asText()));
        String listing = ctr("content", "ls");
        List<String> lines = new ArrayList<>();
        for (String blob : blobs) {
            lines.add(listing.lines().filter(x -> x.startsWith(blob)).findFirst().orElseThrow(() ->
                    new AssertionError(blob + " is not in containerd's content store:\n" + listing)));
        }
        return lines;
    }

    private static String ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", d.base().resolve("run/containerd/containerd.sock")
                .toString(), "-n", "pouch"));
        cmd.addAll(List.of(args));
        return Cmd.run(cmd, Map.of(), null, Duration.ofSeconds(10)).ok().out();
    }

    @Test
    void apiStreamsDockerdsProgressMessages() throws Exception {
        String ref = "127.0.0.1:" + plainPort + "/pouch/progress";
        d.docker("tag", "busybox", ref + ":p").ok();
        d.docker("push", ref + ":p").ok();
        d.docker("rmi", ref + ":p").ok();
        Cmd.Result r = d.curl("/v1.41/images/create?fromImage=" + ref.replace(":", "%3A").replace("/", "%2F") + "&tag=p",
                "-X", "POST");
        assertTrue(r.out().trim().endsWith("200"), r.toString());
        List<String> statuses = new ArrayList<>();
        for (String line : r.out().split("\r?\n")) {
            if (line.startsWith("{")) {
                statuses.add(JSON.readTree(line).path("status").asText());
            }
        }
        assertEquals("Pulling from pouch/progress", statuses.getFirst(), statuses.toString());
        assertTrue(statuses.contains("Status: Downloaded newer image for " + ref + ":p")
                || statuses.contains("Status: Image is up to date for " + ref + ":p"), statuses.toString());
        assertTrue(statuses.stream().anyMatch(s -> s.startsWith("Digest: sha256:")), statuses.toString());
        d.docker("rmi", ref + ":p");
    }

    @Test
    void removingThePulledTagDeletesTheImageWithItsDigestReference() {
        String maker = "digest-mk-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        d.docker("run", "--name", maker, "busybox", "sh", "-c", "echo " + maker + " > /m").ok();
        String ref = "127.0.0.1:" + plainPort + "/pouch/lastref:v1";
        d.docker("commit", maker, ref).ok();
        d.docker("rm", maker).ok();
        d.docker("push", ref).ok();
        String id = d.docker("image", "inspect", "-f", "{{.Id}}", ref).ok().trimmed();
        d.docker("rmi", ref).ok();
        d.docker("pull", ref).ok();
        String digestRef = d.docker("image", "inspect", "-f", "{{index .RepoDigests 0}}", ref).ok().trimmed();
        assertTrue(digestRef.startsWith("127.0.0.1:" + plainPort + "/pouch/lastref@sha256:"), digestRef);

        // as dockerd: the digest reference of the repository goes with its last tag, then the image
        String out = d.docker("rmi", ref).ok().out();
        assertTrue(out.contains("Untagged: " + ref + "\n") && out.contains("Untagged: " + digestRef + "\n")
                && out.contains("Deleted: " + id), out);
        assertFalse(d.docker("images", "-a", "-q", "--no-trunc").ok().out().contains(id), "no <none> image left");
    }

    @Test
    void unknownTagAndRepositoryAreNotFound() {
        Cmd.Result r = d.docker("pull", "127.0.0.1:" + plainPort + "/pouch/none:nope");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("manifest for 127.0.0.1:" + plainPort + "/pouch/none:nope not found"), r.toString());
        Cmd.Result api = d.curl("/images/create?fromImage=127.0.0.1%3A" + plainPort + "%2Fpouch%2Fnone&tag=x", "-X", "POST");
        assertTrue(api.out().trim().endsWith("404"), api.toString());
    }

    @Test
    void invalidReferencesAreBadRequests() {
        Cmd.Result api = d.curl("/images/create?fromImage=no%20spaces&tag=x", "-X", "POST");
        assertTrue(api.out().trim().endsWith("400"), api.toString());
        Cmd.Result tag = d.curl("/images/create?fromImage=busybox&tag=bad%2Ftag", "-X", "POST");
        assertTrue(tag.out().trim().endsWith("400"), tag.toString());
        assertNotEquals(0, d.docker("push", "127.0.0.1:" + plainPort + "/not/here:x").exit());
    }

    @Test
    void tlsRegistryWithTheTestsCaAndAWrongCa() {
        String ref = "127.0.0.1:" + tlsPort + "/pouch/tls:1";
        d.docker("tag", "busybox", ref).ok();
        d.docker("push", ref).ok();
        d.docker("rmi", ref).ok();
        d.docker("pull", ref).ok();
        assertEquals("tls", d.docker("run", "--rm", ref, "echo", "tls").ok().trimmed());
        Cmd.Result wrong = d.docker("pull", "localhost:" + tlsPort + "/pouch/tls:1");
        assertEquals(1, wrong.exit(), wrong.toString());
        assertTrue(wrong.err().contains("localhost:" + tlsPort), wrong.toString());
        rmiQuiet(ref);
    }

    @Test
    void basicAuthLoginPushPullAndWrongPassword() {
        String host = "127.0.0.1:" + basicPort;
        String ref = host + "/pouch/private:1";
        d.docker("tag", "busybox", ref).ok();
        Cmd.Result anon = d.docker("push", ref);
        assertEquals(1, anon.exit(), anon.toString());
        assertTrue(anon.err().contains(host), anon.toString());
        Cmd.Result bad = d.docker("login", "-u", "tester", "-p", "wrong", host);
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.err().contains(host) && bad.err().contains("401"), bad.toString());
        Cmd.Result good = d.docker("login", "-u", "tester", "-p", "s3cret", host);
        assertEquals(0, good.exit(), good.toString());
        assertTrue(good.out().contains("Login Succeeded"), good.toString());
        d.docker("push", ref).ok();
        d.docker("rmi", ref).ok();
        d.docker("pull", ref).ok();
        d.docker("logout", host).ok();
        d.docker("rmi", ref).ok();
        Cmd.Result after = d.docker("pull", ref);
        assertEquals(1, after.exit(), after.toString());
    }

    @Test
    void bearerTokenFlowLoginPushPull() {
        String host = "127.0.0.1:" + tokenPort;
        String ref = host + "/pouch/tok:1";
        Cmd.Result bad = d.docker("login", "-u", "tester", "-p", "nope", host);
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.err().contains(host), bad.toString());
        d.docker("login", "-u", "tester", "-p", "s3cret", host).ok();
        d.docker("tag", "busybox", ref).ok();
        d.docker("push", ref).ok();
        d.docker("rmi", ref).ok();
        d.docker("pull", ref).ok();
        d.docker("logout", host).ok();
        Cmd.Result anon = d.docker("pull", host + "/pouch/tok:1");
        assertEquals(1, anon.exit(), anon.toString());
        assertTrue(anon.err().contains(host), anon.toString());
        rmiQuiet(ref);
    }

    @Test
    void tamperedTruncatedAndVanishingDownloadsLeaveNothing() throws Exception {
        String direct = "127.0.0.1:" + plainPort + "/pouch/fragile:1";
        String via = "127.0.0.1:" + proxyPort + "/pouch/fragile:1";
        d.docker("tag", "multi:test", direct).ok();
        d.docker("push", direct).ok();
        d.docker("rmi", "-f", d.docker("image", "inspect", "-f", "{{.Id}}", direct).ok().trimmed()).ok();
        try {
            proxyMode.set("tamper");
            Cmd.Result t = d.docker("pull", via);
            assertEquals(1, t.exit(), t.toString());
            assertTrue(t.err().contains("verification failed"), t.toString());
            assertNotEquals(0, d.docker("image", "inspect", via).exit());

            proxyMode.set("truncate");
            Cmd.Result tr = d.docker("pull", via);
            assertEquals(1, tr.exit(), tr.toString());
            assertTrue(tr.err().contains("attempts"), tr.toString());
            assertNotEquals(0, d.docker("image", "inspect", via).exit());

            proxyMode.set("down");
            Cmd.Result down = d.docker("pull", via);
            assertEquals(1, down.exit(), down.toString());
            assertNotEquals(0, d.docker("image", "inspect", via).exit());
            proxy = startProxy(proxyPort); // the same port: the image's name holds it
            // one broken download: resumed with a Range request, and the pull succeeds
            proxyMode.set("truncate-once");
            rangeRequests.set(0);
            Cmd.Result ok = d.docker("pull", via);
            assertTrue(rangeRequests.get() > 0, "no Range request after a broken download");
            assertEquals(0, ok.exit(), ok.toString());
            assertEquals("layer two says hi", d.docker("run", "--rm", via, "cat", "/data/hello.txt").ok().trimmed());
            assertFalse(leftoverSpool(), "spool or staged files left behind");
        } finally {
            proxyMode.set("pass");
            d.docker("tag", via, "multi:test");
            rmiQuiet(via);
        }
    }

    private static boolean leftoverSpool() throws IOException {
        Path tmp = d.base().resolve("home/image/tmp");
        if (!Files.isDirectory(tmp)) {
            return false;
        }
        try (var s = Files.list(tmp)) {
            if (s.anyMatch(p -> p.getFileName().toString().startsWith("pull-"))) {
                return true;
            }
        }
        // blobs staged for containerd's store (StagedBlob), tampered, truncated and broken ones included
        Path staged = tmp.resolve("blobs");
        if (!Files.isDirectory(staged)) {
            return false;
        }
        try (var s = Files.list(staged)) {
            return s.findAny().isPresent();
        }
    }

    @Test
    void pouchCliPushPullAndRunPullsAMissingImage() {
        String ref = "127.0.0.1:" + plainPort + "/pouch/cli:1";
        d.pouch("tag", "busybox", ref).ok();
        Cmd.Result push = d.pouch("push", ref).ok();
        assertTrue(push.out().contains("1: digest: sha256:"), push.toString());
        d.pouch("rmi", ref).ok();
        Cmd.Result pull = d.pouch("pull", ref).ok();
        assertTrue(pull.out().contains("Status: "), pull.toString());
        d.pouch("rmi", ref).ok();
        Cmd.Result run = d.pouch("run", "--rm", ref, "echo", "pulled by run");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("pulled by run"), run.toString());
        assertTrue(d.pouch("search", "127.0.0.1:" + plainPort + "/pouch/cli").ok().out().contains("pouch/cli"));
        rmiQuiet(ref);
    }

    @Test
    void twoPullsOfOneImageAtOnceDownloadEachLayerOnce() throws Exception {
        String direct = "127.0.0.1:" + plainPort + "/pouch/twice:1";
        String via = "127.0.0.1:" + proxyPort + "/pouch/twice:1";
        d.docker("tag", "multi:test", direct).ok();
        d.docker("push", direct).ok();
        d.docker("rmi", "-f", d.docker("image", "inspect", "-f", "{{.Id}}", direct).ok().trimmed()).ok();
        try {
            proxyMode.set("slow");
            bigBlobGets.clear();
            var pool = Executors.newVirtualThreadPerTaskExecutor();
            var first = pool.submit(() -> d.docker("pull", via));
            var second = pool.submit(() -> d.docker("pull", via));
            Cmd.Result a = first.get();
            Cmd.Result b = second.get();
            pool.close();
            assertEquals(0, a.exit(), a.toString());
            assertEquals(0, b.exit(), b.toString());
            // busybox's layer is there already: the 3 MiB layer is the big one downloaded
            assertEquals(1, bigBlobGets.size(), "the big layer: " + bigBlobGets);
            bigBlobGets.forEach((path, n) -> assertEquals(1, n, path + " was downloaded " + n + " times"));
            // the second pull joined the first one's downloads
            assertTrue(a.out().contains("Waiting") || b.out().contains("Waiting"), a + "\n" + b);
            assertEquals("layer two says hi", d.docker("run", "--rm", via, "cat", "/data/hello.txt").ok().trimmed());
        } finally {
            proxyMode.set("pass");
            d.docker("tag", via, "multi:test");
            rmiQuiet(via);
        }
    }

    @Test
    void pullAllTagsWithBothClis() {
        String repo = "127.0.0.1:" + plainPort + "/pouch/alltags";
        for (String t : List.of("a", "b")) {
            d.docker("tag", "busybox", repo + ":" + t).ok();
            d.docker("push", repo + ":" + t).ok();
        }
        try {
            rmiQuiet(repo + ":a", repo + ":b");
            Cmd.Result docker = d.docker("pull", "--all-tags", repo).ok();
            assertTrue(docker.out().contains("a: Pulling from pouch/alltags") && docker.out().contains("b: Pulling from pouch/alltags"),
                    docker.toString());
            d.docker("image", "inspect", repo + ":a").ok();
            d.docker("image", "inspect", repo + ":b").ok();
            rmiQuiet(repo + ":a", repo + ":b");
            d.pouch("pull", "-a", repo).ok();
            d.docker("image", "inspect", repo + ":a").ok();
            d.docker("image", "inspect", repo + ":b").ok();
            Cmd.Result tagged = d.pouch("pull", "-a", repo + ":a");
            assertEquals(125, tagged.exit(), tagged.toString());
            assertTrue(tagged.err().contains("tag can't be used with --all-tags/-a"), tagged.toString());
            Cmd.Result unknown = d.docker("pull", "-a", "127.0.0.1:" + plainPort + "/pouch/nosuchrepo");
            assertEquals(1, unknown.exit(), unknown.toString());
            assertTrue(unknown.err().contains("not found"), unknown.toString());
        } finally {
            rmiQuiet(repo + ":a", repo + ":b");
        }
    }

    @Test
    void searchListsTheRegistrysCatalog() {
        d.docker("tag", "busybox", "127.0.0.1:" + plainPort + "/findme/box:1").ok();
        d.docker("push", "127.0.0.1:" + plainPort + "/findme/box:1").ok();
        Cmd.Result r = d.docker("search", "127.0.0.1:" + plainPort + "/findme");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("127.0.0.1:" + plainPort + "/findme/box"), r.toString());
        rmiQuiet("127.0.0.1:" + plainPort + "/findme/box:1");
    }

    /**
     * An OCI image whose second layer is tar+zstd, compressed offline with Debian's zstd: loaded (entries checked
     * and diff id computed through the zstd stream), pushed, removed, pulled (containerd's diff service unpacks the
     * zstd layer), run, and saved (the docker-save tar holds the layer uncompressed).
     */
    @Test
    void zstdLayerLoadPushPullRunSave() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/zstd")), "zstd is not installed (apt-get install zstd)");
        String ref = "127.0.0.1:" + plainPort + "/pouch/zstd:1";
        Path work = Files.createDirectories(dir.resolve("zstd"));
        String src = System.getenv().getOrDefault("POUCH_TEST_IMAGE_TAR", Cmd.repoRoot().resolve("target/busybox.tar").toString());
        Cmd.run(List.of("tar", "-xf", src, "-C", work.toString()), Map.of(), null, Duration.ofSeconds(60)).ok();
        ObjectNode entry = (ObjectNode) JSON.readTree(work.resolve("manifest.json").toFile()).get(0);
        ObjectNode config = (ObjectNode) JSON.readTree(work.resolve(entry.get("Config").asText()).toFile());
        config.remove("history");
        Path blobs = Files.createDirectories(work.resolve("oci/blobs/sha256"));
        ArrayNode layers = JSON.createArrayNode();
        byte[] base = Files.readAllBytes(work.resolve(entry.get("Layers").get(0).asText()));
        layers.add(descriptor("application/vnd.oci.image.layer.v1.tar", put(blobs, base), base.length));
        Files.createDirectories(work.resolve("zroot/data"));
        Files.writeString(work.resolve("zroot/data/zstd.txt"), "unpacked from zstd\n");
        shIn("tar -cf zstd/layer.tar -C zstd/zroot data && zstd -q -19 -f zstd/layer.tar -o zstd/layer.tar.zst");
        byte[] plain = Files.readAllBytes(work.resolve("layer.tar"));
        byte[] zst = Files.readAllBytes(work.resolve("layer.tar.zst"));
        assertEquals(0x28, zst[0] & 0xff, "zstd magic");
        layers.add(descriptor("application/vnd.oci.image.layer.v1.tar+zstd", put(blobs, zst), zst.length));
        ArrayNode diffIds = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        diffIds.add("sha256:" + sha256(base));
        diffIds.add("sha256:" + sha256(plain));
        byte[] cfg = JSON.writeValueAsBytes(config);
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.set("config", descriptor("application/vnd.oci.image.config.v1+json", put(blobs, cfg), cfg.length));
        manifest.set("layers", layers);
        byte[] m = JSON.writeValueAsBytes(manifest);
        ObjectNode md = descriptor("application/vnd.oci.image.manifest.v1+json", put(blobs, m), m.length);
        md.putObject("annotations").put("io.containerd.image.name", ref);
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
        index.putArray("manifests").add(md);
        Files.write(work.resolve("oci/index.json"), JSON.writeValueAsBytes(index));
        Files.writeString(work.resolve("oci/oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        shIn("tar -cf zstd/oci.tar -C zstd/oci oci-layout index.json blobs");
        try {
            d.docker("load", "-i", work.resolve("oci.tar").toString()).ok();
            d.docker("push", ref).ok();
            String id = d.docker("image", "inspect", "-f", "{{.Id}}", ref).ok().trimmed();
            d.docker("rmi", "-f", id).ok();
            Cmd.Result pull = d.docker("pull", ref).ok();
            assertTrue(pull.out().contains("Pull complete"), pull.toString());
            assertEquals(id, d.docker("image", "inspect", "-f", "{{.Id}}", ref).ok().trimmed());
            assertEquals("unpacked from zstd", d.docker("run", "--rm", ref, "cat", "/data/zstd.txt").ok().trimmed());
            // save writes the layer uncompressed, with the diff id as its digest
            d.docker("save", "-o", work.resolve("saved.tar").toString(), ref).ok();
            Files.createDirectories(work.resolve("saved"));
            shIn("tar -xf zstd/saved.tar -C zstd/saved");
            String last = JSON.readTree(work.resolve("saved/manifest.json").toFile()).get(0).get("Layers").get(1).asText();
            assertEquals(sha256(plain), sha256(Files.readAllBytes(work.resolve("saved").resolve(last))));
        } finally {
            rmiQuiet(ref);
        }
    }

    private static ObjectNode descriptor(String mediaType, String digest, long size) {
        return JSON.createObjectNode().put("mediaType", mediaType).put("digest", digest).put("size", size);
    }

    /** Writes {@code b} into an OCI layout's blobs directory; returns its digest. */
    private static String put(Path blobs, byte[] b) throws Exception {
        String hex = sha256(b);
        Files.write(blobs.resolve(hex), b);
        return "sha256:" + hex;
    }
}
