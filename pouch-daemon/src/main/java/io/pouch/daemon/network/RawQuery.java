package io.pouch.daemon.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRecordEncoder;
import io.netty.handler.codec.dns.DnsRecordType;

/** A one-question query in wire form for forwarding, built with Netty's record encoder (only the header is ours). */
final class RawQuery {
    private RawQuery() {
    }

    static byte[] encode(int id, String name, int type) {
        ByteBuf b = Unpooled.buffer(64);
        try {
            b.writeShort(id);
            b.writeShort(0x0100); // standard query, recursion desired
            b.writeShort(1).writeShort(0).writeShort(0).writeShort(0);
            DnsRecordEncoder.DEFAULT.encodeQuestion(new DefaultDnsQuestion(name, DnsRecordType.valueOf(type)), b);
            byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("cannot encode a DNS query for " + name, e);
        } finally {
            b.release();
        }
    }
}
