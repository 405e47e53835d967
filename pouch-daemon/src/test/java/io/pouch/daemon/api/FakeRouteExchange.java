package io.pouch.daemon.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request to a route table, answered in memory: the route is found as the server finds it ({@link Router#match}),
 * its handler runs on the calling thread, and the answer (status, JSON body or streamed bytes) is kept for the test.
 * For unit tests of {@code *Routes} classes over fake services.
 */
public final class FakeRouteExchange implements HttpExchange {
    private final String method;
    private final String path;
    private final Map<String, String> params = new HashMap<>();
    private final Map<String, List<String>> query = new LinkedHashMap<>();
    private final Map<String, String> headers = new HashMap<>();
    private final ByteArrayOutputStream streamed = new ByteArrayOutputStream();
    private ApiVersion version = ApiVersion.CURRENT;
    private byte[] body = new byte[0];
    private int status;
    private Object answer;
    private String contentType;
    private boolean answered;

    private FakeRouteExchange(String method, String path) {
        this.method = method;
        this.path = path;
    }

    public static FakeRouteExchange request(String method, String path) {
        return new FakeRouteExchange(method, path);
    }

    /** Adds a query parameter (repeatable). */
    public FakeRouteExchange query(String name, String value) {
        query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        return this;
    }

    public FakeRouteExchange header(String name, String value) {
        headers.put(name.toLowerCase(Locale.ROOT), value);
        return this;
    }

    public FakeRouteExchange body(String text) {
        body = text.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    public FakeRouteExchange version(ApiVersion v) {
        version = v;
        return this;
    }

    /** Runs the route of {@code router} the request matches; its exceptions propagate (the server maps them). */
    public FakeRouteExchange call(Router router) throws Exception {
        List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
        Router.Match m = router.match(method, segments);
        if (m == null) {
            throw new AssertionError("no route for " + method + " " + path);
        }
        params.putAll(m.params());
        m.handler().handle(this);
        return this;
    }

    /** The status answered, 0 when nothing was. */
    public int status() {
        return status;
    }

    /** The JSON body answered with {@link #respond}, as a tree. */
    public JsonNode json() {
        return Json.MAPPER.valueToTree(answer);
    }

    /** The bytes of a streamed answer. */
    public byte[] streamedBytes() {
        return streamed.toByteArray();
    }

    public String streamedText() {
        return streamed.toString(StandardCharsets.UTF_8);
    }

    public String contentType() {
        return contentType;
    }

    private void answer(int s) {
        if (answered) {
            throw new AssertionError("answered twice");
        }
        answered = true;
        status = s;
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
        return params;
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
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public InputStream body() {
        return new ByteArrayInputStream(body);
    }

    @Override
    public <T> T bodyJson(Class<T> type) {
        if (body.length == 0) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(body, type);
        } catch (IOException e) {
            throw PouchException.invalidArgument("malformed JSON body: " + e.getMessage());
        }
    }

    @Override
    public void respond(int s, Object b) {
        answer(s);
        answer = b;
        contentType = "application/json";
    }

    @Override
    public void respondEmpty(int s) {
        answer(s);
    }

    @Override
    public void respondBytes(int s, String type, byte[] b, Map<String, String> h) {
        answer(s);
        contentType = type;
        streamed.writeBytes(b);
    }

    @Override
    public OutputStream startStream(int s, String type, Map<String, String> h, boolean chunked) {
        answer(s);
        contentType = type;
        return streamed;
    }

    @Override
    public HijackedStream hijack(String type) {
        throw new UnsupportedOperationException("hijack");
    }

    @Override
    public boolean clientGone() {
        return false;
    }

    @Override
    public void onClientGone(Runnable action) {
    }
}
