package io.pouch.daemon.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The assembled pipeline of one connection, bytes in and bytes out, as a client sees it. */
class ApiPipelineTest {
    record Named(String name) {
    }

    /** The handlers handed to virtual threads, run when the test says. */
    final Deque<Runnable> submitted = new ArrayDeque<>();
    volatile HijackedStream hijacked;
    final EmbeddedChannel ch;

    ApiPipelineTest() {
        Router router = new Router();
        router.addInline("GET", "/_ping", ex -> ex.respondBytes(200, "text/plain; charset=utf-8", "OK".getBytes(),
                Map.of()));
        router.add("GET", "/names/{name}", ex -> ex.respond(200, new Named(ex.pathParam("name"))));
        router.add("POST", "/echo", ex -> ex.respond(200, ex.bodyJson(Named.class)));
        router.add("POST", "/conflict", ex -> {
            throw PouchException.conflict("name is in use");
        });
        router.add("POST", "/wait", ex -> {
            OutputStream out = ex.startStream(200, "application/json", Map.of(), true);
            out.write("{\"StatusCode\":0}\n".getBytes());
        });
        router.addStreaming("POST", "/upload", ex -> ex.respond(200, Map.of("bytes", ex.body().readAllBytes().length)));
        router.add("POST", "/attach", ex -> {
            HijackedStream s = ex.hijack("application/vnd.docker.raw-stream");
            s.output().write("out".getBytes());
            hijacked = s;
        });
        ch = new EmbeddedChannel(false, false, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                ApiPipeline.install(c, router, Exchanges.HEADERS, submitted::add);
            }
        });
        ch.config().setAutoRead(false);
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    void send(String s) {
        ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
    }

    /** Runs what the connection handed off and what it queued on its loop, until nothing is left. */
    String drain() {
        while (!submitted.isEmpty() || ch.hasPendingTasks()) {
            while (!submitted.isEmpty()) {
                submitted.removeFirst().run();
            }
            ch.runPendingTasks();
        }
        return Exchanges.outbound(ch);
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: d\r\n\r\n";
    }

    static String post(String path, String body, String... headers) {
        return "POST " + path + " HTTP/1.1\r\nHost: d\r\n" + String.join("", headers) + "Content-Length: "
                + body.length() + "\r\n\r\n" + body;
    }

    static String body(String answer) {
        return answer.substring(answer.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void aPlainRequest() {
        send(get("/v1.44/_ping"));
        String answer = drain();
        assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
        assertTrue(answer.contains("\r\nApi-Version: " + ApiVersion.CURRENT + "\r\n"), answer);
        assertTrue(answer.contains("\r\nServer: Pouch/9.9.9 (linux)\r\n"), answer);
        assertTrue(answer.contains("\r\ncontent-length: 2\r\n"), answer);
        assertEquals("OK", body(answer));
        assertTrue(ch.isOpen());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        send(get("/names/first") + get("/names/second"));
        assertEquals(1, submitted.size(), "the second request waits for the first answer");
        submitted.removeFirst().run();
        String first = Exchanges.outbound(ch);
        assertEquals("{\"name\":\"first\"}\n", body(first));
        String second = drain();
        assertEquals("{\"name\":\"second\"}\n", body(second));
        assertTrue(ch.isOpen());
    }

    @Test
    void anErrorIsJsonWithItsStatus() {
        send(post("/conflict", ""));
        String answer = drain();
        assertTrue(answer.startsWith("HTTP/1.1 409 Conflict\r\n"), answer);
        assertTrue(answer.contains("\r\ncontent-type: application/json\r\n"), answer);
        assertEquals("{\"message\":\"name is in use\"}\n", body(answer));
        send(get("/nope"));
        String notFound = drain();
        assertTrue(notFound.startsWith("HTTP/1.1 404 Not Found\r\n"), notFound);
        assertEquals("{\"message\":\"page not found\"}\n", body(notFound));
    }

    @Test
    void anOversizeBodyIs413AndClosesOnceTheClientHasSentIt() {
        send("POST /echo HTTP/1.1\r\nHost: d\r\nContent-Length: " + (17L * 1024 * 1024) + "\r\n\r\n{");
        String answer = drain();
        assertTrue(answer.startsWith("HTTP/1.1 413 Request Entity Too Large\r\n"), answer);
        assertEquals("{\"message\":\"request body too large: the limit for a JSON body is 16 MiB\"}\n", body(answer));
        assertTrue(ch.isOpen());
        byte[] mib = new byte[1 << 20];
        for (int i = 0; i < 17; i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(mib, 0, i < 16 ? mib.length : mib.length - 1));
            drain();
        }
        assertFalse(ch.isOpen());
    }

    @Test
    void aLongRequestLineAndLargeHeadersAreServedUpTo1MiB() {
        String filters = "x".repeat(200_000);
        send("GET /_ping?filters=" + filters + " HTTP/1.1\r\nHost: d\r\nX-Registry-Auth: " + "a".repeat(500_000)
                + "\r\n\r\n");
        assertTrue(drain().startsWith("HTTP/1.1 200 OK\r\n"));
    }

    @Test
    void aRequestLineOver1MiBIs414() {
        send("GET /_ping?filters=" + "x".repeat(ApiPipeline.MAX_HEAD) + " HTTP/1.1\r\nHost: d\r\n\r\n");
        String answer = drain();
        assertTrue(answer.startsWith("HTTP/1.1 414 Request-URI Too Long\r\n"), answer);
        assertEquals("{\"message\":\"request line too long: the limit is 1024 KiB\"}\n", body(answer));
        assertFalse(ch.isOpen());
    }

    @Test
    void headersOver1MiBAre431() {
        send("GET /_ping HTTP/1.1\r\nHost: d\r\nX-Registry-Auth: " + "a".repeat(ApiPipeline.MAX_HEAD) + "\r\n\r\n");
        String answer = drain();
        assertTrue(answer.startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"), answer);
        assertEquals("{\"message\":\"request headers too large: the limit is 1024 KiB\"}\n", body(answer));
        assertFalse(ch.isOpen());
    }

    @Test
    void anInvalidRequestIs400AndCloses() {
        send("GET /_ping HTTP/x\r\n\r\n");
        String answer = drain();
        assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
        assertTrue(body(answer).startsWith("{\"message\":\"malformed HTTP request: "), answer);
        assertFalse(ch.isOpen());
    }

    @Test
    void aClientThatExpects100ContinueGetsIt() {
        send("POST /echo HTTP/1.1\r\nHost: d\r\nExpect: 100-continue\r\nContent-Length: 12\r\n\r\n");
        assertEquals("HTTP/1.1 100 Continue\r\n\r\n", drain());
        send("{\"name\":\"x\"}");
        assertEquals("{\"name\":\"x\"}\n", body(drain()));
    }

    @Test
    void aChunkedStreamEndsWithTheLastChunkAndKeepsTheConnection() {
        send(post("/wait", ""));
        String answer = drain();
        assertTrue(answer.contains("\r\ntransfer-encoding: chunked\r\n"), answer);
        assertEquals("11\r\n{\"StatusCode\":0}\n\r\n0\r\n\r\n", body(answer));
        send(get("/_ping"));
        assertEquals("OK", body(drain()));
    }

    @Test
    void aStreamedUploadReachesItsHandler() {
        send("POST /upload HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        assertEquals("{\"bytes\":11}\n", body(drain()));
        send(get("/_ping"));
        assertEquals("OK", body(drain()));
    }

    @Test
    void aHijackUpgradeSwitchesTheConnectionToRawBytes() throws IOException {
        send(post("/attach", "", "Connection: Upgrade\r\n", "Upgrade: tcp\r\n"));
        String answer = drain();
        assertTrue(answer.startsWith("HTTP/1.1 101 UPGRADED\r\n"), answer);
        assertTrue(answer.contains("\r\ncontent-type: application/vnd.docker.raw-stream\r\n"), answer);
        assertTrue(answer.contains("\r\nconnection: Upgrade\r\n"), answer);
        assertTrue(answer.contains("\r\nupgrade: tcp\r\n"), answer);
        assertFalse(answer.contains("content-length") || answer.contains("transfer-encoding"), answer);
        assertEquals("out", body(answer), "raw: no chunk framing");
        assertNull(ch.pipeline().get(ApiPipeline.CODEC));

        HijackedStream s = hijacked;
        assertNotNull(s);
        send("GET / HTTP/1.1\r\n\r\n");
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertEquals("GET / HTTP/1.1\r\n\r\n", new String(s.input().readAllBytes(), StandardCharsets.ISO_8859_1),
                "what the client sends is stdin, up to its half-close");
        assertTrue(ch.isOpen(), "the output goes on after the client's half-close");
        s.output().write("more".getBytes());
        assertEquals("more", drain());
        s.close();
        drain();
        assertFalse(ch.isOpen());
    }

    @Test
    void withoutUpgradeAHijackAnswers200() {
        send(post("/attach", "{\"Detach\":null,\"Tty\":null}"));
        String answer = drain();
        assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
        assertEquals("out", body(answer));
        assertEquals(List.of(), List.copyOf(submitted));
    }
}
