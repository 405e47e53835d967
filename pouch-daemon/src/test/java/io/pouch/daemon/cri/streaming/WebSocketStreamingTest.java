package io.pouch.daemon.cri.streaming;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The WebSocket side of the streaming server, driven by the JDK's WebSocket client. */
class WebSocketStreamingTest {
    private static final String SUCCESS = "{\"metadata\":{},\"status\":\"Success\"}";

    private final FakeRuntime runtime = new FakeRuntime();
    private final HttpClient http = HttpClient.newHttpClient();
    private StreamingServer server;

    @BeforeEach
    void start() throws Exception {
        server = new StreamingServer(new InetSocketAddress("127.0.0.1", 0), runtime);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        http.close();
    }

    /** Collects messages per channel; the first message on a channel is recorded apart (see {@link #first}). */
    static final class Channels implements WebSocket.Listener {
        final Map<Integer, ByteArrayOutputStream> data = new ConcurrentHashMap<>();
        final Map<Integer, byte[]> first = new ConcurrentHashMap<>();
        final List<Integer> order = new ArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final List<CompletableFuture<Void>> waiters = new ArrayList<>();
        private final List<Predicate<Channels>> conditions = new ArrayList<>();

        @Override
        public synchronized CompletionStage<?> onBinary(WebSocket ws, ByteBuffer buf, boolean last) {
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            partial.writeBytes(b);
            if (last) {
                byte[] msg = partial.toByteArray();
                partial.reset();
                int ch = msg[0] & 0xff;
                byte[] payload = java.util.Arrays.copyOfRange(msg, 1, msg.length);
                order.add(ch);
                first.putIfAbsent(ch, payload);
                data.computeIfAbsent(ch, k -> new ByteArrayOutputStream()).writeBytes(payload);
                check();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            closed.complete(status);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }

        synchronized String text(int ch) {
            ByteArrayOutputStream b = data.get(ch);
            return b == null ? "" : b.toString(StandardCharsets.UTF_8);
        }

        synchronized byte[] bytes(int ch) {
            ByteArrayOutputStream b = data.get(ch);
            return b == null ? new byte[0] : b.toByteArray();
        }

        /** Waits until the condition holds over what has arrived. */
        void await(Predicate<Channels> condition) throws Exception {
            CompletableFuture<Void> f = new CompletableFuture<>();
            synchronized (this) {
                if (condition.test(this)) {
                    return;
                }
                waiters.add(f);
                conditions.add(condition);
            }
            f.get(20, TimeUnit.SECONDS);
        }

        private void check() {
            for (int i = waiters.size() - 1; i >= 0; i--) {
                if (conditions.get(i).test(this)) {
                    waiters.remove(i).complete(null);
                    conditions.remove(i);
                }
            }
        }
    }

    private WebSocket connect(String url, Channels listener, String... protocols) throws Exception {
        WebSocket.Builder b = http.newWebSocketBuilder();
        if (protocols.length > 0) {
            b.subprotocols(protocols[0], java.util.Arrays.copyOfRange(protocols, 1, protocols.length));
        }
        return b.buildAsync(URI.create(url.replace("http://", "ws://")), listener).get(10, TimeUnit.SECONDS);
    }

    private static ByteBuffer frame(int ch, byte... data) {
        ByteBuffer b = ByteBuffer.allocate(data.length + 1);
        b.put((byte) ch).put(data).flip();
        return b;
    }

    @Test
    void execOverV5SendsReadySignalOutputAndStatus() throws Exception {
        Channels c = new Channels();
        WebSocket ws = connect(server.execUrl("c1", List.of("echo", "x"), false, false, true, true), c,
                "v5.channel.k8s.io", "v4.channel.k8s.io");
        assertEquals("v5.channel.k8s.io", ws.getSubprotocol());
        c.closed.get(10, TimeUnit.SECONDS);
        assertEquals(1, c.order.getFirst(), "the first message is the empty ready signal on stdout");
        assertArrayEquals(new byte[0], c.first.get(1));
        assertEquals("x", c.text(1));
        assertEquals(SUCCESS, c.text(3));
    }

