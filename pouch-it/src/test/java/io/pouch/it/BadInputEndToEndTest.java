package io.pouch.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input and request limits at the HTTP level, through curl on the socket and the docker CLI, against a pouchd of
 * its own with the heap the packaged daemon runs with (256 MiB): bodies of the wrong JSON types, bad port bindings,
 * request heads up to 1 MiB and beyond, and concurrent large bodies, each of which gets an answer.
 */
@Tag("e2e")
class BadInputEndToEndTest {
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.startConfigured("pouch-it-bi-", "pbi", "{}", Map.of("JAVA_TOOL_OPTIONS", "-Xmx256m"));
    }

    @AfterAll
    static void stop() {
        if (d != null) {
            d.close();
        }
    }

    /** The answer of a JSON POST: its body and, on the last line, its status. */
    private static Cmd.Result post(String path, String json) {
        return d.curl(path, "-XPOST", "-H", "Content-Type: application/json", "-d", json);
    }

    private static void assertAnswer(Cmd.Result r, int status, String message) {
        assertEquals("{\"message\":\"" + message.replace("\"", "\\\"") + "\"}\n\n" + status, r.out(), r.toString());
    }

    private static int containers() {
        String out = d.docker("ps", "-aq").ok().trimmed();
        return out.isEmpty() ? 0 : out.split("\\s+").length;
    }

    @Test
    void wrongJsonTypesAre400NamingTheFieldWithoutAStackTrace() {
        int before = containers();
        assertAnswer(post("/containers/create", "{\"Image\":\"busybox\",\"Tty\":\"yes\"}"), 400,
                "invalid value for Tty: \"yes\" is not a boolean");
        assertAnswer(post("/containers/create", "{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":\"lots\"}}"), 400,
                "invalid value for HostConfig.Memory: \"lots\" is not an integer");
        assertAnswer(post("/containers/create", "{\"Image\":\"busybox\",\"Labels\":[\"a\"]}"), 400,
                "invalid value for Labels: an array is not an object");
        assertAnswer(post("/containers/create", "{\"Image\":\"busybox\",\"StopTimeout\":\"x\"}"), 400,
                "invalid value for StopTimeout: \"x\" is not an integer");
        assertAnswer(post("/networks/create", "{\"Name\":\"bi-net\",\"Internal\":\"yes\"}"), 400,
                "invalid value for Internal: \"yes\" is not a boolean");
        assertAnswer(post("/volumes/create", "{\"Name\":1}"), 400, "invalid value for Name: the number 1 is not a string");
        String c = "bi-types";
        d.docker("create", "--name", c, "busybox", "true").ok();
        assertAnswer(post("/containers/" + c + "/exec", "{\"Cmd\":[\"true\"],\"Tty\":\"yes\"}"), 400,
                "invalid value for Tty: \"yes\" is not a boolean");
        assertAnswer(post("/containers/" + c + "/update", "{\"Memory\":\"x\"}"), 400,
                "invalid value for Memory: \"x\" is not an integer");
        assertAnswer(post("/networks/bridge/connect", "{\"Container\":\"" + c + "\",\"EndpointConfig\":{\"Aliases\":7}}"),
                400, "invalid value for EndpointConfig.Aliases[0]: the number 7 is not a string");
        assertTrue(post("/containers/create", "{\"Image\":").out().startsWith("{\"message\":\"invalid JSON at line 1"));
        d.docker("rm", c).ok();
        assertEquals(before, containers(), "nothing was created");
        String log = d.log();
        assertFalse(log.contains("MismatchedInputException") || log.contains("com.fasterxml"), "no stack trace logged");
    }

    @Test
    void badPortBindingsAreRefusedBeforeAnythingIsCreated() {
        int before = containers();
        assertAnswer(post("/containers/create", "{\"Image\":\"busybox\",\"HostConfig\":{\"PortBindings\":"
                + "{\"80/tcp\":\"x\"}}}"), 400, "invalid value for HostConfig.PortBindings.80/tcp: \"x\" is not an array");
        assertAnswer(post("/containers/create", "{\"Image\":\"busybox\",\"HostConfig\":{\"PortBindings\":"
                + "{\"web/tcp\":[]}}}"), 400, "invalid port specification: \"web\"");
        assertAnswer(post("/containers/create", "{\"Image\":\"busybox\",\"HostConfig\":{\"PortBindings\":"
                + "{\"80/tcp\":[{\"HostPort\":\"x\"}]}}}"), 400, "invalid port specification: \"x\"");
        assertAnswer(post("/containers/create", "{\"Image\":\"busybox\",\"ExposedPorts\":{\"80/tcp\":\"x\"}}"), 400,
                "invalid value for ExposedPorts.80/tcp: \"x\" is not an object");
        assertEquals(before, containers(), "nothing was created");
        // what the CLI sends is accepted and reads back
        String c = "bi-ports";
        d.docker("create", "--name", c, "-p", "127.0.0.1::80", "-p", "5300-5301:53/udp", "--expose", "90",
                "busybox", "true").ok();
        String bindings = d.docker("inspect", "-f", "{{json .HostConfig.PortBindings}}", c).ok().out();
        assertTrue(bindings.contains("\"53/udp\":[{\"HostIp\":\"\",\"HostPort\":\"5300")
                && bindings.contains("\"80/tcp\":[{\"HostIp\":\"127.0.0.1\""), bindings);
        d.docker("rm", c).ok();
    }

    @Test
    void requestHeadsUpTo1MiBAreServedAndLargerOnesAnswered() throws Exception {
        // a ps with hundreds of filters: its request line is far beyond the old 4 KiB
        List<String> ps = new ArrayList<>(List.of("ps", "-aq"));
        for (int i = 0; i < 300; i++) {
            ps.add("--filter");
            ps.add("label=bi-key-" + i + "=value-" + i);
        }
        assertEquals("", d.docker(ps.toArray(String[]::new)).ok().trimmed());
        Path dir = Files.createTempDirectory("bi-heads");
        try {
            // curl itself sends no more than some 280 KB of head
            Path big = Files.writeString(dir.resolve("auth"), "X-Registry-Auth: " + "a".repeat(200_000) + "\n");
            assertEquals("OK\n200", d.curl("/_ping", "-H", "@" + big).out());
        } finally {
            Cmd.run(List.of("rm", "-rf", dir.toString()), Map.of(), null, java.time.Duration.ofSeconds(30));
        }
        assertTrue(raw("GET /_ping HTTP/1.1\r\nHost: d\r\nX-Registry-Auth: " + "a".repeat(1_000_000) + "\r\n\r\n")
                .startsWith("HTTP/1.1 200 OK\r\n"));
        String headers = raw("GET /_ping HTTP/1.1\r\nHost: d\r\nX-Registry-Auth: " + "a".repeat(1_100_000)
                + "\r\n\r\n");
        assertTrue(headers.startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"), headers);
        assertTrue(headers.endsWith("\r\n\r\n{\"message\":\"request headers too large: the limit is 1024 KiB\"}\n"),
                headers);
        String line = raw("GET /containers/json?filters=" + "x".repeat(1_100_000) + " HTTP/1.1\r\nHost: d\r\n\r\n");
        assertTrue(line.startsWith("HTTP/1.1 414 Request-URI Too Long\r\n"), line);
        assertTrue(line.endsWith("\r\n\r\n{\"message\":\"request line too long: the limit is 1024 KiB\"}\n"), line);
    }

    /**
     * One request sent as it is on a connection of its own (curl sends no head this large), and everything the
     * daemon answers until it closes; the request is written on its own thread, as the answer may come first.
     */
    private static String raw(String request) throws Exception {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try (ExecutorService reader = Executors.newSingleThreadExecutor()) {
            Future<String> answer = reader.submit(() -> exchange(ch, request));
            try {
                return answer.get(60, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("no answer within 60 s to a request of " + request.length() + " bytes");
            } finally {
                ch.close(); // also ends a read that still waits
            }
        }
    }

    private static String exchange(SocketChannel ch, String request) throws Exception {
        ch.connect(UnixDomainSocketAddress.of(d.host().substring("unix://".length())));
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            } catch (IOException e) {
                // the daemon answered and closed before the whole request was sent
            }
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        String text = "";
        while (ch.read(buf.clear()) > 0) {
            out.write(buf.array(), 0, buf.position());
            text = out.toString(StandardCharsets.ISO_8859_1);
            String lower = text.toLowerCase(java.util.Locale.ROOT);
            if (text.contains("\r\n\r\n") && lower.contains("content-length: ")) {
                int len = Integer.parseInt(lower.replaceAll("(?s).*content-length: (\\d+).*", "$1"));
                if (out.size() >= text.indexOf("\r\n\r\n") + 4 + len) {
                    break;
                }
            }
        }
        writer.join();
        return text;
    }

    /** A create body with {@code n} environment variables of 1000 bytes each. */
    private static Path createBody(Path dir, String name, int n) throws IOException {
        StringBuilder b = new StringBuilder("{\"Image\":\"busybox\",\"Cmd\":[\"true\"],\"Env\":[");
        String value = "x".repeat(1000);
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("\"V").append(i).append('=').append(value).append('"');
        }
        return Files.writeString(dir.resolve(name), b.append("]}").toString());
    }

    private static List<Cmd.Result> concurrently(int n, Path body) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<Cmd.Result>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> d.curl("/containers/create", "-XPOST", "-H", "Content-Type: application/json",
                        "--data-binary", "@" + body)));
            }
            List<Cmd.Result> out = new ArrayList<>();
            for (Future<Cmd.Result> f : fs) {
                out.add(f.get());
            }
            return out;
        }
    }

    @Test
    void concurrentLargeBodiesAreEachAnswered() throws Exception {
        Path dir = Files.createTempDirectory("bi-bodies");
        try {
            for (Cmd.Result r : concurrently(4, createBody(dir, "50m", 50_000))) {
                assertAnswer(r, 413, "request body too large: the limit for a JSON body is 16 MiB");
            }
            int created = 0;
            int busy = 0;
            for (Cmd.Result r : concurrently(4, createBody(dir, "12m", 12_000))) {
                if (r.out().endsWith("\n201")) {
                    created++;
                } else {
                    assertTrue(r.out().startsWith("{\"message\":\"the daemon is busy with other large requests")
                            && r.out().endsWith("\n503"), r.toString());
                    busy++;
                }
            }
            System.out.println("4 concurrent 12 MB creates at 256 MiB of heap: " + created + " created, " + busy
                    + " answered 503");
            assertTrue(created >= 1, "the budget admits one at least");
            assertEquals("OK\n200", d.curl("/_ping").out(), "the daemon serves on");
            assertFalse(d.log().contains("OutOfMemoryError"));
        } finally {
            Cmd.run(List.of("rm", "-rf", dir.toString()), Map.of(), null, java.time.Duration.ofSeconds(30));
        }
    }
}
