package io.pouch.daemon.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExchangeDispatcherTest {
    /** Sees the user events that pass towards the dispatcher, as the sequencer in front of it would. */
    static final class EventRecorder extends ChannelInboundHandlerAdapter {
        final List<Object> events = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** Holds the handlers handed to virtual threads, to run them when the test says. */
    final Deque<Runnable> submitted = new ArrayDeque<>();
    final EventRecorder recorder = new EventRecorder();
    final EmbeddedChannel ch = new EmbeddedChannel();
    final Connection conn = Exchanges.connection(ch, submitted::add);

    ExchangeDispatcherTest() {
        ch.pipeline().addLast(recorder, conn.dispatcher());
    }

    NettyExchange dispatch(HttpRequest req, Handler handler, InlineAttempt inline) {
        NettyExchange ex = Exchanges.exchange(conn, req, handler, false, inline);
        ch.writeInbound(ex);
        return ex;
    }

    NettyExchange dispatch(Handler handler) {
        return dispatch(Exchanges.request(HttpMethod.GET, "/x"), handler, null);
    }

    FullHttpResponse answer() {
        return assertInstanceOf(FullHttpResponse.class, ch.readOutbound());
    }

    void runHandlers() {
        while (!submitted.isEmpty()) {
            submitted.removeFirst().run();
        }
        ch.runPendingTasks();
    }

    @Test
    void anInlineRouteIsAnsweredOnTheLoopThenTheNextRequestIsAskedFor() {
        dispatch(Exchanges.request(HttpMethod.GET, "/_ping"), ex -> {
            throw new AssertionError("the attempt answered");
        }, ex -> {
            ex.respondBytes(200, "text/plain", "OK".getBytes(), Map.of());
            return true;
        });
        assertTrue(submitted.isEmpty());
        assertEquals("OK", Exchanges.content(answer()));
        ch.runPendingTasks();
        assertEquals(List.of(RequestSequencer.NEXT_REQUEST), recorder.events);
        assertTrue(ch.isOpen());
    }

    @Test
    void aBlockingRouteRunsOffTheLoop() {
        dispatch(Exchanges.request(HttpMethod.GET, "/cached"), ex -> ex.respond(200, List.of("handler")), ex -> false);
        assertNull(ch.readOutbound(), "the attempt wrote nothing; the handler has not run yet");
        assertEquals(1, submitted.size());
        runHandlers();
        assertEquals("[\"handler\"]\n", Exchanges.content(answer()));
        assertEquals(List.of(RequestSequencer.NEXT_REQUEST), recorder.events);
    }

    @Test
    void exceptionsAreAnsweredAsJsonWithTheirStatus() {
        dispatch(ex -> {
            throw PouchException.conflict("name is in use");
        });
        dispatch(ex -> {
            throw new IllegalStateException("kaboom");
        });
        dispatch(ex -> {
            throw new IllegalArgumentException("bad size");
        });
        dispatch(ex -> {
        });
        runHandlers();
        for (var expected : List.of(List.of(409, "name is in use"), List.of(500, "kaboom"), List.of(400, "bad size"),
                List.of(500, "internal error: no response for GET /x"))) {
            FullHttpResponse resp = answer();
            assertEquals(expected.getFirst(), resp.status().code());
            assertEquals("application/json", resp.headers().get("content-type"));
            assertEquals("{\"message\":\"" + expected.get(1) + "\"}\n", Exchanges.content(resp));
        }
    }

    @Test
    void notModifiedHasNoBody() {
        dispatch(ex -> {
            throw new PouchException(304, "not modified");
        });
        runHandlers();
        FullHttpResponse resp = answer();
        assertEquals(304, resp.status().code());
        assertEquals("", Exchanges.content(resp));
    }

    @Test
    void aClientThatAsksToCloseIsClosedAfterTheAnswer() {
        dispatch(Exchanges.request(HttpMethod.GET, "/x", "Connection", "close"), ex -> ex.respondEmpty(204), null);
        runHandlers();
        FullHttpResponse resp = answer();
        assertEquals("close", resp.headers().get("connection"));
        resp.release();
        assertFalse(ch.isOpen());
        assertFalse(recorder.events.contains(RequestSequencer.NEXT_REQUEST));
    }

    @Test
    void aHalfCloseMeansTheClientHasGoneUnlessItAskedToUpgrade() {
        NettyExchange plain = dispatch(ex -> ex.respondEmpty(204));
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertTrue(plain.clientGone());
        runHandlers();
        assertFalse(ch.isOpen(), "no next request once the client shut its side");

        EmbeddedChannel other = new EmbeddedChannel();
        Connection c = Exchanges.connection(other, submitted::add);
        other.pipeline().addLast(c.dispatcher());
        NettyExchange attach = Exchanges.exchange(c, Exchanges.request(HttpMethod.POST, "/attach",
                "Connection", "Upgrade", "Upgrade", "tcp"), ex -> ex.respondEmpty(204), false, null);
        other.writeInbound(attach);
        other.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertFalse(attach.clientGone(), "a stdin-less attach half-closes at once and still reads");
        other.close();
        assertTrue(attach.clientGone());
    }
}
