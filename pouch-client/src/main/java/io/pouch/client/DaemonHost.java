package io.pouch.client;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.URI;

/**
 * Where the daemon listens, parsed from {@code -H}/{@code POUCH_HOST}: {@code unix:///path}, {@code tcp://host:port}
 * or a bare {@code host:port} (tcp); TLS for tcp is {@link ClientTls}.
 */
public record DaemonHost(String scheme, String path, String hostname, int port) {
    public static final String DEFAULT = "unix:///var/run/pouchd.sock";

    public static DaemonHost parse(String spec) {
        if (spec == null || spec.isBlank()) {
            spec = DEFAULT;
        }
        spec = spec.strip();
        if (spec.startsWith("unix://")) {
            String path = spec.substring("unix://".length());
            if (path.isEmpty()) {
                throw new IllegalArgumentException("invalid host " + spec + ": missing socket path");
            }
            return new DaemonHost("unix", path, null, 0);
        }
        if (spec.startsWith("/")) {
            return new DaemonHost("unix", spec, null, 0);
        }
        String rest = spec.startsWith("tcp://") ? spec.substring("tcp://".length()) : spec;
        if (rest.contains("://")) {
            throw new IllegalArgumentException("invalid host " + spec + ": only unix:// and tcp:// are supported");
        }
        URI uri = URI.create("tcp://" + rest);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("invalid host " + spec);
        }
        int port = uri.getPort() < 0 ? 2375 : uri.getPort();
        return new DaemonHost("tcp", null, uri.getHost(), port);
    }

    public boolean isUnix() {
        return "unix".equals(scheme);
    }

    SocketAddress socketAddress() {
        return isUnix() ? UnixDomainSocketAddress.of(path) : new InetSocketAddress(hostname, port);
    }

    /** The Host header: any value works for the daemon, docker's CLI sends a fixed name for sockets too. */
    String hostHeader() {
        return isUnix() ? "localhost" : hostname + ":" + port;
    }

    @Override
    public String toString() {
        return isUnix() ? "unix://" + path : "tcp://" + hostname + ":" + port;
    }
}
