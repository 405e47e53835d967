package io.pouch.daemon.logs;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * Where syslog messages go: UDP, TCP, a unix stream socket or a unix datagram socket (the usual {@code /dev/log}).
 * Java's channels cover all but the last; unix datagrams go through Netty's epoll transport, already the HTTP
 * server's.
 */
public interface SyslogTransport extends AutoCloseable {
    /** Sends one message. @throws IOException when the peer is gone (the caller reconnects once) */
    void send(byte[] message) throws IOException;

    @Override
    void close();

    /** Local syslog sockets tried in this order, as dockerd's syslog library does. */
    List<Path> LOCAL = List.of(Path.of("/dev/log"), Path.of("/var/run/syslog"), Path.of("/var/run/log"));

    /**
     * @throws IOException with what failed, e.g. "Unix syslog delivery error" when no local socket answers
     */
    public static SyslogTransport connect(SyslogOptions o) throws IOException {
        if (o.scheme() == null) {
            for (String type : List.of("unixgram", "unix")) {
                for (Path p : LOCAL) {
                    if (Files.exists(p)) {
                        try {
                            return type.equals("unix") ? stream(UnixDomainSocketAddress.of(p)) : Datagrams.connect(p);
                        } catch (IOException e) {
                            // the next kind or path, as dockerd's library tries them
                        }
                    }
                }
            }
            throw new IOException("Unix syslog delivery error");
        }
        return switch (o.scheme()) {
            case "unix" -> stream(UnixDomainSocketAddress.of(o.target()));
            case "unixgram" -> Datagrams.connect(Path.of(o.target()));
            case "tcp" -> stream(inet(o.target()));
            case "udp" -> {
                DatagramChannel ch = DatagramChannel.open();
                ch.connect(inet(o.target()));
                yield channel(ch);
            }
            default -> throw new IOException("unsupported scheme: '" + o.scheme() + "'");
        };
    }

    private static InetSocketAddress inet(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static SyslogTransport stream(SocketAddress a) throws IOException {
        SocketChannel ch = SocketChannel.open(a instanceof UnixDomainSocketAddress ? StandardProtocolFamily.UNIX
                : ((InetSocketAddress) a).getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET);
        try {
            ch.connect(a);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return channel(ch);
    }

    private static SyslogTransport channel(ByteChannel ch) {
        return new SyslogTransport() {
            @Override
            public void send(byte[] message) throws IOException {
                ByteBuffer b = ByteBuffer.wrap(message);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }

            @Override
            public void close() {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing left to send to
                }
            }
        };
    }

    /** Unix datagram sockets through Netty's epoll channel; one small event loop for all of them, made on first use. */
    public final class Datagrams {
        private static volatile EventLoopGroup group;

        private Datagrams() {
        }

        static SyslogTransport connect(Path path) throws IOException {
            Channel ch;
            try {
                ch = new Bootstrap().group(group()).channel(EpollDomainDatagramChannel.class)
                        .handler(new ChannelInboundHandlerAdapter())
                        .connect(new DomainSocketAddress(path.toString())).sync().channel();
            } catch (Exception e) {
                throw new IOException("dial unixgram " + path + ": " + e.getMessage(), e);
            }
            return new SyslogTransport() {
                @Override
                public void send(byte[] message) throws IOException {
                    if (!ch.isActive()) {
                        throw new IOException("unixgram " + path + " closed");
                    }
                    ch.writeAndFlush(Unpooled.wrappedBuffer(message));
                }

                @Override
                public void close() {
                    ch.close();
                }
            };
        }

        private static EventLoopGroup group() {
            EventLoopGroup g = group;
            if (g == null) {
                synchronized (Datagrams.class) {
                    g = group;
                    if (g == null) {
                        ThreadFactory daemon = r -> {
                            Thread t = new Thread(r, "syslog-unixgram");
                            t.setDaemon(true);
                            return t;
                        };
                        g = group = new MultiThreadIoEventLoopGroup(1, daemon, EpollIoHandler.newFactory());
                    }
                }
            }
            return g;
        }
    }
}
