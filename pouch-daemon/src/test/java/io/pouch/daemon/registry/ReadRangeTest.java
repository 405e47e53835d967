package io.pouch.daemon.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pouch.daemon.config.RegistryConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Repository#readRange} against registries that misbehave in ways a real one on loopback does not (the
 * real registry's answers are covered end to end): one that ignores Range and sends the whole blob, and ones that
 * answer a range other than the one asked for, or too few bytes.
 */
class ReadRangeTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);
    private static final byte[] blob = new byte[300_000];
    /** How the server answers a Range GET: honour, ignore, shifted, short. */
    private static final AtomicReference<String> mode = new AtomicReference<>("honour");
    private static HttpServer server;
    /** One client for all tests: its first request probes HTTPS before plain HTTP, which takes a while. */
    private static Repository repo;

    @BeforeEach
    void honour() {
        mode.set("honour");
    }

    @BeforeAll
    static void start() throws IOException {
        new Random(7).nextBytes(blob);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v2/", ReadRangeTest::answer);
        server.start();
        String host = "127.0.0.1:" + server.getAddress().getPort();
        RegistryClient client = new RegistryClient(new RegistryConfig("docker.io", List.of(), List.of(host),
                Path.of("/nonexistent"), null));
        repo = client.repository(host, "test/blob", Credentials.NONE, false);
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static void answer(HttpExchange x) throws IOException {
        try (x) {
            if (x.getRequestURI().getPath().equals("/v2/")) {
                x.sendResponseHeaders(200, -1);
                return;
            }
            String range = x.getRequestHeaders().getFirst("Range");
            if (range == null || mode.get().equals("ignore")) {
                send(x, 200, blob);
                return;
            }
            String[] r = range.substring("bytes=".length()).split("-");
            int from = Integer.parseInt(r[0]);
            int to = Integer.parseInt(r[1]);
            if (mode.get().equals("shifted")) {
                from++;
                to++;
            }
            int end = mode.get().equals("short") ? to - 1 : to;
            if (mode.get().equals("stall")) {
                x.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + to + "/" + blob.length);
                x.sendResponseHeaders(206, to - from + 1);
                x.getResponseBody().write(blob, from, 10);
                x.getResponseBody().flush();
                try {
                    Thread.sleep(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            x.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + to + "/" + blob.length);
            send(x, 206, Arrays.copyOfRange(blob, from, end + 1));
        }
    }

    private static void send(HttpExchange x, int status, byte[] body) throws IOException {
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void aRangeIsTheBytesAskedFor() throws IOException {
        assertArrayEquals(Arrays.copyOfRange(blob, 0, 65536), repo.readRange(DIGEST, 0, 65536));
        assertArrayEquals(Arrays.copyOfRange(blob, 196608, 300_000), repo.readRange(DIGEST, 196608, 103392));
    }

    @Test
    void aRegistryThatIgnoresRangeIsReadAndSkipped() throws IOException {
        mode.set("ignore");
        assertArrayEquals(Arrays.copyOfRange(blob, 131072, 196608), repo.readRange(DIGEST, 131072, 65536));
        assertArrayEquals(Arrays.copyOfRange(blob, 299_990, 300_000), repo.readRange(DIGEST, 299_990, 10));
        IOException past = assertThrows(IOException.class, () -> repo.readRange(DIGEST, 299_995, 10));
        assertTrue(past.getMessage().contains("5 of the 10 bytes"), past.getMessage());
    }

    @Test
    void anotherRangeOrTooFewBytesIsAnError() {
        mode.set("shifted");
        IOException e = assertThrows(IOException.class, () -> repo.readRange(DIGEST, 0, 1000));
        assertTrue(e.getMessage().contains("Content-Range \"bytes 1-1000/300000\""), e.getMessage());
        mode.set("short");
        e = assertThrows(IOException.class, () -> repo.readRange(DIGEST, 0, 1000));
        assertTrue(e.getMessage().contains("999 of the 1000 bytes"), e.getMessage());
    }

    @Test
    void aBadRangeIsRefusedBeforeAnyRequest() {
        assertThrows(IllegalArgumentException.class, () -> repo.readRange(DIGEST, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> repo.readRange(DIGEST, 0, 0));
    }

    @Test
    void aRangeThatStopsComingIsAbandonedAfterTheStallTime() throws Exception {
        mode.set("stall");
        java.net.http.HttpResponse<java.io.InputStream> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + server.getAddress().getPort() + "/v2/test/blob/blobs/" + DIGEST))
                        .header("Range", RangeAnswer.header(0, 1000)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> RangeAnswer.read(r, DIGEST, 0, 1000,
                java.time.Duration.ofMillis(500)));
        assertTrue(e.getMessage().contains("sent nothing"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 2_500_000_000L, "abandoned before the registry went on");
    }
}
