package io.pouch.daemon.cri.streaming;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;

import java.util.Map;

/**
 * One client-opened SPDY stream: its headers, the bytes the client sends on it, and the bytes the server sends back
 * (each stream is two-way; either side half-closes its direction with a FIN).
 */
final class SpdyStream {
    private final int id;
    private final Map<String, String> headers;
    private final InboundPipe in;
    private final FrameOutputStream out;

    SpdyStream(int id, Map<String, String> headers, Channel channel, ReadGate readGate, WritabilityGate writeGate) {
        this.id = id;
        this.headers = headers;
        this.in = new InboundPipe(readGate);
        this.out = new FrameOutputStream(channel, writeGate, new FrameOutputStream.Framer() {
            @Override
            public Object data(ByteBuf payload) {
                return new DefaultSpdyDataFrame(id, payload);
            }

            @Override
            public Object end() {
                return new DefaultSpdyDataFrame(id).setLast(true);
            }
        });
    }

    int id() {
        return id;
    }

    /** A header by its lower-case name (SPDY sends names in lower case), or null. */
    String header(String name) {
        return headers.get(name);
    }

    InboundPipe in() {
        return in;
    }

    FrameOutputStream out() {
        return out;
    }
}
