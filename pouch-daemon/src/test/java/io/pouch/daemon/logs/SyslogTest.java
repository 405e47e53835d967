package io.pouch.daemon.logs;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.pouch.api.PouchException;
import io.pouch.daemon.logs.LogSink;
import io.pouch.daemon.logs.LogTag;
import io.pouch.daemon.logs.SyslogFormat;
import io.pouch.daemon.logs.SyslogLog;
import io.pouch.daemon.logs.SyslogOptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The syslog driver's option rules, message formats and delivery over real loopback and unix sockets. */
class SyslogTest {
    private static final ZonedDateTime T = ZonedDateTime.of(2026, 3, 5, 7, 8, 9, 123_456_000, ZoneOffset.UTC);

    @Test
    void optionsFollowDockerdsRules() {
        SyslogOptions d = SyslogOptions.parse(Map.of());
        assertEquals(null, d.scheme());
        assertEquals(3, d.facility());
        assertEquals(SyslogFormat.UNIX, d.format());
        assertEquals("{{.ID}}", d.tag());
        SyslogOptions u = SyslogOptions.parse(Map.of("syslog-address", "udp://127.0.0.1", "syslog-facility",
                "local3", "syslog-format", "rfc5424micro", "cache-disabled", "true"));
        assertEquals("udp", u.scheme());
        assertEquals("127.0.0.1:514", u.target());
        assertEquals(19, u.facility());
        assertTrue(u.cacheDisabled());
        assertEquals(7, SyslogOptions.parse(Map.of("syslog-facility", "7")).facility());
        assertMessage("unknown log opt 'max-size' for syslog log driver", Map.of("max-size", "1m"));
        assertMessage("unsupported scheme: 'http'", Map.of("syslog-address", "http://127.0.0.1:514"));
        assertMessage("invalid syslog facility", Map.of("syslog-facility", "24"));
        assertMessage("invalid syslog facility", Map.of("syslog-facility", "nope"));
        assertMessage("Invalid syslog format", Map.of("syslog-format", "rfc9999"));
        assertMessage("stat /no/such/socket: no such file or directory",
                Map.of("syslog-address", "unix:///no/such/socket"));
        assertThrows(PouchException.class, () -> SyslogOptions.parse(Map.of("syslog-address", "tcp+tls://h:1")));
        assertThrows(PouchException.class, () -> SyslogOptions.parse(Map.of("tag", "{{.Nope}}")));
        assertThrows(PouchException.class, () -> SyslogOptions.parse(Map.of("tag", "{{range .x}}")));
    }

    private static void assertMessage(String message, Map<String, String> opts) {
        PouchException e = assertThrows(PouchException.class, () -> SyslogOptions.parse(opts));
        assertEquals(400, e.status());
        assertEquals(message, e.getMessage());
    }

    @Test
    void formatsAsDockerdWritesThem() {
        assertEquals("<30>Mar  5 07:08:09 tag[42]: hello\n", SyslogFormat.UNIX.format(30, T, "h", "tag", 42, "hello"));
        assertEquals("<27>Mar  5 07:08:09 h tag[42]: x\n", SyslogFormat.RFC3164.format(27, T, "h", "tag", 42, "x"));
        assertEquals("<30>1 2026-03-05T07:08:09Z h tag 42 tag - x\n",
                SyslogFormat.RFC5424.format(30, T, "h", "tag", 42, "x"));
        assertEquals("<30>1 2026-03-05T07:08:09.123456Z h tag 42 tag - x\n",
                SyslogFormat.RFC5424MICRO.format(30, T, "h", "tag", 42, "x"));
    }

    @Test
    void tagTemplates() {
        String id = "0123456789abcdef0123";
        assertEquals("0123456789ab", LogTag.render(LogTag.DEFAULT, id, "/web", "sha256:feedface00112233", "busybox"));
        assertEquals("web/busybox/feedface0011/" + id, LogTag.render("{{.Name}}/{{.ImageName}}/{{ .ImageID }}/{{.FullID}}",
                id, "/web", "sha256:feedface00112233", "busybox"));
    }

