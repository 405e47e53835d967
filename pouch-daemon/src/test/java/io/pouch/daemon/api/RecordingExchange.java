package io.pouch.daemon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link HttpExchange} in memory for the unit tests of {@code *Routes} classes: the request is a method, a URI
 * (with its {@code /vX.Y} prefix and query, parsed as the server parses them) and an optional body; the answer is
 * recorded. {@link #call} finds the route the way the server does and renders a thrown error as the server would,
 * so a test reads status and JSON as a client would see them.
 */
public final class RecordingExchange implements HttpExchange {
    private final String method;
    private final String uri;
    private final Map<String, List<String>> query;
    private final Map<String, String> requestHeaders = new HashMap<>();
    private byte[] requestBody = new byte[0];
    private RequestTarget target;
    private Map<String, String> params = Map.of();

    private int status;
    private String contentType;
    private final Map<String, String> responseHeaders = new LinkedHashMap<>();
    private final ByteArrayOutputStream responseBody = new ByteArrayOutputStream();
    private boolean answered;
    private volatile boolean gone;
    private final List<Runnable> goneActions = new CopyOnWriteArrayList<>();

    private RecordingExchange(String method, String uri) {
        this.method = method;
        this.uri = uri;
        this.query = new QueryStringDecoder(uri).parameters();
    }

    /** A request to {@code uri}, e.g. {@code /v1.41/volumes?filters=...}. */
    public static RecordingExchange request(String method, String uri) {
        return new RecordingExchange(method, uri);
    }

    public RecordingExchange body(String json) {
        requestBody = json.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    public RecordingExchange header(String name, String value) {
        requestHeaders.put(name.toLowerCase(Locale.ROOT), value);
        return this;
    }

    /**
     * Serves this request with {@code router}'s route for it, as the server would: no route is 404 (405 for a
     * known path), and what the handler throws becomes the error answer.
     */
    public RecordingExchange call(Router router) {
        try {
            target = RequestTarget.parse(uri);
            Router.Match match = router.match(method, target.segments());
            if (match == null) {
                throw router.pathExists(target.segments())
                        ? new PouchException(405, "method " + method + " not allowed for " + target.path())
                        : PouchException.notFound("page not found");
            }
            params = match.params();
            match.handler().handle(this);
        } catch (Exception e) {
            if (answered) {
                throw new AssertionError("failed after the answer started", e);
            }
            int s = ErrorResponses.status(e);
            if (s == 304) {
                respondEmpty(304);
            } else {
                respondBytes(s, ErrorResponses.CONTENT_TYPE, ErrorResponses.body(ErrorResponses.message(e)), Map.of());
            }
        }
        if (!answered) {
            throw new AssertionError(method + " " + uri + " did not answer");
        }
        return this;
    }

    /** Makes the client go away: {@link #clientGone()} turns true and the registered actions run. */
    public void goAway() {
        gone = true;
        for (Runnable r : goneActions) {
            if (goneActions.remove(r)) {
                r.run();
            }
        }
    }

    // ---- the recorded answer ----

    public int status() {
        return status;
    }

    public String contentType() {
        return contentType;
    }

    public String responseHeader(String name) {
        return responseHeaders.get(name);
    }

    public synchronized String text() {
        return responseBody.toString(StandardCharsets.UTF_8);
    }

    public JsonNode json() {
        try {
            return Json.MAPPER.readTree(text());
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + text(), e);
        }
    }

    /** The {@code message} of an error answer. */
    public String message() {
        return json().get("message").asText();
    }

    // ---- HttpExchange ----

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return target != null ? target.path() : uri;
    }

    @Override
    public ApiVersion apiVersion() {
        return target != null ? target.version() : ApiVersion.CURRENT;
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
        return requestHeaders.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public InputStream body() {
        return new ByteArrayInputStream(requestBody);
    }

    @Override
    public <T> T bodyJson(Class<T> type) {
        return JsonBody.decode(requestBody, type);
    }

    private void claim(int status, String contentType, Map<String, String> headers) {
        if (answered) {
            throw new IllegalStateException("response already sent for " + method + " " + uri);
        }
        answered = true;
        this.status = status;
        this.contentType = contentType;
        responseHeaders.putAll(headers);
    }

    @Override
    public void respond(int status, Object body) {
        byte[] json;
        try {
            json = Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        byte[] withNl = new byte[json.length + 1];
        System.arraycopy(json, 0, withNl, 0, json.length);
        withNl[json.length] = '\n'; // as the server's answers
        respondBytes(status, "application/json", withNl, Map.of());
    }

    @Override
    public void respondEmpty(int status) {
        claim(status, null, Map.of());
    }

    @Override
    public synchronized void respondBytes(int status, String contentType, byte[] body, Map<String, String> headers) {
        claim(status, contentType, headers);
        responseBody.writeBytes(body);
    }

    @Override
    public OutputStream startStream(int status, String contentType, Map<String, String> headers, boolean chunked) {
        claim(status, contentType, headers);
        return new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (RecordingExchange.this) {
                    responseBody.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (RecordingExchange.this) {
                    responseBody.write(b, off, len);
                }
            }
        };
    }

    @Override
    public HijackedStream hijack(String contentType) {
        throw new UnsupportedOperationException("a hijacked stream is not recorded");
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
}
