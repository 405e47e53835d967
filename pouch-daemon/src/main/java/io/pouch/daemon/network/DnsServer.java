package io.pouch.daemon.network;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The DNS server of one user-defined network, on its gateway address, port 53: answers A queries for the names
 * of containers on that network (name, aliases, short id) and forwards anything else to the host's resolvers
 * (loopback ones skipped: they are not reachable from a container's namespace, and forwarding from here to them
 * would make pouchd a resolver for containers of other networks). Uses Netty's DNS codec (netty-codec-dns, the
 * same Netty as the HTTP server) rather than a hand-written one.
 */
final class DnsServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DnsServer.class.getName());
    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    private final Channel channel;

    private DnsServer(Channel channel) {
        this.channel = channel;
    }

    static DnsServer start(String address, Function<String, String> lookup) {
        List<InetSocketAddress> upstream = upstreams(Path.of("/etc/resolv.conf"));
        Bootstrap b = new Bootstrap().group(GROUP).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        install(ch.pipeline(), lookup, upstream);
                    }
                });
        try {
            Channel ch = b.bind(new InetSocketAddress(InetAddress.getByName(address), 53)).sync().channel();
            return new DnsServer(ch);
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on " + address + ":53: " + e.getMessage(), e);
        }
    }

    /** The server's pipeline: Netty's DNS codec around our handler (separate so tests can drive it in memory). */
    static void install(ChannelPipeline p, Function<String, String> lookup, List<InetSocketAddress> upstream) {
        p.addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                new Handler(lookup, new UpstreamResolvers(upstream)));
    }

    static List<InetSocketAddress> upstreams(Path resolvConf) {
        List<InetSocketAddress> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(resolvConf)) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2 && f[0].equals("nameserver") && Cidr.parseAddress(f[1]) != null
                        && !f[1].startsWith("127.")) {
                    out.add(new InetSocketAddress(f[1], 53));
                }
            }
        } catch (IOException ignored) {
            // no resolv.conf: no forwarding
        }
        return out;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        private final Function<String, String> lookup;
        private final UpstreamResolvers upstream;

        Handler(Function<String, String> lookup, UpstreamResolvers upstream) {
            this.lookup = lookup;
            this.upstream = upstream;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery q) {
            DnsQuestion question = q.count(DnsSection.QUESTION) > 0 ? q.recordAt(DnsSection.QUESTION) : null;
            DatagramDnsResponse r = new DatagramDnsResponse(q.recipient(), q.sender(), q.id());
            r.setRecursionDesired(q.isRecursionDesired());
            r.setRecursionAvailable(true);
            if (question == null) {
                r.setCode(DnsResponseCode.FORMERR);
                ctx.writeAndFlush(r);
                return;
            }
            r.addRecord(DnsSection.QUESTION, question);
            String name = question.name();
            String ip = lookup.apply(name);
            if (ip != null) {
                r.setAuthoritativeAnswer(true);
                // the lookup's answer: the IPv4 address, then the IPv6 one on a network with IPv6
                for (String addr : ip.split(" ")) {
                    if (question.type() == DnsRecordType.A && !Cidr6.isV6(addr)) {
                        ByteBuf data = Unpooled.buffer(4).writeInt(Cidr.parseAddress(addr));
                        r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(name, DnsRecordType.A, 600, data));
                    } else if (question.type() == DnsRecordType.AAAA && Cidr6.isV6(addr)) {
                        ByteBuf data = Unpooled.wrappedBuffer(Inet6Address.ofLiteral(addr).getAddress());
                        r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(name, DnsRecordType.AAAA, 600, data));
                    }
                }
                // other types for a known name: NOERROR with no answer (so AAAA does not fail the A lookup)
                ctx.writeAndFlush(r);
                return;
            }
            if (upstream.isEmpty() || !name.contains(".") || name.indexOf('.') == name.length() - 1) {
                r.setCode(DnsResponseCode.NXDOMAIN);
                ctx.writeAndFlush(r);
                return;
            }
            r.release();
            forward(ctx, q, question);
        }

        /** Relays the question to the host's first answering resolver, off the event loop. */
        private void forward(ChannelHandlerContext ctx, DatagramDnsQuery q, DnsQuestion question) {
            InetSocketAddress sender = q.sender();
            InetSocketAddress recipient = q.recipient();
            int id = q.id();
            String name = question.name();
            int type = question.type().intValue();
            Thread.ofVirtual().start(() -> {
                byte[] query = RawQuery.encode(id, name, type);
                Optional<byte[]> answer = upstream.ask(query);
                if (answer.isPresent()) {
                    ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(answer.get()), sender, recipient));
                    return;
                }
                DatagramDnsResponse fail = new DatagramDnsResponse(recipient, sender, id);
                fail.setCode(DnsResponseCode.SERVFAIL);
                ctx.writeAndFlush(fail);
            });
        }
    }
}
