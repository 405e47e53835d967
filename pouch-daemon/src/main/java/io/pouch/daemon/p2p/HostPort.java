package io.pouch.daemon.p2p;

import java.net.InetSocketAddress;

/** A {@code host:port} (or {@code [v6]:port}) of the P2P settings and wire. */
record HostPort(String host, int port) {
    static HostPort parse(String s) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("an address host:port is required");
        }
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("address " + s + " is not host:port");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address " + s + " has no numeric port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("address " + s + " has a port out of range");
        }
        return new HostPort(host, port);
    }

    InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
