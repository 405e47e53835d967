package io.pouch.daemon.api;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;

import java.util.concurrent.Executor;

/**
 * The handlers of one API connection, after TLS if any. Inbound, in order: Netty's HTTP codec and its
 * {@code 100 Continue} answer, {@link RequestSequencer} (one request at a time, pipelined ones in order),
 * {@link HijackSwitch} (passes everything until an exchange takes the connection over), {@link RequestRouter}
 * (request head to exchange), {@link RequestBodyHandler} (collected or streamed body), {@link WriteGate} and
 * {@link ExchangeDispatcher} (runs the handler, ends the exchange).
 */
final class ApiPipeline {
    static final String CODEC = "http";
    static final String EXPECT_CONTINUE = "expect-continue";
    static final String SEQUENCER = "sequencer";
    static final String HIJACK = "hijack";
    static final String ROUTER = "router";
    static final String BODY = "body";
    static final String GATE = "write-gate";
    static final String DISPATCHER = "dispatcher";

    private ApiPipeline() {
    }

    /**
     * Adds the handlers at the end of {@code ch}'s pipeline.
     *
     * @param handlers runs route handlers, each on its own virtual thread
     */
    static void install(Channel ch, Router router, ResponseHeaders headers, Executor handlers) {
        WriteGate gate = new WriteGate();
        HijackSwitch hijack = new HijackSwitch();
        ExchangeDispatcher dispatcher = new ExchangeDispatcher(handlers);
        Connection connection = new Connection(ch, headers, gate, dispatcher, hijack);
        ChannelPipeline p = ch.pipeline();
        p.addLast(CODEC, new HttpServerCodec())
                .addLast(EXPECT_CONTINUE, new HttpServerExpectContinueHandler())
                .addLast(SEQUENCER, new RequestSequencer())
                .addLast(HIJACK, hijack)
                .addLast(ROUTER, new RequestRouter(router, connection))
                .addLast(BODY, new RequestBodyHandler(headers, RequestBodyHandler.MAX_BODY))
                .addLast(GATE, gate)
                .addLast(DISPATCHER, dispatcher);
    }
}
