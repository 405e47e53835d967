package io.pouch.daemon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link HttpExchange} over one Netty request, bound to its route. Lives on the handler's virtual thread (or on the
 * event loop for an inline route); it only writes to the channel, which Netty hands to the loop, and reports its
 * complete answer to the {@link ExchangeDispatcher}.
 */
final class NettyExchange implements HttpExchange {
    private static final Logger LOG = Logger.getLogger(NettyExchange.class.getName());

    private final Connection conn;
    private final Channel channel;
    private final HttpRequest request;
    private final String path;
    private final ApiVersion version;
    private final Router.Match route;
    private final Map<String, String> params;
    private final Map<String, List<String>> query;
    /** The collected body, or null for a streaming route (then {@link #streamedBody} is used). */
    private volatile byte[] collectedBody;
    private volatile ChannelInput streamedBody;
    private volatile Runnable bodyRelease = () -> { };

    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile OutputStream openStream;
    private volatile boolean gone;
    private final List<Runnable> goneActions = new CopyOnWriteArrayList<>();

    NettyExchange(Connection conn, HttpRequest request, String path, ApiVersion version, Router.Match route) {
        this.conn = conn;
        this.channel = conn.channel();
        this.request = request;
        this.path = path;
        this.version = version;
        this.route = route;
        this.params = Map.copyOf(route.params());
        this.query = new QueryStringDecoder(request.uri()).parameters();
    }

    HttpRequest request() {
        return request;
    }

    Router.Match route() {
        return route;
    }

    /** The whole body, collected before the handler runs; {@code release} gives its memory budget back. */
    void collectedBody(byte[] body, Runnable release) {
        collectedBody = body;
        bodyRelease = release;
    }

    /** The exchange has ended: what its collected body holds of the server's budget is given back. */
    void bodyDone() {
        bodyRelease.run();
    }

    /** The body as it arrives, for a streaming route; set before the handler runs. */
    void streamBody(ChannelInput body) {
        streamedBody = body;
    }

    /** True when the request's body was read to its end, so the connection can serve another request. */
    boolean bodyConsumed() {
        ChannelInput s = streamedBody;
        return s == null || s.fullyConsumed();
    }

