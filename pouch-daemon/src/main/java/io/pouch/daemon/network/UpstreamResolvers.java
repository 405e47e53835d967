package io.pouch.daemon.network;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The host's resolvers a network's DNS server forwards unknown names to: one blocking UDP exchange per resolver,
 * in order, until one answers (2 s each). Callers run it off the event loop.
 */
final class UpstreamResolvers {
    private static final Logger LOG = Logger.getLogger(UpstreamResolvers.class.getName());
    private static final int TIMEOUT_MILLIS = 2000;

    private final List<InetSocketAddress> resolvers;

    UpstreamResolvers(List<InetSocketAddress> resolvers) {
        this.resolvers = List.copyOf(resolvers);
    }

    boolean isEmpty() {
        return resolvers.isEmpty();
    }

    /** The first answer to query (a DNS message in wire form), empty when no resolver answered. */
    Optional<byte[]> ask(byte[] query) {
        for (InetSocketAddress u : resolvers) {
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(TIMEOUT_MILLIS);
                s.send(new DatagramPacket(query, query.length, u));
                byte[] buf = new byte[4096];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                return Optional.of(Arrays.copyOf(buf, p.getLength()));
            } catch (IOException e) {
                LOG.fine("resolver " + u + " did not answer: " + e.getMessage());
            }
        }
        return Optional.empty();
    }
}
