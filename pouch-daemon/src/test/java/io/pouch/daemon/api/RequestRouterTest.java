package io.pouch.daemon.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestRouterTest {
    final Handler inspect = ex -> ex.respondEmpty(200);
    final Router router = new Router()
            .add("GET", "/images/{name*}/json", inspect)
            .add("POST", "/containers/{id}/start", ex -> ex.respondEmpty(204));
    final EmbeddedChannel ch = new EmbeddedChannel();

    RequestRouterTest() {
        ch.pipeline().addLast(new RequestRouter(router, Exchanges.connection(ch, Runnable::run)));
    }

    NettyExchange route(HttpMethod method, String uri) {
        ch.writeInbound(Exchanges.request(method, uri));
        return assertInstanceOf(NettyExchange.class, ch.readInbound());
    }

    static PouchException failure(NettyExchange ex) {
        return assertThrows(PouchException.class, () -> ex.route().handler().handle(ex));
    }

    @Test
    void aRequestHeadBecomesAnExchangeBoundToItsRoute() {
        NettyExchange ex = route(HttpMethod.GET, "/v1.44/images/127.0.0.1:5000%2Fbusybox/json?all=1");
        assertSame(inspect, ex.route().handler());
        assertEquals("/images/127.0.0.1:5000/busybox/json", ex.path());
        assertEquals("1.44", ex.apiVersion().toString());
        assertEquals("127.0.0.1:5000/busybox", ex.pathParam("name"));
        assertEquals("1", ex.query("all"));
    }

    @Test
    void theBodyFollowsUnchanged() {
        route(HttpMethod.POST, "/containers/abc/start");
        HttpContent body = new DefaultHttpContent(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
        ch.writeInbound(body);
        assertSame(body, ch.readInbound());
        body.release();
    }

    @Test
    void aRequestWithoutARouteGetsAHandlerThatThrowsItsAnswer() {
        PouchException notFound = failure(route(HttpMethod.GET, "/nope"));
        assertEquals(404, notFound.status());
        assertEquals("page not found", notFound.getMessage());
        PouchException notAllowed = failure(route(HttpMethod.DELETE, "/containers/abc/start"));
        assertEquals(405, notAllowed.status());
        assertEquals("method DELETE not allowed for /containers/abc/start", notAllowed.getMessage());
        NettyExchange tooNew = route(HttpMethod.GET, "/v1.99/images/x/json");
        assertEquals(400, failure(tooNew).status());
        assertTrue(failure(tooNew).getMessage().startsWith("client version 1.99 is too new"));
        assertEquals("/v1.99/images/x/json", tooNew.path(), "no parsed path: the raw one");
    }

    @Test
    void aMalformedHeadIsAnswered400AndTheConnectionCloses() {
        EmbeddedChannel wire = new EmbeddedChannel(new HttpServerCodec());
        wire.pipeline().addLast(new RequestRouter(router, Exchanges.connection(wire, Runnable::run)));
        wire.writeInbound(Unpooled.copiedBuffer("GET /x HTTP/x\r\nHost: d\r\n\r\n", StandardCharsets.US_ASCII));
        String answer = Exchanges.outbound(wire);
        assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
        assertTrue(answer.contains("\r\nconnection: close\r\n"), answer);
        assertTrue(answer.contains("\r\ncontent-type: application/json\r\n"), answer);
        assertTrue(answer.contains("\r\nApi-Version: " + ApiVersion.CURRENT + "\r\n"), answer);
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        assertTrue(body.startsWith("{\"message\":\"malformed HTTP request: ") && body.endsWith("\"}\n"), body);
        assertFalse(wire.isOpen());
    }

    @Test
    void whileTheRouterIsHeldOnlyTheRoutesAddedBeforeAnswerAndTheOthersWaitInOrder() {
        Handler ping = ex -> ex.respondEmpty(200);
        Handler start = ex -> ex.respondEmpty(204);
        Router booting = new Router().add("GET", "/_ping", ping).holdUntilOpen();
        EmbeddedChannel wire = new EmbeddedChannel();
        wire.pipeline().addLast(new RequestRouter(booting, Exchanges.connection(wire, Runnable::run)));
        wire.writeInbound(Exchanges.request(HttpMethod.GET, "/_ping"));
        assertSame(ping, assertInstanceOf(NettyExchange.class, wire.readInbound()).route().handler());

        booting.add("POST", "/containers/{id}/start", start); // added during the boot: not served yet
        assertTrue(booting.holds("POST", List.of("containers", "abc", "start")));
        wire.writeInbound(Exchanges.request(HttpMethod.POST, "/containers/abc/start"));
        HttpContent body = new DefaultHttpContent(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
        wire.writeInbound(body);
        assertNull(wire.readInbound(), "held until the router opens");

        booting.open();
        wire.runPendingTasks();
        NettyExchange ex = assertInstanceOf(NettyExchange.class, wire.readInbound());
        assertSame(start, ex.route().handler());
        assertSame(body, wire.readInbound(), "the body follows its head");
        assertFalse(booting.holds("GET", List.of("nope")));
        body.release();
    }

    @Test
    void aRouteAddedWhileHeldIsServedAtOnceAndTheOthersStillWait() {
        Handler version = ex -> ex.respondEmpty(200);
        Router booting = new Router().holdUntilOpen();
        booting.add("GET", "/info", ex -> ex.respondEmpty(200));
        booting.addWhileHeld("GET", "/version", version); // e.g. once containerd answers
        assertFalse(booting.holds("GET", List.of("version")));
        assertTrue(booting.holds("GET", List.of("info")));
        EmbeddedChannel wire = new EmbeddedChannel();
        wire.pipeline().addLast(new RequestRouter(booting, Exchanges.connection(wire, Runnable::run)));
        wire.writeInbound(Exchanges.request(HttpMethod.GET, "/version"));
        assertSame(version, assertInstanceOf(NettyExchange.class, wire.readInbound()).route().handler());
        wire.writeInbound(Exchanges.request(HttpMethod.GET, "/info"));
        assertNull(wire.readInbound(), "held until the router opens");
        booting.open();
        wire.runPendingTasks();
        assertInstanceOf(NettyExchange.class, wire.readInbound());
    }

    @Test
    void whatWasHeldIsReleasedWhenTheConnectionCloses() {
        Router booting = new Router().holdUntilOpen();
        EmbeddedChannel wire = new EmbeddedChannel();
        wire.pipeline().addLast(new RequestRouter(booting, Exchanges.connection(wire, Runnable::run)));
        wire.writeInbound(Exchanges.request(HttpMethod.POST, "/containers/abc/start"));
        HttpContent body = new DefaultHttpContent(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
        wire.writeInbound(body);
        wire.close();
        assertEquals(0, body.refCnt());
        booting.open();
        wire.runPendingTasks();
        assertNull(wire.readInbound());
    }
}
