package io.pouch.daemon.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DnsServerTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("10.231.50.2", 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("10.231.50.1", 53);

    private static DatagramDnsResponse ask(String name, int type) {
        EmbeddedChannel ch = new EmbeddedChannel();
        DnsServer.install(ch.pipeline(), Map.of("web", "10.231.50.7", "web.", "10.231.50.7", "six.",
                "10.231.50.8 fd12:3456:789a::8")::get, List.of());
        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(RawQuery.encode(4242, name, type)), SERVER, CLIENT));
        DatagramPacket out = ch.readOutbound();
        EmbeddedChannel dec = new EmbeddedChannel(new DatagramDnsResponseDecoder());
        dec.writeInbound(out);
        return dec.readInbound();
    }

    @Test
    void answersKnownNamesWithTheirAddress() {
        DatagramDnsResponse r = ask("web", 1);
        assertEquals(4242, r.id());
        assertEquals(DnsResponseCode.NOERROR, r.code());
        DnsRawRecord a = r.recordAt(DnsSection.ANSWER);
        ByteBuf c = a.content();
        assertEquals("10.231.50.7", Cidr.format(c.getInt(c.readerIndex())));
        r.release();
    }

    @Test
    void knownNameOtherTypeIsEmptyAndUnknownIsNxdomainWithoutUpstream() {
        DatagramDnsResponse aaaa = ask("web", 28);
        assertEquals(DnsResponseCode.NOERROR, aaaa.code());
        assertEquals(0, aaaa.count(DnsSection.ANSWER));
        aaaa.release();
        DatagramDnsResponse unknown = ask("nosuch.example", 1);
        assertEquals(DnsResponseCode.NXDOMAIN, unknown.code());
        unknown.release();
    }

    @Test
    void upstreamsSkipLoopbackResolvers(@TempDir Path dir) throws Exception {
        Path rc = dir.resolve("resolv.conf");
        Files.writeString(rc, "nameserver 127.0.0.53\nnameserver 10.231.60.1\nnameserver ::1\nsearch x\n");
        assertEquals(List.of(new InetSocketAddress("10.231.60.1", 53)), DnsServer.upstreams(rc));
    }

    @Test
    void aNameOnANetworkWithIpv6HasBothRecords() throws Exception {
        DatagramDnsResponse aaaa = ask("six", 28);
        assertEquals(1, aaaa.count(DnsSection.ANSWER));
        DnsRawRecord r6 = aaaa.recordAt(DnsSection.ANSWER);
        byte[] b = new byte[16];
        r6.content().getBytes(r6.content().readerIndex(), b);
        assertEquals("fd12:3456:789a::8", Cidr6.format(new java.math.BigInteger(1, b)));
        aaaa.release();
        DatagramDnsResponse a = ask("six", 1);
        assertEquals(1, a.count(DnsSection.ANSWER));
        DnsRawRecord r4 = a.recordAt(DnsSection.ANSWER);
        assertEquals("10.231.50.8", Cidr.format(r4.content().getInt(r4.content().readerIndex())));
        a.release();
    }
}
