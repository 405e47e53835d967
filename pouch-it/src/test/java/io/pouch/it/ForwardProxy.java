package io.pouch.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small HTTP forward proxy on 127.0.0.1 for the tests: relays absolute-form requests ({@code GET http://h:p/x})
 * and {@code CONNECT h:p} tunnels, and records each request line it relays. Host names in {@code names} are
 * mapped to loopback addresses (so a registry can be reached under a name that is not a loopback one, which the
 * environment's proxy settings skip); any target that is not a loopback address is refused with 403, so nothing
 * ever leaves the machine. Each relayed request gets {@code Connection: close}: one request per connection, so
 * every request is seen here.
 */
final class ForwardProxy implements AutoCloseable {
    private final ServerSocket server;
    private final Map<String, String> names;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** A proxy on a port the OS picks ({@link #port()}). */
    ForwardProxy(Map<String, String> names) throws IOException {
        this.names = Map.copyOf(names);
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        Thread.ofVirtual().name("forward-proxy").start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    /** The request lines relayed so far ({@code GET http://127.0.0.1:PORT/v2/...}, {@code CONNECT host:port}). */
    List<String> requests() {
        return List.copyOf(requests);
    }

    void clear() {
        requests.clear();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket c = server.accept();
                Thread.ofVirtual().start(() -> handle(c));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("forward proxy: " + e);
                }
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            InputStream in = new BufferedInputStream(client.getInputStream());
            String requestLine = line(in);
            if (requestLine == null || requestLine.isEmpty()) {
                return;
            }
            List<String> headers = new ArrayList<>();
            for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                headers.add(h);
            }
            String[] parts = requestLine.split(" ");
            OutputStream out = client.getOutputStream();
            if (parts.length != 3) {
                out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            boolean connect = parts[0].equals("CONNECT");
            URI target = URI.create(connect ? "tcp://" + parts[1] : parts[1]);
            InetAddress address = InetAddress.getByName(names.getOrDefault(target.getHost(), target.getHost()));
            if (!address.isLoopbackAddress()) {
                out.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            requests.add(parts[0] + " " + parts[1]);
            int port = target.getPort() > 0 ? target.getPort() : 80;
            try (Socket up = new Socket(address, port)) {
                OutputStream upOut = up.getOutputStream();
                if (connect) {
                    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } else {
                    StringBuilder head = new StringBuilder(parts[0]).append(' ').append(target.getRawPath())
                            .append(target.getRawQuery() == null ? "" : "?" + target.getRawQuery()).append(' ')
                            .append(parts[2]).append("\r\n");
                    for (String h : headers) {
                        String name = h.substring(0, Math.max(0, h.indexOf(':'))).trim();
                        if (!name.equalsIgnoreCase("Connection") && !name.equalsIgnoreCase("Proxy-Connection")
                                && !name.equalsIgnoreCase("Keep-Alive")) {
                            head.append(h).append("\r\n");
                        }
                    }
                    head.append("Connection: close\r\n\r\n");
                    upOut.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                    upOut.flush();
                }
                Thread toUpstream = Thread.ofVirtual().start(() -> {
                    try {
                        in.transferTo(upOut);
                    } catch (IOException ignored) {
                        // the exchange is over
                    }
                });
                up.getInputStream().transferTo(out);
                out.flush();
                toUpstream.interrupt();
            }
        } catch (IOException e) {
            // a client or registry that hung up: that exchange is over
        }
    }

    /** One CRLF-terminated header line (ISO-8859-1), or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
            if (b.size() > 16 << 10) {
                throw new IOException("header line too long");
            }
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }
}