    @Test
    void nonZeroExitOverV4() throws Exception {
        Channels c = new Channels();
        connect(server.execUrl("c1", List.of("fail"), false, false, true, true), c, "v4.channel.k8s.io");
        c.closed.get(10, TimeUnit.SECONDS);
        assertEquals("oops", c.text(2));
        assertEquals("{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit"
                + " code: error executing command [fail], exit code 3\",\"reason\":\"NonZeroExitCode\","
                + "\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"3\"}]}}", c.text(3));
    }

    @Test
    void stdinAndItsV5CloseSignalReachTheProcess() throws Exception {
        Channels c = new Channels();
        WebSocket ws = connect(server.execUrl("c1", List.of("cat"), false, true, true, false), c,
                "v5.channel.k8s.io");
        ws.sendBinary(frame(0, "hi ".getBytes(StandardCharsets.UTF_8)), true).get();
        ws.sendBinary(frame(0, "there".getBytes(StandardCharsets.UTF_8)), true).get();
        ws.sendBinary(frame(255, (byte) 0), true).get();
        runtime.stdinClosed.get(10, TimeUnit.SECONDS);
        c.closed.get(10, TimeUnit.SECONDS);
        assertEquals("hi there", c.text(1));
        assertEquals(SUCCESS, c.text(3));
    }

    @Test
    void resizeChannelInTtyMode() throws Exception {
        Channels c = new Channels();
        WebSocket ws = connect(server.execUrl("c1", List.of("resize"), true, false, true, false), c,
                "v5.channel.k8s.io");
        ws.sendBinary(frame(4, "{\"Width\":80,\"Height\":25}".getBytes(StandardCharsets.UTF_8)), true).get();
        c.closed.get(10, TimeUnit.SECONDS);
        assertEquals("80x25", c.text(1));
        assertEquals(List.of("exec c1 [resize] tty=true stderr=false"), runtime.calls);
    }

    @Test
    void largeOutputArrivesComplete() throws Exception {
        int size = 5 * 1024 * 1024 + 7;
        Channels c = new Channels();
        connect(server.execUrl("c1", List.of("big", Integer.toString(size)), false, false, true, false), c,
                "v4.channel.k8s.io");
        c.closed.get(20, TimeUnit.SECONDS);
        assertArrayEquals(FakeRuntime.pattern(size), c.bytes(1));
        assertEquals(SUCCESS, c.text(3));
    }

    @Test
    void portForwardAnnouncesThePortsThenPumpsBytes() throws Exception {
        try (EchoServer echo = new EchoServer()) {
            int port = echo.port();
            Channels c = new Channels();
            WebSocket ws = connect(server.portForwardUrl("pod1", List.of(port)), c, "v4.channel.k8s.io");
            byte[] portBytes = {(byte) port, (byte) (port >>> 8)};
            c.await(x -> x.first.containsKey(0) && x.first.containsKey(1));
            assertArrayEquals(portBytes, c.first.get(0));
            assertArrayEquals(portBytes, c.first.get(1));
            byte[] payload = FakeRuntime.pattern(200_000);
            for (int off = 0; off < payload.length; off += 50_000) {
                ws.sendBinary(frame(0, java.util.Arrays.copyOfRange(payload, off, off + 50_000)), true).get();
            }
            c.await(x -> x.bytes(0).length >= 2 + payload.length);
            assertArrayEquals(payload, java.util.Arrays.copyOfRange(c.bytes(0), 2, 2 + payload.length));
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get();
            c.closed.get(10, TimeUnit.SECONDS);
        }
        assertEquals(1, runtime.calls.size());
    }

    @Test
    void unknownTokenIsNotFound() throws Exception {
        String url = server.execUrl("c1", List.of("echo"), false, false, true, false);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url.substring(0,
                url.lastIndexOf('/') + 1) + "nope")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
        Channels c = new Channels();
        connect(url, c, "v5.channel.k8s.io");
        c.closed.get(10, TimeUnit.SECONDS);
        HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, again.statusCode(), "the token was used by the WebSocket session");
    }
}
