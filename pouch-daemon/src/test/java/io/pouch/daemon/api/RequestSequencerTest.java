package io.pouch.daemon.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestSequencerTest {
    /** Counts the reads the handlers ask for (the channel runs with auto-read off). */
    static final class ReadCounter extends ChannelOutboundHandlerAdapter {
        int reads;

        @Override
        public void read(ChannelHandlerContext ctx) {
            reads++;
            ctx.read();
        }
    }

    final ReadCounter reads = new ReadCounter();
    final EmbeddedChannel ch = withoutAutoRead(reads, new RequestSequencer());

    /** A channel that reads only when asked, as the server's: registered (and active) after auto-read is off. */
    static EmbeddedChannel withoutAutoRead(ChannelHandler... handlers) {
        EmbeddedChannel ch = new EmbeddedChannel(false, false, handlers);
        ch.config().setAutoRead(false);
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ch;
    }

    static HttpRequest get(String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    static HttpContent chunk(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    @Test
    void asksForTheFirstRequestOnceConnected() {
        assertEquals(1, reads.reads);
    }

    @Test
    void pipelinedRequestsPassOneAtATimeInOrder() {
        HttpRequest first = get("/first");
        HttpRequest second = get("/second");
        HttpContent body = chunk("body");
        ch.writeInbound(first, LastHttpContent.EMPTY_LAST_CONTENT, second, body, new DefaultLastHttpContent());
        assertSame(first, ch.readInbound());
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, ch.readInbound());
        assertNull(ch.readInbound(), "the second request waits for the first answer");

        ch.pipeline().fireUserEventTriggered(RequestSequencer.NEXT_REQUEST);
        assertSame(second, ch.readInbound());
        assertSame(body, ch.readInbound());
        assertTrue(ch.readInbound() instanceof LastHttpContent);
        assertNull(ch.readInbound());
        assertEquals(1, reads.reads, "a request is in progress again: its exchange asks for more");

        ch.pipeline().fireUserEventTriggered(RequestSequencer.NEXT_REQUEST);
        assertEquals(2, reads.reads, "idle again: ask for the next request");
        body.release();
    }

    @Test
    void theBodyOfTheCurrentRequestIsNotHeld() {
        HttpRequest req = get("/upload");
        ch.writeInbound(req);
        HttpContent part = chunk("part");
        ch.writeInbound(part);
        assertSame(req, ch.readInbound());
        assertSame(part, ch.readInbound());
        part.release();
    }

    @Test
    void aHalfCloseBetweenRequestsClosesButNotDuringOne() {
        ch.writeInbound(get("/wait"), LastHttpContent.EMPTY_LAST_CONTENT);
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertTrue(ch.isOpen(), "the answer is still to come");
        ch.pipeline().fireUserEventTriggered(RequestSequencer.NEXT_REQUEST);
        assertEquals(1, reads.reads, "no read once the client shut its side");

        EmbeddedChannel idle = new EmbeddedChannel(new RequestSequencer());
        idle.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertFalse(idle.isOpen());
    }

    @Test
    void heldMessagesAreReleasedWhenTheConnectionCloses() {
        HttpContent held = chunk("next");
        ch.writeInbound(get("/a"), LastHttpContent.EMPTY_LAST_CONTENT, get("/b"), held);
        ch.close();
        assertEquals(0, held.refCnt());
    }

    @Test
    void heldMessagesGoOnWhenTheSequencerLeavesThePipeline() {
        HttpContent held = chunk("raw");
        ch.writeInbound(get("/attach"), LastHttpContent.EMPTY_LAST_CONTENT, held);
        ch.readInbound();
        ch.readInbound();
        ch.pipeline().remove(RequestSequencer.class);
        assertSame(held, ch.readInbound());
        held.release();
    }
}
