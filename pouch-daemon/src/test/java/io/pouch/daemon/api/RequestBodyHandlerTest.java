package io.pouch.daemon.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.pouch.daemon.api.RequestSequencerTest.ReadCounter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestBodyHandlerTest {
    static final long LIMIT = 16;

    final ReadCounter reads = new ReadCounter();
    final BodyBudget budget = new BodyBudget(1 << 20);
    final EmbeddedChannel ch = RequestSequencerTest.withoutAutoRead(reads,
            new RequestBodyHandler(Exchanges.HEADERS, LIMIT, budget));
    final Connection conn = Exchanges.connection(ch, Runnable::run);

    NettyExchange post(boolean streaming, String... headers) {
        HttpRequest req = Exchanges.request(HttpMethod.POST, "/x", headers);
        return Exchanges.exchange(conn, req, ex -> ex.respondEmpty(204), streaming, null);
    }

    static HttpContent chunk(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    static LastHttpContent last(String s) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    static String read(NettyExchange ex) throws IOException {
        return new String(ex.body().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void aCollectedBodyGoesOnWithItsExchangeOnceComplete() throws IOException {
        NettyExchange ex = post(false);
        ch.writeInbound(ex);
        assertEquals(1, reads.reads, "asks for the body");
        HttpContent first = chunk("{\"a\":");
        ch.writeInbound(first);
        assertNull(ch.readInbound());
        assertEquals(2, reads.reads);
        assertEquals(0, first.refCnt());
        ch.writeInbound(last("1}"));
        assertSame(ex, ch.readInbound());
        assertEquals("{\"a\":1}", read(ex));
        assertTrue(ex.bodyConsumed());
        assertEquals(2, reads.reads, "the body is complete: the next read is for the next request");
    }

    @Test
    void aBodyOverTheLimitIsAnswered413AndTheConnectionClosesAfterTheRestOfTheBody() {
        ch.writeInbound(post(false), chunk("0123456789"), chunk("0123456789"));
        assertNull(ch.readInbound());
        FullHttpResponse resp = assertInstanceOf(FullHttpResponse.class, ch.readOutbound());
        assertEquals(413, resp.status().code());
        assertEquals("close", resp.headers().get("connection"));
        assertEquals("{\"message\":\"request body too large: the limit for a JSON body is 16 bytes\"}\n",
                Exchanges.content(resp));
        assertTrue(ch.isOpen(), "the client, still sending, must get to read the answer");
        ch.writeInbound(chunk("more"));
        assertTrue(ch.isOpen());
        ch.writeInbound(last("end"));
        assertFalse(ch.isOpen());
        assertNull(ch.readInbound());
    }

    @Test
    void aDeclaredLengthOverTheLimitIsAnsweredAtOnce() {
        ch.writeInbound(post(false, "Content-Length", String.valueOf(LIMIT + 1)));
        FullHttpResponse resp = assertInstanceOf(FullHttpResponse.class, ch.readOutbound());
        assertEquals(413, resp.status().code());
        resp.release();
        ch.writeInbound(last("01234567890123456"));
        assertFalse(ch.isOpen());
    }

    @Test
    void aClientThatWaitsFor100ContinueGetsTheRefusalInsteadAndNoBodyIsAwaited() {
        ch.writeInbound(post(false, "Content-Length", String.valueOf(LIMIT + 1), "Expect", "100-continue"));
        FullHttpResponse resp = assertInstanceOf(FullHttpResponse.class, ch.readOutbound());
        assertEquals(413, resp.status().code());
        resp.release();
        assertFalse(ch.isOpen());
    }

    @Test
    void anAdmittedBodyGetsItsContinue() {
        NettyExchange ex = post(false, "Content-Length", "2", "Expect", "100-continue");
        ch.writeInbound(ex);
        FullHttpResponse resp = assertInstanceOf(FullHttpResponse.class, ch.readOutbound());
        assertEquals(100, resp.status().code());
        ch.writeInbound(last("{}"));
        assertSame(ex, ch.readInbound());
        assertNull(ex.request().headers().get("expect"));
    }

    /** Two connections sharing one budget of 100 KiB; bodies up to 1 MiB. */
    @Test
    void bodiesOverTheServersBudgetAre503UntilAnAdmittedOneEnds() {
        BodyBudget shared = new BodyBudget(100 * 1024);
        EmbeddedChannel a = new EmbeddedChannel(new RequestBodyHandler(Exchanges.HEADERS, 1 << 20, shared));
        EmbeddedChannel b = new EmbeddedChannel(new RequestBodyHandler(Exchanges.HEADERS, 1 << 20, shared));
        String body = "x".repeat(80 * 1024);
        NettyExchange first = Exchanges.exchange(Exchanges.connection(a, Runnable::run),
                Exchanges.request(HttpMethod.POST, "/x", "Content-Length", String.valueOf(body.length())),
                ex -> ex.respondEmpty(204), false, null);
        a.writeInbound(first);
        assertNull(a.readOutbound(), "admitted");
        assertEquals(body.length(), shared.used());

        b.writeInbound(Exchanges.exchange(Exchanges.connection(b, Runnable::run),
                Exchanges.request(HttpMethod.POST, "/x", "Content-Length", String.valueOf(body.length())),
                ex -> ex.respondEmpty(204), false, null));
        FullHttpResponse busy = assertInstanceOf(FullHttpResponse.class, b.readOutbound());
        assertEquals(503, busy.status().code());
        assertTrue(Exchanges.content(busy).startsWith("{\"message\":\"the daemon is busy with other large requests"),
                "a 503 with its reason");
        b.writeInbound(last(body));
        assertFalse(b.isOpen());

        a.writeInbound(last(body));
        assertSame(first, a.readInbound());
        assertEquals(body.length(), shared.used(), "held while the handler decodes it");
        first.bodyDone();
        first.bodyDone();
        assertEquals(0, shared.used(), "given back once");

        // a body of unknown length is counted as it grows
        EmbeddedChannel c = new EmbeddedChannel(new RequestBodyHandler(Exchanges.HEADERS, 1 << 20, shared));
        assertTrue(shared.tryReserve(50 * 1024));
        c.writeInbound(Exchanges.exchange(Exchanges.connection(c, Runnable::run),
                Exchanges.request(HttpMethod.POST, "/x"), ex -> ex.respondEmpty(204), false, null),
                chunk(body));
        FullHttpResponse chunked = assertInstanceOf(FullHttpResponse.class, c.readOutbound());
        assertEquals(503, chunked.status().code());
        chunked.release();
        assertEquals(50 * 1024, shared.used(), "the refused body holds nothing");
    }

    @Test
    void smallBodiesAreNotCountedAgainstTheBudget() {
        BodyBudget none = new BodyBudget(0);
        EmbeddedChannel a = new EmbeddedChannel(new RequestBodyHandler(Exchanges.HEADERS, 1 << 20, none));
        NettyExchange ex = Exchanges.exchange(Exchanges.connection(a, Runnable::run),
                Exchanges.request(HttpMethod.POST, "/x", "Content-Length", "2"), x -> x.respondEmpty(204), false, null);
        a.writeInbound(ex, last("{}"));
        assertSame(ex, a.readInbound());
    }

    @Test
    void aConnectionClosedMidBodyGivesItsShareBack() {
        BodyBudget shared = new BodyBudget(1 << 20);
        EmbeddedChannel a = new EmbeddedChannel(new RequestBodyHandler(Exchanges.HEADERS, 1 << 20, shared));
        a.writeInbound(Exchanges.exchange(Exchanges.connection(a, Runnable::run),
                Exchanges.request(HttpMethod.POST, "/x", "Content-Length", "100000"), x -> x.respondEmpty(204),
                false, null), chunk("{"));
        assertEquals(100000, shared.used());
        a.close();
        assertEquals(0, shared.used());
    }

    @Test
    void aStreamedBodyGoesOnAtOnceAndArrivesAsItComes() throws IOException {
        NettyExchange ex = post(true);
        ch.writeInbound(ex);
        assertSame(ex, ch.readInbound());
        assertEquals(0, reads.reads, "the handler's reads ask for more");
        ch.writeInbound(chunk("part one, "));
        assertEquals(10, ex.body().available());
        assertFalse(ex.bodyConsumed());
        ch.writeInbound(chunk("part two"), last(""));
        assertEquals("part one, part two", read(ex));
        assertTrue(ex.bodyConsumed());
        ch.writeInbound(chunk("stray"));
        assertNull(ch.readInbound(), "content after the end belongs to no body");
    }

    @Test
    void aHalfCloseFailsAStreamedBodyAndClosesACollectingOne() {
        NettyExchange streamed = post(true);
        ch.writeInbound(streamed, chunk("partial"));
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        IOException e = assertThrows(IOException.class, () -> read(streamed));
        assertEquals("client closed the connection before the end of the body", e.getMessage());
        assertFalse(streamed.bodyConsumed());
        assertTrue(ch.isOpen(), "the handler answers the failed upload");

        EmbeddedChannel other = new EmbeddedChannel(new RequestBodyHandler(Exchanges.HEADERS, LIMIT, budget));
        other.writeInbound(post(false), chunk("{"));
        other.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertFalse(other.isOpen());
    }

    @Test
    void aMalformedChunkFailsAStreamedBody() {
        NettyExchange ex = post(true);
        HttpContent bad = chunk("");
        bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("invalid chunk size")));
        ch.writeInbound(ex, bad);
        IOException e = assertThrows(IOException.class, () -> read(ex));
        assertTrue(e.getMessage().startsWith("malformed request body: "), e.getMessage());
    }

    @Test
    void closingTheConnectionFailsAStreamedBody() {
        NettyExchange ex = post(true);
        ch.writeInbound(ex);
        ch.close();
        IOException e = assertThrows(IOException.class, () -> read(ex));
        assertEquals("client connection closed", e.getMessage());
    }
}
