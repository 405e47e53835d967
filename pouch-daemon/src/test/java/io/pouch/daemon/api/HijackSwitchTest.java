package io.pouch.daemon.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HijackSwitchTest {
    static final String ATTACH = "POST /attach HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
            + "Content-Length: 0\r\n\r\n";

    final HijackSwitch hijack = new HijackSwitch();
    final EmbeddedChannel ch = new EmbeddedChannel();

    HijackSwitchTest() {
        ch.pipeline().addLast(ApiPipeline.CODEC, new HttpServerCodec()).addLast(ApiPipeline.HIJACK, hijack);
    }

    static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    static HttpResponse upgraded() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, new HttpResponseStatus(101, "UPGRADED"));
        head.headers().set(HttpHeaderNames.CONNECTION, "Upgrade").set(HttpHeaderNames.UPGRADE, "tcp");
        return head;
    }

    String outbound() {
        StringBuilder s = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            s.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return s.toString();
    }

    static String available(ChannelInput in) throws IOException {
        return new String(in.readNBytes(in.available()), StandardCharsets.ISO_8859_1);
    }

    @Test
    void httpPassesUntilTheTakeoverThenRawBytesFlowBothWays() throws IOException {
        ch.writeInbound(bytes(ATTACH));
        assertInstanceOf(HttpRequest.class, ch.readInbound());
        assertInstanceOf(LastHttpContent.class, ch.readInbound());

        ChannelInput in = hijack.newInput();
        ch.writeAndFlush(new HijackSwitch.Takeover(upgraded(), in));
        String head = outbound();
        assertTrue(head.startsWith("HTTP/1.1 101 UPGRADED\r\n"), head);
        assertTrue(head.endsWith("\r\n\r\n"), head);
        assertNull(ch.pipeline().get(ApiPipeline.CODEC), "the HTTP codec is gone");

        // no longer parsed as HTTP: what the client sends is stdin
        ch.writeInbound(bytes("GET / HTTP/1.1\r\n"));
        assertNull(ch.readInbound());
        assertEquals("GET / HTTP/1.1\r\n", available(in));
        ch.writeAndFlush(bytes("\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0002hi"));
        assertEquals("\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0002hi", outbound());
    }

    @Test
    void bytesTheDecoderHadBufferedBecomeInput() throws IOException {
        ch.writeInbound(bytes(ATTACH + "early stdin"));
        ReferenceCountUtil.release(ch.readInbound());
        ReferenceCountUtil.release(ch.readInbound());
        ChannelInput in = hijack.newInput();
        ch.writeAndFlush(new HijackSwitch.Takeover(upgraded(), in));
        assertEquals("early stdin", available(in));
    }

    @Test
    void aHalfCloseEndsTheInputButNotTheOutput() throws IOException {
        ChannelInput in = hijack.newInput();
        ch.writeAndFlush(new HijackSwitch.Takeover(upgraded(), in));
        outbound();
        ch.writeInbound(bytes("stdin"));
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertEquals("stdin", new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
        assertTrue(ch.isOpen());
        ch.writeAndFlush(bytes("output"));
        assertEquals("output", outbound());
    }

    @Test
    void aClientThatHalfClosedBeforeTheTakeoverHasNoInput() throws IOException {
        ch.writeInbound(bytes(ATTACH));
        ReferenceCountUtil.release(ch.readInbound());
        ReferenceCountUtil.release(ch.readInbound());
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        ChannelInput in = hijack.newInput();
        ch.writeAndFlush(new HijackSwitch.Takeover(upgraded(), in));
        assertEquals(-1, in.read());
    }

    @Test
    void closingTheConnectionEndsTheInput() throws IOException {
        ChannelInput in = hijack.newInput();
        ch.writeAndFlush(new HijackSwitch.Takeover(upgraded(), in));
        ch.close();
        assertEquals(-1, in.read());
    }
}