    @Test
    void linesGoToUdpWithSeverityPerStreamAndToTheCache() throws Exception {
        try (DatagramChannel server = DatagramChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            List<String> cached = new ArrayList<>();
            LogSink cache = new LogSink() {
                @Override
                public void write(int stream, byte[] b, int off, int len) {
                    cached.add(stream + ":" + new String(b, off, len, StandardCharsets.UTF_8));
                }

                @Override
                public void close() {
                    cached.add("closed");
                }
            };
            SyslogOptions o = SyslogOptions.parse(Map.of("syslog-address", "udp://127.0.0.1:" + port,
                    "syslog-format", "rfc3164"));
            SyslogLog log = SyslogLog.open(o, "web", cache, Clock.fixed(Instant.parse("2026-03-05T07:08:09Z"),
                    ZoneOffset.UTC));
            byte[] out = "one\ntw".getBytes(StandardCharsets.UTF_8);
            log.write(1, out, 0, out.length);
            byte[] err = "oops\n".getBytes(StandardCharsets.UTF_8);
            log.write(2, err, 0, err.length);
            log.close(); // flushes the partial "tw"
            List<String> got = new ArrayList<>();
            ByteBuffer b = ByteBuffer.allocate(4096);
            for (int i = 0; i < 3; i++) {
                b.clear();
                server.receive(b);
                b.flip();
                got.add(StandardCharsets.UTF_8.decode(b).toString());
            }
            long pid = ProcessHandle.current().pid();
            assertTrue(got.get(0).matches("<30>Mar  5 \\d\\d:08:09 \\S+ web\\[" + pid + "]: one\n"), got.toString());
            assertTrue(got.get(1).matches("<27>.* web\\[" + pid + "]: oops\n"), got.toString());
            assertTrue(got.get(2).endsWith(": tw\n"), got.toString());
            assertEquals(List.of("1:one\ntw", "2:oops\n", "closed"), cached);
        }
    }

    @Test
    void unixStreamSocketAndAReconnect() throws Exception {
        Path dir = Files.createTempDirectory("syslog");
        Path sock = dir.resolve("log.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            SyslogLog log = SyslogLog.open(SyslogOptions.parse(Map.of("syslog-address", "unix://" + sock)), "t",
                    LogSink.NONE, Clock.systemUTC());
            try (SocketChannel first = server.accept()) {
                log.write(1, "a\n".getBytes(StandardCharsets.UTF_8), 0, 2);
                assertTrue(read(first).endsWith("t[" + ProcessHandle.current().pid() + "]: a\n"));
            }
            // the syslog dropped the connection: the next lines reconnect (the first write may still succeed
            // into the dead socket's buffer, so send until the new connection is taken)
            Thread sender = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 50 && !Thread.currentThread().isInterrupted(); i++) {
                    log.write(1, "b\n".getBytes(StandardCharsets.UTF_8), 0, 2);
                    try {
                        Thread.sleep(20); // paces the lines sent; the test waits on the accept below
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            try (SocketChannel second = server.accept()) {
                assertTrue(read(second).contains("]: b\n"));
            }
            sender.interrupt();
            sender.join();
            log.close();
        } finally {
            Files.deleteIfExists(sock);
            Files.delete(dir);
        }
    }

    @Test
    void unixDatagramSocketLikeDevLog() throws Exception {
        Path dir = Files.createTempDirectory("syslog");
        Path sock = dir.resolve("dev-log");
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        EventLoopGroup g = new MultiThreadIoEventLoopGroup(1,
                EpollIoHandler.newFactory());
        try {
            Channel server = new Bootstrap().group(g)
                    .channel(EpollDomainDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx,
                                                    DomainDatagramPacket p) {
                            got.add(p.content().toString(StandardCharsets.UTF_8));
                        }
                    }).bind(new DomainSocketAddress(sock.toString())).sync().channel();
            SyslogLog log = SyslogLog.open(SyslogOptions.parse(Map.of("syslog-address", "unixgram://" + sock,
                    "syslog-facility", "user")), "dg", LogSink.NONE, Clock.systemUTC());
            log.write(2, "to dev log\n".getBytes(StandardCharsets.UTF_8), 0, 11);
            String m = got.poll(5, TimeUnit.SECONDS);
            assertTrue(m != null && m.startsWith("<11>") && m.endsWith("dg[" + ProcessHandle.current().pid()
                    + "]: to dev log\n"), String.valueOf(m));
            log.close();
            server.close().sync();
        } finally {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            Files.deleteIfExists(sock);
            Files.delete(dir);
        }
    }

    @Test
    void anUnreachableSyslogFailsTheOpen() throws Exception {
        int port;
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
        IOException e = assertThrows(IOException.class, () -> SyslogLog.open(
                SyslogOptions.parse(Map.of("syslog-address", "tcp://127.0.0.1:" + port)), "t", LogSink.NONE,
                Clock.systemUTC()));
        assertTrue(e.getMessage().startsWith("failed to initialize logging driver: "), e.getMessage());
    }

    private static String read(SocketChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        ch.read(b);
        b.flip();
        return StandardCharsets.UTF_8.decode(b).toString();
    }
}
