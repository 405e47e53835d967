package io.pouch.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pouch.api.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A small client for the Engine API (what pouchd and dockerd serve), over a unix socket or plain TCP, one
 * connection per request. The API version is negotiated like the docker CLI does: {@code HEAD /_ping}, then
 * {@code min(server's Api-Version, }{@value #API_VERSION}{@code )} on {@code /vX.Y/} paths; a daemon that sends
 * no version gets 1.24.
 *
 * <p>Paths are given without the version prefix ({@code /containers/json}); names inside them should go through
 * {@link #escape(String)}. Query values may be strings, numbers, booleans (sent as 1/0) or collections (repeated);
 * nulls are skipped. A body may be {@code byte[]} (sent as is) or anything Jackson writes as JSON.
 *
 * <p>Answers of 400 and above become {@link PouchClientException} with the daemon's {@code message}.
 */
public final class PouchClient implements AutoCloseable {
    public static final String API_VERSION = "1.47";
    static final String FALLBACK_API_VERSION = "1.24";
    private static final String USER_AGENT = "Pouch-Client/0.1.0 (linux)";

    private final DaemonHost host;
    private volatile String apiVersion;
    private volatile Consumer<String> trace = s -> { };

    /** Null for unix sockets and plain TCP. */
    private final SslContext tls;

    private PouchClient(DaemonHost host, SslContext tls) {
        this.host = host;
        this.tls = tls;
    }

    /** Nothing connects until the first request. {@code host} null or blank means {@link DaemonHost#DEFAULT}. */
    public static PouchClient connect(String host) {
        return new PouchClient(DaemonHost.parse(host), null);
    }

    /**
     * As {@link #connect(String)}, over TLS when {@code tls} is given (tcp:// hosts only).
     *
     * @throws PouchClientException when TLS is asked for on a unix socket or its files cannot be read
     */
    public static PouchClient connect(String host, ClientTls tls) {
        DaemonHost h = DaemonHost.parse(host);
        if (tls != null && h.isUnix()) {
            throw new PouchClientException(0, "TLS is for tcp:// hosts; " + h + " is a unix socket");
        }
        return new PouchClient(h, tls == null ? null : tls.context());
    }

    /** Every request line and answer status goes here (the CLI's {@code -D}). */
    public PouchClient trace(Consumer<String> trace) {
        this.trace = trace;
        return this;
    }

    public DaemonHost host() {
        return host;
    }

    /** The negotiated API version (pings the daemon the first time). */
    public String apiVersion() {
        String v = apiVersion;
        if (v == null) {
            synchronized (this) {
                if (apiVersion == null) {
                    apiVersion = negotiate();
                }
                v = apiVersion;
            }
        }
        return v;
    }

    /** Pins the API version (skips the ping), e.g. for tests. */
    public PouchClient apiVersion(String version) {
        this.apiVersion = version;
        return this;
    }

    private String negotiate() {
        Response ping;
        try {
            ping = exchange("HEAD", "/_ping", null, null);
            if (ping.status() != 200 && ping.status() != 500) {
                ping = exchange("GET", "/_ping", null, null);
            }
        } catch (PouchClientException e) {
            throw e;
        }
        String server = ping.header("Api-Version");
        if (server == null || server.isBlank()) {
            return FALLBACK_API_VERSION;
        }
        return compareVersions(server.strip(), API_VERSION) < 0 ? server.strip() : API_VERSION;
    }

    /** Orders "1.41" and "1.47" numerically (1.9 &lt; 1.10). */
    public static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? parseOr0(x[i]) : 0;
            int q = i < y.length ? parseOr0(y[i]) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    private static int parseOr0(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    // ---- buffered requests ----

    public Response get(String path, Map<String, ?> query) {
        return request("GET", path, query, null);
    }

    public Response post(String path, Map<String, ?> query, Object body) {
        return request("POST", path, query, body);
    }

    public Response delete(String path, Map<String, ?> query) {
        return request("DELETE", path, query, null);
    }

    /** A versioned request whose whole answer is read; 400 and above throw. */
    public Response request(String method, String path, Map<String, ?> query, Object body) {
        Response r = exchange(method, versioned(path), query, body);
        if (r.status() >= 400) {
            throw error(r.status(), r.body());
        }
        return r;
    }

    /** The unversioned {@code GET /_ping} answer (status and headers). */
    public Response ping() {
        return exchange("GET", "/_ping", null, null);
    }

    // ---- streaming ----

    /**
     * A versioned request whose body is read as it arrives. Returns once the status and headers are in (which is
     * what {@code docker run} waits for on {@code /wait} before it starts the container). 400 and above throw.
     */
    public StreamResponse stream(String method, String path, Map<String, ?> query, Object body) {
        return openStream(method, path, query, encodeBody(body), null, null);
    }

    /** POSTs {@code upload} as a chunked body (image load, import) and streams the answer. */
    public StreamResponse postStream(String path, Map<String, ?> query, InputStream upload, String contentType) {
        return openStream("POST", path, query, null, upload, contentType);
    }

    /**
     * {@link #stream} with extra request headers (the registry credentials of pull and push:
     * {@code X-Registry-Auth}).
     */
    public StreamResponse stream(String method, String path, Map<String, ?> query, Object body,
                                 Map<String, String> headers) {
        Opened o = open(method, uri(versioned(path), query), encodeBody(body), null, null, false, headers);
        int status = o.head.status().code();
        if (status >= 400) {
            throw error(status, readAll(o.body));
        }
        return new StreamResponse(status, headers(o.head), o.body, o.body::close);
    }

    /** Sends {@code upload} as a chunked body with any method (PUT archive) and streams the answer. */
    public StreamResponse uploadStream(String method, String path, Map<String, ?> query, InputStream upload,
                                       String contentType) {
        return openStream(method, path, query, null, upload, contentType);
    }

    private StreamResponse openStream(String method, String path, Map<String, ?> query, byte[] body,
                                      InputStream upload, String contentType) {
        Opened o = open(method, uri(versioned(path), query), body, upload, contentType, false);
        int status = o.head.status().code();
        if (status >= 400) {
            byte[] bytes = readAll(o.body);
            throw error(status, bytes);
        }
        return new StreamResponse(status, headers(o.head), o.body, o.body::close);
    }

    /**
     * Upgrades the connection ({@code Connection: Upgrade}, {@code Upgrade: tcp}) for attach and exec start.
     * A daemon that answers 200 instead of 101 (as dockerd does without the Upgrade header) works too: the body
     * is then the same raw stream.
     */
    public HijackedConnection hijack(String path, Map<String, ?> query, Object body) {
        Opened o = open("POST", uri(versioned(path), query), encodeBody(body), null, null, true);
        int status = o.head.status().code();
        if (status >= 400) {
            throw error(status, readAll(o.body));
        }
        String type = o.head.headers().get(HttpHeaderNames.CONTENT_TYPE, "application/vnd.docker.raw-stream");
        return new HijackedConnection(o.channel, o.body, type);
    }

    // ---- plumbing ----

    private Response exchange(String method, String path, Map<String, ?> query, Object body) {
        Opened o = open(method, uri(path, query), encodeBody(body), null, null, false);
        byte[] bytes = readAll(o.body);
        return new Response(o.head.status().code(), headers(o.head), bytes);
    }

    private record Opened(Channel channel, HttpResponse head, ChannelBody body) {
    }

    private Opened open(String method, String uri, byte[] body, InputStream upload, String contentType,
                        boolean hijack) {
        return open(method, uri, body, upload, contentType, hijack, Map.of());
    }

    private Opened open(String method, String uri, byte[] body, InputStream upload, String contentType,
                        boolean hijack, Map<String, String> extraHeaders) {
        trace.accept("> " + method + " " + uri);
        Channel channel = connectChannel();
        ChannelBody bodyStream = new ChannelBody(channel);
        ExchangeHandler handler = new ExchangeHandler(bodyStream);
        channel.pipeline().addLast("exchange", handler);
        try {
            HttpMethod m = HttpMethod.valueOf(method);
            HttpRequest request;
            if (upload != null) {
                request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, m, uri);
                request.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                request.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            } else {
                ByteBuf content = body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
                request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, m, uri, content);
                if (body != null) {
                    request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
                }
                if (body != null || !"GET".equals(method) && !"HEAD".equals(method)) {
                    request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
                }
            }
            request.headers().set(HttpHeaderNames.HOST, host.hostHeader());
            request.headers().set(HttpHeaderNames.USER_AGENT, USER_AGENT);
            for (Map.Entry<String, String> h : extraHeaders.entrySet()) {
                request.headers().set(h.getKey(), h.getValue());
            }
            if (hijack) {
                request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
                request.headers().set(HttpHeaderNames.UPGRADE, "tcp");
            }
            ChannelFuture sent = channel.writeAndFlush(request);
            channel.read();
            if (upload != null) {
                sendChunks(channel, upload, handler);
            }
            sent.awaitUninterruptibly();
            if (!sent.isSuccess() && !handler.head.isDone()) {
                throw transportFailure(sent.cause());
            }
            HttpResponse head = handler.head.get();
            trace.accept("< " + head.status());
            return new Opened(channel, head, bodyStream);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            bodyStream.close();
            throw new PouchClientException(0, "interrupted", e);
        } catch (ExecutionException e) {
            bodyStream.close();
            throw transportFailure(e.getCause());
        } catch (RuntimeException e) {
            bodyStream.close();
            throw e;
        }
    }

    /** Streams the upload from the calling thread, one chunk in flight; stops early if the daemon answered. */
    private static void sendChunks(Channel channel, InputStream upload, ExchangeHandler handler) {
        byte[] buf = new byte[64 * 1024];
        try {
            int n;
            while (!handler.head.isDone() && (n = upload.read(buf)) > 0) {
                ChannelFuture f = channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buf, 0, n)));
                f.awaitUninterruptibly();
                if (!f.isSuccess()) {
                    return; // the daemon closed on us; its answer (if any) says why
                }
            }
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).awaitUninterruptibly();
        } catch (IOException e) {
            channel.close();
            throw new PouchClientException(0, "reading the upload failed: " + e.getMessage(), e);
        }
    }

    private Channel connectChannel() {
        Bootstrap b = new Bootstrap()
                .group(Loop.GROUP)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), host.hostname(), host.port()));
                        }
                        ch.pipeline().addLast("http", new HttpClientCodec());
                    }
                });
        b.channel(host.isUnix() ? NioDomainSocketChannel.class : NioSocketChannel.class);
        ChannelFuture f = b.connect(host.socketAddress()).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new PouchClientException(0, "Cannot connect to the Pouch daemon at " + host
                    + ". Is the pouch daemon running?", f.cause());
        }
        return f.channel();
    }

    /**
     * The event loop starts with the first request, so commands that fail early never pay for it. Plain NIO (the
     * JDK's AF_UNIX support) rather than epoll: one connection at a time needs no native transport, and skipping
     * the JNI library keeps CLI start-up short.
     */
    private static final class Loop {
        static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("pouch-client", true), NioIoHandler.newFactory());
    }

    private PouchClientException transportFailure(Throwable cause) {
        String msg = cause == null ? "unknown error" : cause.getMessage() == null ? cause.toString() : cause.getMessage();
        return new PouchClientException(0, "error during connect to " + host + ": " + msg, cause);
    }

    private String versioned(String path) {
        return "/v" + apiVersion() + path;
    }

    static String uri(String path, Map<String, ?> query) {
        if (query == null || query.isEmpty()) {
            return path;
        }
        QueryStringEncoder enc = new QueryStringEncoder(path);
        for (Map.Entry<String, ?> e : query.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Collection<?> values) {
                for (Object one : values) {
                    if (one != null) {
                        enc.addParam(e.getKey(), queryValue(one));
                    }
                }
            } else if (v != null) {
                enc.addParam(e.getKey(), queryValue(v));
            }
        }
        return enc.toString();
    }

    private static String queryValue(Object v) {
        if (v instanceof Boolean b) {
            return b ? "1" : "0";
        }
        if (v instanceof JsonNode node) {
            return node.toString();
        }
        return v.toString();
    }

    private static byte[] encodeBody(Object body) {
        if (body == null) {
            return null;
        }
        if (body instanceof byte[] bytes) {
            return bytes;
        }
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode request body: " + e.getMessage(), e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> headers(HttpResponse head) {
        Map<String, String> map = new TreeMap<>();
        for (Map.Entry<String, String> e : head.headers()) {
            map.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
        }
        return map;
    }

    /** Turns an error answer into an exception carrying the daemon's own message. */
    static PouchClientException error(int status, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        String message = text;
        if (text.startsWith("{")) {
            try {
                JsonNode node = Json.MAPPER.readTree(text);
                if (node.hasNonNull("message")) {
                    message = node.get("message").asText();
                }
            } catch (IOException ignored) {
                // not JSON after all: show the raw text
            }
        }
        if (message.isEmpty()) {
            message = "the daemon answered HTTP " + status + " without a message";
        }
        return new PouchClientException(status, message);
    }

    /**
     * Percent-encodes a path segment (a container or image name). {@code /} is kept, as the docker CLI keeps it in
     * image names like {@code registry:5000/ns/app}; {@code ..} and everything else that is not plain is encoded.
     */
    public static String escape(String segment) {
        StringBuilder sb = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '_' || c == '~' || c == ':' || c == '@' || c == '/'
                    || c == '.' && !segment.contains("..")) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        // Connections are per request and closed with their answers; the shared loop runs on daemon threads.
    }
}
