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
    final EmbeddedChannel ch = RequestSequencerTest.withoutAutoRead(reads,
            new RequestBodyHandler(Exchanges.HEADERS, LIMIT));
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
    void aBodyOverTheLimitIsAnswered413AndTheConnectionCloses() {
        ch.writeInbound(post(false), chunk("0123456789"), chunk("0123456789"));
        assertNull(ch.readInbound());
        FullHttpResponse resp = assertInstanceOf(FullHttpResponse.class, ch.readOutbound());
        assertEquals(413, resp.status().code());
        assertEquals("close", resp.headers().get("connection"));
        assertEquals("{\"message\":\"request body too large: the limit is 0 MiB\"}\n", Exchanges.content(resp));
        assertFalse(ch.isOpen());
    }

    @Test
    void aDeclaredLengthOverTheLimitIsAnsweredWhenTheBodyStarts() {
        ch.writeInbound(post(false, "Content-Length", String.valueOf(LIMIT + 1)));
        assertTrue(ch.isOpen(), "a client that waits for 100 Continue sends nothing yet");
        ch.writeInbound(chunk("{"));
        FullHttpResponse resp = assertInstanceOf(FullHttpResponse.class, ch.readOutbound());
        assertEquals(413, resp.status().code());
        resp.release();
        assertFalse(ch.isOpen());
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

        EmbeddedChannel other = new EmbeddedChannel(new RequestBodyHandler(Exchanges.HEADERS, LIMIT));
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
