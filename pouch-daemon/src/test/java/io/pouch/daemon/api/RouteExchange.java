package io.pouch.daemon.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A request sent through a {@link Router}'s routes without a server, for unit tests of {@code *Routes} classes: the
 * route is matched as the server matches it, its handler runs on the calling thread, and the answer (status, content
 * type, headers, body, streamed or hijacked bytes) is kept in memory. A {@link PouchException} the handler throws is
 * thrown by {@link #send}, as the server would turn it into the error answer.
 */
public final class RouteExchange implements HttpExchange {
    private final String method;
    private final String path;
    private final Map<String, List<String>> query = new LinkedHashMap<>();
    private Map<String, String> pathParams = Map.of();
    private byte[] requestBody = new byte[0];
    private InputStream clientInput = InputStream.nullInputStream();
    private ApiVersion version = ApiVersion.CURRENT;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final CountDownLatch gone = new CountDownLatch(1);
    private final List<Runnable> onGone = new ArrayList<>();
    private int status;
    private String contentType;
    private Map<String, String> headers = Map.of();
    private boolean answered;
    private boolean hijacked;
    private volatile boolean closed;

    private RouteExchange(String method, String target) {
        this.method = method;
        int q = target.indexOf('?');
        this.path = q < 0 ? target : target.substring(0, q);
        if (q >= 0) {
            for (String kv : target.substring(q + 1).split("&")) {
                int eq = kv.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                query.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }
    }

    /** A request for {@code target}: a path without the version prefix, with an optional query. */
    public static RouteExchange request(String method, String target) {
        return new RouteExchange(method, target);
    }

    public RouteExchange body(String json) {
        this.requestBody = json.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    public RouteExchange body(byte[] raw) {
        this.requestBody = raw;
        return this;
    }

    /** What the client sends on a hijacked connection. */
    public RouteExchange clientInput(InputStream in) {
        this.clientInput = in;
        return this;
    }

    public RouteExchange version(ApiVersion v) {
        this.version = v;
        return this;
    }

    /** Runs the matching route's handler; fails when no route matches. */
    public RouteExchange send(Router router) throws Exception {
        List<String> segments = Arrays.asList(path.replaceAll("^/+", "").split("/"));
        Router.Match m = router.match(method, segments);
        if (m == null) {
            throw new AssertionError("no route for " + method + " " + path);
        }
        pathParams = m.params();
        m.handler().handle(this);
        return this;
    }

    /** The client leaves: {@link #clientGone()} turns true and the actions given to {@link #onClientGone} run. */
    public void leave() {
        List<Runnable> actions;
        synchronized (this) {
            gone.countDown();
            actions = List.copyOf(onGone);
        }
        actions.forEach(Runnable::run);
    }

    public int status() {
        return status;
    }

    public String contentType() {
        return contentType;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public boolean hijacked() {
        return hijacked;
    }

    /** True once a streamed or hijacked answer was closed. */
    public boolean closed() {
        return closed;
    }

    public byte[] bytes() {
        synchronized (body) {
            return body.toByteArray();
        }
    }

    public String text() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    public JsonNode json() throws IOException {
        return Json.MAPPER.readTree(bytes());
    }

    @Override
    public String method() {
        return method;
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
        return pathParams;
    }

    @Override
    public String query(String name) {
        List<String> v = query.get(name);
        return v == null ? null : v.getFirst();
    }

    @Override
    public List<String> queryAll(String name) {
        return query.getOrDefault(name, List.of());
    }

    @Override
    public boolean queryBool(String name, boolean defaultValue) {
        String v = query(name);
        if (v == null) {
            return defaultValue;
        }
        String s = v.trim().toLowerCase(Locale.ROOT);
        return !(s.isEmpty() || s.equals("0") || s.equals("no") || s.equals("false") || s.equals("none"));
    }

    @Override
    public int queryInt(String name, int defaultValue) {
        String v = query(name);
        if (v == null || v.isBlank()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw PouchException.invalidArgument("invalid value for " + name + ": \"" + v + "\" is not an integer");
        }
    }

    @Override
    public String header(String name) {
        return null;
    }

    @Override
    public InputStream body() {
        return new ByteArrayInputStream(requestBody);
    }

    @Override
    public <T> T bodyJson(Class<T> type) {
        if (requestBody.length == 0) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(requestBody, type);
        } catch (IOException e) {
            throw PouchException.invalidArgument("malformed JSON: " + e.getMessage());
        }
    }

    @Override
    public void respond(int status, Object body) {
        try {
            answer(status, "application/json", Map.of()).write(Json.MAPPER.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void respondEmpty(int status) {
        answer(status, null, Map.of());
    }

    @Override
    public void respondBytes(int status, String contentType, byte[] body, Map<String, String> headers) {
        answer(status, contentType, headers).write(body, 0, body.length);
    }

    @Override
    public OutputStream startStream(int status, String contentType, Map<String, String> headers, boolean chunked) {
        ByteArrayOutputStream sink = answer(status, contentType, headers);
        return new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (sink) {
                    sink.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (sink) {
                    sink.write(b, off, len);
                }
            }

            @Override
            public void close() {
                closed = true;
            }
        };
    }

    @Override
    public HijackedStream hijack(String contentType) {
        OutputStream out = startStream(101, contentType, Map.of(), false);
        hijacked = true;
        return new HijackedStream() {
            @Override
            public InputStream input() {
                return clientInput;
            }

            @Override
            public OutputStream output() {
                return out;
            }

            @Override
            public void close() {
                closed = true;
            }
        };
    }

    private ByteArrayOutputStream answer(int status, String contentType, Map<String, String> headers) {
        if (answered) {
            throw new IllegalStateException("answered twice");
        }
        answered = true;
        this.status = status;
        this.contentType = contentType;
        this.headers = new HashMap<>(headers);
        return body;
    }

    @Override
    public boolean clientGone() {
        return gone.getCount() == 0;
    }

    @Override
    public void onClientGone(Runnable action) {
        synchronized (this) {
            if (gone.getCount() > 0) {
                onGone.add(action);
                return;
            }
        }
        action.run();
    }

    /** Waits until the client left (for a stream that ends only then). */
    public boolean awaitGone(long millis) throws InterruptedException {
        return gone.await(millis, TimeUnit.MILLISECONDS);
    }
}
