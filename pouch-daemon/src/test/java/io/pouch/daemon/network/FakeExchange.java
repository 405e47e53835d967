package io.pouch.daemon.network;

import io.pouch.api.Json;
import io.pouch.daemon.api.ApiVersion;
import io.pouch.daemon.api.HijackedStream;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.Router;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A request as the routes see it, answered in memory: method, path, query and JSON body in; status and the JSON
 * the real exchange would write (the shared mapper) out. Streams and hijacking are not used by these routes.
 */
final class FakeExchange implements HttpExchange {
    private final String method;
    private final String path;
    private final Map<String, String> query = new HashMap<>();
    private Map<String, String> params = Map.of();
    private byte[] requestBody = new byte[0];
    int status;
    String json;

    FakeExchange(String method, String path) {
        this.method = method;
        this.path = path;
    }

    FakeExchange q(String name, String value) {
        query.put(name, value);
        return this;
    }

    FakeExchange body(String body) {
        requestBody = body.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /** Runs the route the router matches, as the server would (404 for no route is the test's failure). */
    FakeExchange send(Router router) throws Exception {
        List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
        Router.Match m = router.match(method, segments);
        if (m == null) {
            throw new AssertionError("no route for " + method + " " + path);
        }
        params = m.params();
        m.handler().handle(this);
        return this;
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
        return query.containsKey(name) ? List.of(query.get(name)) : List.of();
    }

    @Override
    public boolean queryBool(String name, boolean def) {
        String v = query.get(name);
        return v == null ? def : v.equals("1") || v.equalsIgnoreCase("true");
    }

    @Override
    public int queryInt(String name, int def) {
        String v = query.get(name);
        return v == null ? def : Integer.parseInt(v);
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
        } catch (Exception e) {
            throw new AssertionError("the test's body is not JSON", e);
        }
    }

    @Override
    public void respond(int status, Object body) {
        this.status = status;
        try {
            this.json = Json.MAPPER.writeValueAsString(body);
        } catch (Exception e) {
            throw new AssertionError("cannot encode " + body, e);
        }
    }

    @Override
    public void respondEmpty(int status) {
        this.status = status;
    }

    @Override
    public void respondBytes(int status, String contentType, byte[] body, Map<String, String> headers) {
        throw new UnsupportedOperationException();
    }

    @Override
    public OutputStream startStream(int status, String contentType, Map<String, String> headers, boolean chunked) {
        throw new UnsupportedOperationException();
    }

    @Override
    public HijackedStream hijack(String contentType) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean clientGone() {
        return false;
    }

    @Override
    public void onClientGone(Runnable action) {
    }
}
