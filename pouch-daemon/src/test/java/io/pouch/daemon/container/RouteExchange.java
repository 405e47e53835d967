package io.pouch.daemon.container;

import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.ApiVersion;
import io.pouch.daemon.api.HijackedStream;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.Router;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory request for route tests: method, path, query and JSON body in; the one answer (status, JSON
 * value, streamed or hijacked bytes) captured. {@link #send} routes it as the server does: the inline attempt
 * first when the route has one, then the handler.
 */
final class RouteExchange implements HttpExchange {
    private final String method;
    private final String path;
    private final Map<String, String> query = new HashMap<>();
    private Map<String, String> params = Map.of();
    private byte[] requestBody = new byte[0];
    private final ByteArrayOutputStream streamed = new ByteArrayOutputStream();
    int status;
    Object body;
    String contentType;
    boolean hijacked;
    boolean answeredInline;

    RouteExchange(String method, String path) {
        this.method = method;
        this.path = path;
    }

    RouteExchange q(String name, String value) {
        query.put(name, value);
        return this;
    }

    RouteExchange json(String json) {
        requestBody = json.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /** Routes and runs the request; a PouchException thrown by the handler is what the server would answer. */
    RouteExchange send(Router router) throws Exception {
        List<String> segments = Arrays.asList(path.replaceAll("^/+", "").split("/"));
        Router.Match m = router.match(method, segments);
        if (m == null) {
            throw new AssertionError("no route for " + method + " " + path);
        }
        params = m.params();
        if (m.inline() != null && m.inline().tryHandle(this)) {
            answeredInline = true;
            return this;
        }
        m.handler().handle(this);
        return this;
    }

    /** {@link #send}, expecting the error the server would turn into a JSON error answer. */
    PouchException error(Router router) throws Exception {
        try {
            send(router);
        } catch (PouchException e) {
            return e;
        }
        throw new AssertionError("no error; answered " + status);
    }

    String streamedText() {
        return streamed.toString(StandardCharsets.UTF_8);
    }

    byte[] streamedBytes() {
        return streamed.toByteArray();
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
        return ApiVersion.CURRENT;
    }

    @Override
    public Map<String, String> pathParams() {
        return params;
    }

    @Override
    public String query(String name) {
        return query.get(name);
    }

    @Override
    public List<String> queryAll(String name) {
        return query.containsKey(name) ? List.of(query.get(name)) : new ArrayList<>();
    }

    @Override
    public boolean queryBool(String name, boolean defaultValue) {
        String v = query.get(name);
        return v == null ? defaultValue : v.equals("1") || v.equalsIgnoreCase("true");
    }

    @Override
    public int queryInt(String name, int defaultValue) {
        String v = query.get(name);
        return v == null ? defaultValue : Integer.parseInt(v);
    }

    @Override
    public String header(String name) {
        return null;
    }

    @Override
    public InputStream body() {
        return InputStream.nullInputStream();
    }

    @Override
    public <T> T bodyJson(Class<T> type) {
        if (requestBody.length == 0) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(requestBody, type);
        } catch (IOException e) {
            throw PouchException.invalidArgument(e.getMessage());
        }
    }

    @Override
    public void respond(int status, Object body) {
        answer(status);
        this.body = body;
    }

    @Override
    public void respondEmpty(int status) {
        answer(status);
    }

    @Override
    public void respondBytes(int status, String contentType, byte[] body, Map<String, String> headers) {
        answer(status);
        this.contentType = contentType;
        streamed.writeBytes(body);
    }

    @Override
    public OutputStream startStream(int status, String contentType, Map<String, String> headers, boolean chunked) {
        answer(status);
        this.contentType = contentType;
        return streamed;
    }

    @Override
    public HijackedStream hijack(String contentType) {
        OutputStream out = startStream(101, contentType, Map.of(), false);
        hijacked = true;
        return new HijackedStream() {
            @Override
            public InputStream input() {
                return InputStream.nullInputStream();
            }

            @Override
            public OutputStream output() {
                return out;
            }

            @Override
            public void close() {
            }
        };
    }

    private void answer(int s) {
        if (status != 0) {
            throw new AssertionError("answered twice: " + status + ", then " + s);
        }
        status = s;
    }

    @Override
    public boolean clientGone() {
        return false;
    }

    @Override
    public void onClientGone(Runnable action) {
    }
}
