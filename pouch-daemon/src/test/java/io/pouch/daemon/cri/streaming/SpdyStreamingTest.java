package io.pouch.daemon.cri.streaming;

import io.netty.handler.codec.http.FullHttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SPDY/3.1 side of the streaming server, driven by a client that behaves like kubectl's. */
class SpdyStreamingTest {
    private static final String SUCCESS = "{\"metadata\":{},\"status\":\"Success\"}";

    private final FakeRuntime runtime = new FakeRuntime();
    private StreamingServer server;

    @BeforeEach
    void start() throws Exception {
        server = new StreamingServer(new InetSocketAddress("127.0.0.1", 0), runtime);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static Map<String, String> type(String t) {
        return Map.of("streamtype", t);
    }

    @Test
    void execSendsStdoutThenSuccessStatusAndEndsTheConnection() throws Exception {
        String url = server.execUrl("c1", List.of("echo", "x", "y"), false, false, true, true);
        assertTrue(url.startsWith("http://127.0.0.1:" + server.address().getPort() + "/exec/"), url);
        try (SpdyTestClient c = SpdyTestClient.connect(url, "v4.channel.k8s.io", "v3.channel.k8s.io")) {
            FullHttpResponse r = c.response();
            assertEquals(101, r.status().code());
            assertEquals("v4.channel.k8s.io", r.headers().get(StreamingEntry.PROTOCOL_HEADER));
            int error = c.openStream(type("error"));
            int stdout = c.openStream(type("stdout"));
            int stderr = c.openStream(type("stderr"));
            c.stream(error).replied.get(10, TimeUnit.SECONDS);
            assertEquals("x y", text(c.awaitEnd(stdout)));
            assertEquals("", text(c.awaitEnd(stderr)));
            assertEquals(SUCCESS, text(c.awaitEnd(error)));
            c.closed.get(10, TimeUnit.SECONDS);
        }
        assertEquals(List.of("exec c1 [echo, x, y] tty=false stderr=true"), runtime.calls);
    }

    @Test
    void nonZeroExitIsAFailureStatusWithTheExitCode() throws Exception {
        String url = server.execUrl("c1", List.of("fail", "now"), false, false, true, true);
        try (SpdyTestClient c = SpdyTestClient.connect(url, "v4.channel.k8s.io")) {
            assertEquals(101, c.response().status().code());
            int error = c.openStream(type("error"));
            int stdout = c.openStream(type("stdout"));
            int stderr = c.openStream(type("stderr"));
            assertEquals("", text(c.awaitEnd(stdout)));
            assertEquals("oops", text(c.awaitEnd(stderr)));
            assertEquals("{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit"
                    + " code: error executing command [fail now], exit code 3\",\"reason\":\"NonZeroExitCode\","
                    + "\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"3\"}]}}", text(c.awaitEnd(error)));
        }
    }

    @Test
    void olderProtocolsGetTheBareErrorText() throws Exception {
        String url = server.execUrl("c1", List.of("fail"), false, false, true, true);
        try (SpdyTestClient c = SpdyTestClient.connect(url, "v3.channel.k8s.io")) {
            assertEquals("v3.channel.k8s.io", c.response().headers().get(StreamingEntry.PROTOCOL_HEADER));
            int error = c.openStream(type("error"));
            c.openStream(type("stdout"));
            c.openStream(type("stderr"));
            assertEquals("command terminated with non-zero exit code: error executing command [fail], exit code 3",
                    text(c.awaitEnd(error)));
        }
    }

    @Test
    void engineFailureIsAnInternalErrorStatus() throws Exception {
        String url = server.execUrl("c9", List.of("boom"), false, false, true, false);
        try (SpdyTestClient c = SpdyTestClient.connect(url, "v4.channel.k8s.io")) {
            c.response();
            int error = c.openStream(type("error"));
            c.openStream(type("stdout"));
            assertEquals("{\"metadata\":{},\"status\":\"Failure\",\"message\":\"Internal error occurred: error executing"
                    + " command in container: container c9 is not running\",\"reason\":\"InternalError\",\"details\":"
                    + "{\"causes\":[{\"message\":\"error executing command in container: container c9 is not running\"}]},"
                    + "\"code\":500}", text(c.awaitEnd(error)));
        }
    }

    @Test
    void stdinReachesTheProcessAndItsHalfCloseEndsIt() throws Exception {
        String url = server.execUrl("c1", List.of("cat"), false, true, true, false);
        try (SpdyTestClient c = SpdyTestClient.connect(url, "v4.channel.k8s.io")) {
            c.response();
            int error = c.openStream(type("error"));
            int stdin = c.openStream(type("stdin"));
            int stdout = c.openStream(type("stdout"));
            c.send(stdin, "hello ".getBytes(StandardCharsets.UTF_8));
            c.send(stdin, "world".getBytes(StandardCharsets.UTF_8));
            c.finish(stdin);
            assertEquals("hello world", text(c.awaitEnd(stdout)));
            runtime.stdinClosed.get(10, TimeUnit.SECONDS);
            assertEquals(SUCCESS, text(c.awaitEnd(error)));
        }
    }

    @Test
    void ttyResizeArrivesAndStderrIsNotOffered() throws Exception {
        String url = server.execUrl("c1", List.of("resize"), true, false, true, false);
        try (SpdyTestClient c = SpdyTestClient.connect(url, "v4.channel.k8s.io")) {
            c.response();
            int error = c.openStream(type("error"));
            int stdout = c.openStream(type("stdout"));
            int resize = c.openStream(type("resize"));
            c.send(resize, "{\"Width\":120,\"Height\":40}".getBytes(StandardCharsets.UTF_8));
            assertEquals("120x40", text(c.awaitEnd(stdout)));
            assertEquals(SUCCESS, text(c.awaitEnd(error)));
        }
        assertEquals(List.of("exec c1 [resize] tty=true stderr=false"), runtime.calls);
    }

    @Test
    void attachCopiesStdin() throws Exception {
        String url = server.attachUrl("c2", false, true, true, false);
        assertTrue(url.contains("/attach/"), url);
        try (SpdyTestClient c = SpdyTestClient.connect(url, "v4.channel.k8s.io")) {
            c.response();
            int error = c.openStream(type("error"));
            int stdin = c.openStream(type("stdin"));
            int stdout = c.openStream(type("stdout"));
            c.send(stdin, "ping".getBytes(StandardCharsets.UTF_8));
            c.finish(stdin);
            assertEquals("ping", text(c.awaitEnd(stdout)));
            assertEquals(SUCCESS, text(c.awaitEnd(error)));
        }
    }

    @Test
    void largeOutputArrivesCompleteWithoutWindowUpdatesFromTheClient() throws Exception {
        int size = 6 * 1024 * 1024 + 123;
        String url = server.execUrl("c1", List.of("big", Integer.toString(size)), false, false, true, false);
        try (SpdyTestClient c = SpdyTestClient.connect(url, "v4.channel.k8s.io")) {
            c.response();
            int error = c.openStream(type("error"));
            int stdout = c.openStream(type("stdout"));
            assertArrayEquals(FakeRuntime.pattern(size), c.awaitEnd(stdout));
            assertEquals(SUCCESS, text(c.awaitEnd(error)));
        }
    }

    @Test
    void unknownTokenIsNotFoundAndATokenIsSingleUse() throws Exception {
        String url = server.execUrl("c1", List.of("echo"), false, false, true, false);
        String unknown = url.substring(0, url.lastIndexOf('/') + 1) + "AAAAAAAAAAAAAAAAAAAAAA";
        try (SpdyTestClient c = SpdyTestClient.connect(unknown, "v4.channel.k8s.io")) {
            assertEquals(404, c.response().status().code());
        }
        try (SpdyTestClient c = SpdyTestClient.connect(url, "v4.channel.k8s.io")) {
            assertEquals(101, c.response().status().code());
        }
        try (SpdyTestClient c = SpdyTestClient.connect(url, "v4.channel.k8s.io")) {
            assertEquals(404, c.response().status().code());
        }
        String attach = server.attachUrl("c1", false, false, true, false);
        try (SpdyTestClient c = SpdyTestClient.connect(attach.replace("/attach/", "/exec/"), "v4.channel.k8s.io")) {
            assertEquals(404, c.response().status().code(), "a token works only on its own kind of URL");
        }
    }

    @Test
    void unknownProtocolIsRefusedWithTheAcceptedOnes() throws Exception {
        String url = server.execUrl("c1", List.of("echo"), false, false, true, false);
        try (SpdyTestClient c = SpdyTestClient.connect(url, "v9.channel.k8s.io")) {
            FullHttpResponse r = c.response();
            assertEquals(403, r.status().code());
            assertEquals(List.of("v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"),
                    r.headers().getAll(StreamingEntry.ACCEPTED_PROTOCOLS_HEADER));
        }
    }

    @Test
    void portForwardPumpsBothWaysPerRequestId() throws Exception {
        try (EchoServer echo = new EchoServer()) {
            String url = server.portForwardUrl("pod1", List.of(echo.port()));
            try (SpdyTestClient c = SpdyTestClient.connect(url, "portforward.k8s.io")) {
                assertEquals("portforward.k8s.io", c.response().headers().get(StreamingEntry.PROTOCOL_HEADER));
                for (int request = 0; request < 2; request++) {
                    String port = Integer.toString(echo.port());
                    String rid = Integer.toString(request);
                    int error = c.openStream(Map.of("streamtype", "error", "port", port, "requestid", rid));
                    int data = c.openStream(Map.of("streamtype", "data", "port", port, "requestid", rid));
                    byte[] payload = FakeRuntime.pattern(300_000 + request);
                    c.send(data, payload);
                    c.finish(data);
                    assertArrayEquals(payload, c.awaitEnd(data));
                    assertEquals("", text(c.awaitEnd(error)));
                }
            }
            assertEquals("port pod1 " + echo.port(), runtime.calls.getFirst());
        }
    }

    @Test
    void portForwardToAPortNotGrantedReportsOnTheErrorStream() throws Exception {
        String url = server.portForwardUrl("pod1", List.of(8080));
        try (SpdyTestClient c = SpdyTestClient.connect(url, "portforward.k8s.io")) {
            c.response();
            int error = c.openStream(Map.of("streamtype", "error", "port", "9090", "requestid", "0"));
            int data = c.openStream(Map.of("streamtype", "data", "port", "9090", "requestid", "0"));
            assertEquals("error forwarding port 9090 to pod pod1, uid : port 9090 was not requested for this session"
                    + " (granted: [8080])", text(c.awaitEnd(error)));
            c.awaitEnd(data);
            int bad = c.openStream(Map.of("streamtype", "data", "port", "0"));
            c.stream(bad).reset.get(10, TimeUnit.SECONDS);
        }
        assertTrue(runtime.calls.isEmpty(), runtime.calls.toString());
    }

    @Test
    void anIdleSessionIsClosed() throws Exception {
        try (StreamingServer quick = new StreamingServer(new InetSocketAddress("127.0.0.1", 0), runtime,
                java.time.Duration.ofMillis(300))) {
            quick.start();
            String url = quick.attachUrl("c3", false, true, true, false);
            try (SpdyTestClient c = SpdyTestClient.connect(url, "v4.channel.k8s.io")) {
                c.response();
                c.openStream(type("error"));
                int stdin = c.openStream(type("stdin"));
                int stdout = c.openStream(type("stdout"));
                c.send(stdin, "before idle".getBytes(StandardCharsets.UTF_8));
                c.closed.get(10, TimeUnit.SECONDS);
                synchronized (c.stream(stdout)) {
                    assertEquals("before idle", c.stream(stdout).data.toString(StandardCharsets.UTF_8));
                }
            }
            runtime.stdinClosed.get(10, TimeUnit.SECONDS);
        }
    }
}