    void channelClose() {
        channel.close();
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public ApiVersion apiVersion() {
        return version;
    }

    @Override
    public Map<String, String> pathParams() {
        return params;
    }

    @Override
    public String query(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    @Override
    public List<String> queryAll(String name) {
        return query.getOrDefault(name, List.of());
    }

    @Override
    public String header(String name) {
        return request.headers().get(name);
    }

    @Override
    public InputStream body() {
        ChannelInput s = streamedBody;
        return s != null ? s : new ByteArrayInputStream(collectedBody);
    }

    @Override
    public <T> T bodyJson(Class<T> type) {
        byte[] bytes;
        try {
            ChannelInput s = streamedBody;
            bytes = s != null ? s.readAllBytes() : collectedBody;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed: " + e.getMessage(), e);
        }
        return JsonBody.decode(bytes, type);
    }

    // ---- answers ----

    private void claim() {
        if (!answered.compareAndSet(false, true)) {
            throw new IllegalStateException("response already sent for " + method() + " " + path);
        }
    }

    boolean answered() {
        return answered.get();
    }

    @Override
    public void respond(int status, Object body) {
        byte[] json;
        try {
            json = Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw PouchException.internal("cannot encode the response: " + e.getOriginalMessage(), e);
        }
        // dockerd's encoder ends every JSON answer with a newline
        byte[] withNl = new byte[json.length + 1];
        System.arraycopy(json, 0, withNl, 0, json.length);
        withNl[json.length] = '\n';
        respondBytes(status, "application/json", withNl, Map.of());
    }

    @Override
    public void respondEmpty(int status) {
        claim();
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        conn.headers().addTo(resp.headers());
        if (status != 204 && status != 304 && status >= 200) {
            HttpUtil.setContentLength(resp, 0);
        }
        sendFull(resp);
    }

    @Override
    public void respondBytes(int status, String contentType, byte[] body, Map<String, String> headers) {
        claim();
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body));
        conn.headers().addTo(resp.headers());
        if (contentType != null) {
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        headers.forEach((k, v) -> resp.headers().set(k, v));
        HttpUtil.setContentLength(resp, body.length);
        sendFull(resp);
    }

    private void sendFull(FullHttpResponse resp) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!keepAlive) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ChannelFuture f = channel.writeAndFlush(resp);
        conn.dispatcher().responseComplete(this, f, keepAlive);
    }

    @Override
    public OutputStream startStream(int status, String contentType, Map<String, String> headers, boolean chunked)
            throws IOException {
        claim();
        HttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        conn.headers().addTo(resp.headers());
        if (contentType != null) {
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        headers.forEach((k, v) -> resp.headers().set(k, v));
        boolean keepAlive = chunked && HttpUtil.isKeepAlive(request);
        if (chunked) {
            HttpUtil.setTransferEncodingChunked(resp, true);
        } else {
            // no length and no chunking: the body ends when we close the connection
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        // flushed now: the docker CLI waits for the headers of /wait before it starts the container
        channel.writeAndFlush(resp);
        ChannelOutput out = new ChannelOutput(channel, conn.gate(), DefaultHttpContent::new, () -> {
            if (chunked) {
                conn.dispatcher().responseComplete(this, channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT),
                        keepAlive);
            } else {
                channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            }
        });
        openStream = out;
        return out;
    }

    @Override
    public HijackedStream hijack(String contentType) throws IOException {
        claim();
        String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
        boolean upgradeTcp = upgrade != null && upgrade.trim().equalsIgnoreCase("tcp");
        HttpResponse resp = upgradeTcp
                ? new DefaultHttpResponse(HttpVersion.HTTP_1_1, new HttpResponseStatus(101, "UPGRADED"))
                : new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (upgradeTcp) {
            resp.headers().set(HttpHeaderNames.CONNECTION, "Upgrade"); // docker's capitalisation
            resp.headers().set(HttpHeaderNames.UPGRADE, "tcp");
        }
        conn.headers().addTo(resp.headers());
        // not awaited: the handler goes on (an exec's start) while the loop answers; its first writes queue behind
        ChannelInput in = conn.hijack().newInput();
        channel.writeAndFlush(new HijackSwitch.Takeover(resp, in));
        ChannelOutput out = new ChannelOutput(channel, conn.gate(), b -> b,
                () -> channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE));
        return new HijackedStream() {
            @Override
            public InputStream input() {
                return in;
            }

            @Override
            public OutputStream output() {
                return out;
            }

            @Override
            public void close() {
                out.close();
            }
        };
    }

    @Override
    public boolean clientGone() {
        return gone;
    }

    @Override
    public void onClientGone(Runnable action) {
        goneActions.add(action);
        if (gone && goneActions.remove(action)) {
            action.run();
        }
    }

    /** Called by the connection (event loop) when the client went away. */
    void markGone() {
        gone = true;
        for (Runnable r : goneActions) {
            if (goneActions.remove(r)) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "client-gone action failed", e);
                }
            }
        }
    }

    // ---- handler outcome ----

    /** Turns what the handler threw into an answer, or drops the connection if the answer already started. */
    void fail(Throwable t) {
        if (answered.get()) {
            LOG.log(t instanceof PouchException || t instanceof IOException ? Level.FINE : Level.WARNING,
                    method() + " " + path + " failed after the response started: " + t, t);
            channel.close();
            return;
        }
        if (ErrorResponses.clientError(t)) {
            LOG.fine(() -> method() + " " + path + ": " + ErrorResponses.status(t) + " " + ErrorResponses.message(t));
        } else if (!(t instanceof PouchException)) {
            LOG.log(Level.WARNING, method() + " " + path + " failed", t);
        }
        int status = ErrorResponses.status(t);
        if (status == 304) {
            respondEmpty(304);
        } else {
            respondBytes(status, ErrorResponses.CONTENT_TYPE, ErrorResponses.body(ErrorResponses.message(t)), Map.of());
        }
    }

    /** After the handler returned: make sure exactly one complete answer went out. */
    void finish() {
        if (!answered.get()) {
            fail(PouchException.internal("internal error: no response for " + method() + " " + path, null));
            return;
        }
        OutputStream s = openStream;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                channel.close();
            }
        }
    }
}
