package io.pouch.daemon.api;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

import java.util.concurrent.Executor;

/**
 * The handlers of one API connection, after TLS if any. Inbound, in order: Netty's HTTP codec,
 * {@link RequestSequencer} (one request at a time, pipelined ones in order), {@link HijackSwitch} (passes everything
 * until an exchange takes the connection over), {@link RequestRouter} (request head to exchange),
 * {@link RequestBodyHandler} (collected or streamed body, admitted against the server's {@link BodyBudget}, and the
 * {@code 100 Continue} answer once it is), {@link WriteGate} and {@link ExchangeDispatcher} (runs the handler, ends
 * the exchange).
 */
final class ApiPipeline {
    static final String CODEC = "http";
    static final String SEQUENCER = "sequencer";
    static final String HIJACK = "hijack";
    static final String ROUTER = "router";
    static final String BODY = "body";
    static final String GATE = "write-gate";
    static final String DISPATCHER = "dispatcher";
    /**
     * The longest request line and the most header bytes we read: Go's server (dockerd) takes about 1 MiB of
     * request head, which a {@code ps} with hundreds of filters or a long {@code X-Registry-Auth} needs.
     */
    static final int MAX_HEAD = 1 << 20;

    private ApiPipeline() {
    }

    /**
     * Adds the handlers at the end of {@code ch}'s pipeline.
     *
     * @param handlers runs route handlers, each on its own virtual thread
     */
    static void install(Channel ch, Router router, ResponseHeaders headers, Executor handlers) {
        install(ch, router, headers, handlers, BodyBudget.forHeap());
    }

    /** @param budget the server's budget for collected request bodies, shared by all its connections */
    static void install(Channel ch, Router router, ResponseHeaders headers, Executor handlers, BodyBudget budget) {
        WriteGate gate = new WriteGate();
        HijackSwitch hijack = new HijackSwitch();
        ExchangeDispatcher dispatcher = new ExchangeDispatcher(handlers);
        Connection connection = new Connection(ch, headers, gate, dispatcher, hijack);
        ChannelPipeline p = ch.pipeline();
        p.addLast(CODEC, new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(MAX_HEAD)
                        .setMaxHeaderSize(MAX_HEAD)))
                .addLast(SEQUENCER, new RequestSequencer())
                .addLast(HIJACK, hijack)
                .addLast(ROUTER, new RequestRouter(router, connection))
                .addLast(BODY, new RequestBodyHandler(headers, BodyBudget.MAX_JSON_BODY, budget))
                .addLast(GATE, gate)
                .addLast(DISPATCHER, dispatcher);
    }
}
