package io.pouch.daemon.api;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starts the real server on a temporary unix socket and talks raw HTTP/1.1 to it, as the docker CLI would. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpServerTest {
    static Path dir;
    static Path sock;
    static HttpServer server;
    static final CountDownLatch releaseStream = new CountDownLatch(1);

    record Body(String name, int size) {
    }

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("http-test");
        sock = dir.resolve("api.sock");
        Files.createFile(sock.resolveSibling("placeholder"));
        Router r = new Router();
        r.add("GET", "/_ping", ex -> ex.respondBytes(200, "text/plain; charset=utf-8",
                ex.method().equals("HEAD") ? new byte[0] : "OK".getBytes(), Map.of("Swarm", "inactive")));
        r.addInline("GET", "/where", ex -> ex.respond(200, Map.of("virtual", Thread.currentThread().isVirtual())));
        r.add("GET", "/where-blocking", ex -> ex.respond(200, Map.of("virtual", Thread.currentThread().isVirtual())));
        // answered on the loop unless asked for ?miss=1: then the attempt writes nothing and the handler runs
        r.addInline("GET", "/cached", ex -> {
            if (ex.queryBool("miss", false)) {
                return false;
            }
            ex.respond(200, List.of("attempt", Thread.currentThread().isVirtual()));
            return true;
        }, ex -> ex.respond(200, List.of("handler", Thread.currentThread().isVirtual())));
        r.add("GET", "/images/{name*}/json", ex -> ex.respond(200, Map.of("name", ex.pathParam("name"),
                "version", ex.apiVersion().toString())));
        r.add("POST", "/echo", ex -> {
            Body b = ex.bodyJson(Body.class);
            ex.respond(200, b == null ? Map.of("empty", true) : b);
        });
        r.add("POST", "/boom", ex -> {
            throw new IllegalStateException("kaboom");
        });
        r.add("POST", "/conflict", ex -> {
            throw PouchException.conflict("name is in use");
        });
        r.add("POST", "/wait", ex -> {
            OutputStream out = ex.startStream(200, "application/json", Map.of(), true);
            releaseStream.await(20, TimeUnit.SECONDS);
            out.write("{\"StatusCode\":0}\n".getBytes());
        });
        r.addStreaming("POST", "/upload", ex -> {
            InputStream in = ex.body();
            long n = 0;
            byte[] buf = new byte[8192];
            for (int k; (k = in.read(buf)) > 0; ) {
                n += k;
            }
            ex.respond(200, Map.of("bytes", n));
        });
        r.add("POST", "/attach", ex -> {
            HijackedStream s = ex.hijack("application/vnd.docker.raw-stream");
            byte[] in = s.input().readAllBytes(); // ends when the client half-closes
            // not a wait for anything: the output comes late on purpose, so a server that closed the connection at
            // the client's half-close would lose it
            Thread.sleep(100);
            s.output().write(("got:" + new String(in)).getBytes());
            s.close();
        });
        // as pouchd starts it: its event loops made beforehand on their own thread (the other servers of these
        // tests make theirs when they start)
        HttpServer.prepareEventLoops();
        server = new HttpServer(List.of("unix://" + sock), r, "9.9.9");
        server.start();
    }

    @AfterAll
    static void stop() throws IOException {
        releaseStream.countDown();
        if (server != null) {
            server.close();
        }
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    // ---- a deliberately tiny client: enough HTTP to check what goes over the wire ----

    static final class Conn implements AutoCloseable {
        final SocketChannel ch;
        final InputStream in;

        Conn() throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(sock));
            in = Channels.newInputStream(ch);
        }

        void send(String s) throws IOException {
            ch.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
        }

        /** Status line and headers (lower-cased names). */
        Map<String, String> head() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (!b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("EOF in head: " + b);
                }
                b.write(c);
            }
            String[] lines = b.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            Map<String, String> h = new LinkedHashMap<>();
            h.put(":status", lines[0]);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                h.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            return h;
        }

        String body(Map<String, String> head) throws IOException {
            return new String(in.readNBytes(Integer.parseInt(head.get("content-length"))), StandardCharsets.UTF_8);
        }

        String rest() throws IOException {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: api.moby.localhost\r\n\r\n";
    }

    private static String post(String path, String body, String... headers) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost:2375\r\n" + String.join("", headers)
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    @Test
    void socketIsGroupOnly() throws IOException {
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
    }

    @Test
    void pingHeadAndCommonHeaders() throws IOException {
        try (Conn c = new Conn()) {
            c.send("HEAD /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
            Map<String, String> h = c.head();
            assertEquals("HTTP/1.1 200 OK", h.get(":status"));
            assertEquals(ApiVersion.CURRENT.toString(), h.get("api-version"));
            assertEquals("linux", h.get("ostype"));
            assertEquals("false", h.get("docker-experimental"));
            assertEquals("Pouch/9.9.9 (linux)", h.get("server"));
            assertEquals("0", h.get("content-length"));
            // same connection: keep-alive, then GET with the body
            c.send(get("/v1.44/_ping"));
            Map<String, String> h2 = c.head();
            assertEquals("OK", c.body(h2));
            assertEquals("inactive", h2.get("swarm"));
        }
    }

    @Test
    void inlineRoutesAnswerOnTheEventLoopOthersOnVirtualThreadsPipelinedInOrder() throws IOException {
        try (Conn c = new Conn()) {
            // three requests in one write: each answered in turn, wherever it runs
            c.send(get("/where") + get("/where-blocking") + get("/v1.44/where"));
            for (String expected : List.of("false", "true", "false")) {
                Map<String, String> h = c.head();
                assertEquals("HTTP/1.1 200 OK", h.get(":status"));
                assertEquals("{\"virtual\":" + expected + "}\n", c.body(h));
            }
        }
    }

    @Test
    void anInlineAttemptThatNeedsAThreadLeavesTheAnswerToItsHandler() throws IOException {
        try (Conn c = new Conn()) {
            c.send(get("/cached?miss=1") + get("/cached") + get("/cached?miss=1"));
            // [who answered, on a virtual thread]
            for (String expected : List.of("[\"handler\",true]", "[\"attempt\",false]", "[\"handler\",true]")) {
                Map<String, String> h = c.head();
                assertEquals("HTTP/1.1 200 OK", h.get(":status"));
                assertEquals(expected + "\n", c.body(h), "one answer per request, by the right side");
            }
        }
    }

    @Test
    void tooNewVersionIs400WithDockerdWording() throws IOException {
        try (Conn c = new Conn()) {
            c.send(get("/v1.99/_ping"));
            Map<String, String> h = c.head();
            assertEquals("HTTP/1.1 400 Bad Request", h.get(":status"));
            assertEquals("{\"message\":\"client version 1.99 is too new. Maximum supported API version is "
                    + ApiVersion.CURRENT + "\"}\n", c.body(h));
            assertEquals(ApiVersion.CURRENT.toString(), h.get("api-version"));
        }
    }

    @Test
    void unknownPathIs404AndWrongMethod405() throws IOException {
        try (Conn c = new Conn()) {
            c.send(get("/nope"));
            Map<String, String> h = c.head();
            assertEquals("HTTP/1.1 404 Not Found", h.get(":status"));
            assertEquals("application/json", h.get("content-type"));
            assertEquals("{\"message\":\"page not found\"}\n", c.body(h));
            c.send(post("/_ping", ""));
            Map<String, String> h2 = c.head();
            assertTrue(h2.get(":status").startsWith("HTTP/1.1 405"), h2.get(":status"));
            c.body(h2);
        }
    }

    @Test
    void encodedAndRawSlashesInImageNames() throws IOException {
        try (Conn c = new Conn()) {
            c.send(get("/v1.44/images/127.0.0.1:5077%2Fe2e%2Fbusybox:1.29/json"));
            Map<String, String> h = c.head();
            assertEquals("{\"name\":\"127.0.0.1:5077/e2e/busybox:1.29\",\"version\":\"1.44\"}\n".length(),
                    Integer.parseInt(h.get("content-length")));
            assertTrue(c.body(h).contains("\"name\":\"127.0.0.1:5077/e2e/busybox:1.29\""));
            c.send(get("/images/127.0.0.1:5077/e2e/busybox:1.29/json"));
            assertTrue(c.body(c.head()).contains("\"name\":\"127.0.0.1:5077/e2e/busybox:1.29\""));
        }
    }

    @Test
    void aLargeHeaderArrivingInManyReadsIsServed() throws IOException {
        try (Conn c = new Conn()) {
            c.send("GET /_ping HTTP/1.1\r\nHost: d\r\nX-Registry-Auth: " + "a".repeat(900_000) + "\r\n\r\n");
            assertEquals("HTTP/1.1 200 OK", c.head().get(":status"));
        }
    }

    @Test
    void jsonBodies() throws IOException {
        try (Conn c = new Conn()) {
            // explicit nulls, unknown fields, trailing newline, text/plain
            c.send(post("/echo", "{\"name\":\"x\",\"size\":null,\"Extra\":[1]}\n", "Content-Type: text/plain\r\n"));
            assertEquals("{\"name\":\"x\",\"size\":0}\n", c.body(c.head()));
            c.send(post("/echo", ""));
            assertEquals("{\"empty\":true}\n", c.body(c.head()));
            c.send(post("/echo", "{\"name\":"));
            Map<String, String> h = c.head();
            assertEquals("HTTP/1.1 400 Bad Request", h.get(":status"));
            String b = c.body(h);
            assertTrue(b.startsWith("{\"message\":\"invalid JSON at line 1, column "), b);
        }
    }

    @Test
    void exceptionsBecomeStatuses() throws IOException {
        try (Conn c = new Conn()) {
            c.send(post("/conflict", ""));
            Map<String, String> h = c.head();
            assertEquals("HTTP/1.1 409 Conflict", h.get(":status"));
            assertEquals("{\"message\":\"name is in use\"}\n", c.body(h));
            c.send(post("/boom", ""));
            Map<String, String> h2 = c.head();
            assertEquals("HTTP/1.1 500 Internal Server Error", h2.get(":status"));
            assertEquals("{\"message\":\"kaboom\"}\n", c.body(h2));
        }
    }

    @Test
    void tooLargeBodyIs413() throws IOException {
        try (Conn c = new Conn()) {
            c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + (65L * 1024 * 1024) + "\r\n\r\n{");
            assertTrue(c.head().get(":status").startsWith("HTTP/1.1 413"));
        }
    }

    @Test
    void streamHeadersArriveBeforeTheBody() throws Exception {
        try (Conn c = new Conn()) {
            c.send(post("/v1.41/wait", ""));
            Map<String, String> h = c.head(); // must not wait for the handler to write anything
            assertEquals("HTTP/1.1 200 OK", h.get(":status"));
            assertEquals("chunked", h.get("transfer-encoding"));
            assertFalse(h.containsKey("content-length"));
            releaseStream.countDown();
            // one chunk with the JSON, then the last chunk
            String chunk = "{\"StatusCode\":0}\n";
            String expected = Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n";
            assertEquals(expected, new String(c.in.readNBytes(expected.length()), StandardCharsets.UTF_8));
            // keep-alive after a chunked stream
            c.send(get("/_ping"));
            assertEquals("OK", c.body(c.head()));
        }
    }

    @Test
    void chunkedStreamedUpload() throws IOException {
        try (Conn c = new Conn()) {
            StringBuilder req = new StringBuilder("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: APPLICATION_X_TAR\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            c.send(req.toString());
            byte[] block = new byte[100_000];
            for (int i = 0; i < 30; i++) {
                c.send(Integer.toHexString(block.length) + "\r\n");
                c.ch.write(ByteBuffer.wrap(block));
                c.send("\r\n");
            }
            c.send("0\r\n\r\n");
            assertEquals("{\"bytes\":3000000}\n", c.body(c.head()));
        }
    }

    @Test
    void hijackWithUpgradeSurvivesHalfClose() throws IOException {
        try (Conn c = new Conn()) {
            c.send(post("/v1.47/containers/x/attach?stream=1".replace("/containers/x", ""), "",
                    "Connection: Upgrade\r\n", "Upgrade: tcp\r\n"));
            Map<String, String> h = c.head();
            assertEquals("HTTP/1.1 101 UPGRADED", h.get(":status"));
            assertEquals("application/vnd.docker.raw-stream", h.get("content-type"));
            assertEquals("Upgrade", h.get("connection"));
            assertEquals("tcp", h.get("upgrade"));
            assertNull(h.get("content-length"));
            assertNull(h.get("transfer-encoding"));
            c.send("hello stdin");
            c.ch.shutdownOutput();
            assertEquals("got:hello stdin", c.rest());
        }
    }

    @Test
    void hijackWithoutUpgradeAnswers200Raw() throws IOException {
        try (Conn c = new Conn()) {
            c.send(post("/attach", "{\"Detach\":null,\"Tty\":null}"));
            Map<String, String> h = c.head();
            assertEquals("HTTP/1.1 200 OK", h.get(":status"));
            assertEquals("application/vnd.docker.raw-stream", h.get("content-type"));
            assertNull(h.get("content-length"));
            assertNull(h.get("transfer-encoding"));
            c.ch.shutdownOutput();
            assertEquals("got:", c.rest());
        }
    }

    @Test
    void staleSocketIsReplacedButLiveOneIsNot() throws Exception {
        Path other = dir.resolve("other.sock");
        HttpServer a = new HttpServer(List.of("unix://" + other), new Router());
        a.start();
        try {
            HttpServer b = new HttpServer(List.of("unix://" + other), new Router());
            IOException e = assertThrows(IOException.class, b::start);
            assertTrue(e.getMessage().contains("another daemon"), e.getMessage());
        } finally {
            a.close();
        }
        assertFalse(Files.exists(other));
        HttpServer tcp = new HttpServer(List.of("tcp://127.0.0.1:2376"), new Router());
        PouchException e = assertThrows(PouchException.class, tcp::start);
        assertTrue(e.getMessage().startsWith(HttpServer.TCP_NEEDS_TLS));
    }
}
