package io.pouch.daemon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One API request served in memory, for unit tests of {@code *Routes} classes and of the code that streams answers.
 * The request is a method, a target as a client sends it ({@code /v1.41/images/json?all=1}: the version prefix and
 * the query are read as the server reads them), headers, a body and what the client sends once the connection is
 * hijacked. The answer is recorded: status, content type, headers, the bytes written, whether a streamed or hijacked
 * answer was closed.
 *
 * <p>{@link #send} serves the request as the server does and records what the client would receive, errors included;
 * {@link #run} runs the matched route's handler and lets what it throws through, so a test can look at the exception.
 * Either runs the handler on the calling thread. The exchange can also be handed to code directly, without a router.
 */
public final class TestExchange implements HttpExchange {
    private static final long AWAIT_SECONDS = 10;

    private final String method;
    private String target;
    private final HttpHeaders requestHeaders = new DefaultHttpHeaders();
    private byte[] requestBody = new byte[0];
    private InputStream clientInput = InputStream.nullInputStream();
    private Map<String, String> params = Map.of();

    private int status;
    private String contentType;
    private final HttpHeaders responseHeaders = new DefaultHttpHeaders();
    private final ByteArrayOutputStream responseBody = new ByteArrayOutputStream();
    private Object value;
    private boolean answeredInline;
    private boolean hijacked;
    private boolean closed;
    private final CompletableFuture<Void> gone = new CompletableFuture<>();

    private TestExchange(String method, String target) {
        this.method = method;
        this.target = target;
    }

    /** A request for {@code target}: a path with an optional {@code /vX.Y} prefix and an optional query. */
    public static TestExchange request(String method, String target) {
        return new TestExchange(method, target);
    }

    // ---- the request ----

    /** Adds a query parameter (repeatable), encoded into the target as a client would. */
    public TestExchange query(String name, String value) {
        target += (target.indexOf('?') < 0 ? "?" : "&") + URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(value, StandardCharsets.UTF_8);
        return this;
    }

    public TestExchange header(String name, String value) {
        requestHeaders.add(name, value);
        return this;
    }

    public TestExchange body(String text) {
        return body(text.getBytes(StandardCharsets.UTF_8));
    }

    public TestExchange body(byte[] raw) {
        requestBody = raw;
        return this;
    }

    /** What the client sends once the connection is hijacked; its end is the client's half-close. */
    public TestExchange clientInput(InputStream in) {
        clientInput = in;
        return this;
    }

    // ---- serving it ----

    /**
     * Serves the request as the server does and records what the client receives: a path that no route serves is
     * 404 (405 when another method serves it), a bad path or version 400, and what the handler throws before it
     * answers becomes dockerd's JSON error answer.
     */
    public TestExchange send(Router router) {
        try {
            serve(router, true);
        } catch (Exception e) {
            synchronized (this) {
                if (status != 0) {
                    throw new AssertionError(method + " " + target + " failed after its answer started", e);
                }
            }
            int s = ErrorResponses.status(e);
            if (s == 304) {
                respondEmpty(304);
            } else {
                respondBytes(s, ErrorResponses.CONTENT_TYPE, ErrorResponses.body(ErrorResponses.message(e)), Map.of());
            }
        }
        return this;
    }

    /** Runs the handler of the route the request matches; what it throws is thrown here. No route fails the test. */
    public TestExchange run(Router router) throws Exception {
        serve(router, false);
        return this;
    }

    /** The route's inline attempt first, as on the event loop, then its handler; it must answer. */
    private void serve(Router router, boolean answerNoRoute) throws Exception {
        RequestTarget t = RequestTarget.parse(target);
        Router.Match m = router.match(method, t.segments());
        if (m == null) {
            if (!answerNoRoute) {
                throw new AssertionError("no route for " + method + " " + t.path());
            }
            throw router.pathExists(t.segments())
                    ? new PouchException(405, "method " + method + " not allowed for " + t.path())
                    : PouchException.notFound("page not found");
        }
        params = Map.copyOf(m.params());
        if (m.inline() != null && m.inline().tryHandle(this)) {
            synchronized (this) {
                answeredInline = true;
            }
        } else {
            m.handler().handle(this);
        }
        if (status() == 0) {
            throw new AssertionError(method + " " + target + " did not answer");
        }
    }

    /** The client goes away: {@link #clientGone()} turns true and the actions given to {@link #onClientGone} run. */
    public void leave() {
        gone.complete(null);
    }

    /** Waits until the answer so far satisfies {@code condition}, for a handler running on another thread. */
    public synchronized void await(Predicate<TestExchange> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
        while (!condition.test(this)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no " + what + " within " + AWAIT_SECONDS + " s");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    // ---- the recorded answer ----

    /** The status answered; 0 while nothing was. */
    public synchronized int status() {
        return status;
    }

    public synchronized String contentType() {
        return contentType;
    }

    public synchronized String responseHeader(String name) {
        return responseHeaders.get(name);
    }

    /** The object given to {@link #respond}, before it was written as JSON. */
    public synchronized Object value() {
        return value;
    }

    /** True when the route's inline attempt answered (no handler thread would have been needed). */
    public synchronized boolean answeredInline() {
        return answeredInline;
    }

    public synchronized boolean hijacked() {
        return hijacked;
    }

    /** True once a streamed or hijacked answer was closed. */
    public synchronized boolean closed() {
        return closed;
    }

    /** The body bytes written so far. */
    public synchronized byte[] bytes() {
        return responseBody.toByteArray();
    }

    public synchronized String text() {
        return responseBody.toString(StandardCharsets.UTF_8);
    }

    public JsonNode json() {
        try {
            return Json.MAPPER.readTree(bytes());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text(), e);
        }
    }

    /** The {@code message} of an error answer. */
    public String message() {
        return json().get("message").asText();
    }

    // ---- HttpExchange: the request ----

    private RequestTarget target() {
        return RequestTarget.parse(target);
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return target().path();
    }

    @Override
    public ApiVersion apiVersion() {
        return target().version();
    }

    @Override
    public Map<String, String> pathParams() {
        return params;
    }

    @Override
    public String query(String name) {
        List<String> v = queryAll(name);
        return v.isEmpty() ? null : v.getFirst();
    }

    @Override
    public List<String> queryAll(String name) {
        return new QueryStringDecoder(target).parameters().getOrDefault(name, List.of());
    }

    @Override
    public String header(String name) {
        return requestHeaders.get(name);
    }

    @Override
    public InputStream body() {
        return new ByteArrayInputStream(requestBody);
    }

    @Override
    public <T> T bodyJson(Class<T> type) {
        return JsonBody.decode(requestBody, type);
    }

    // ---- HttpExchange: the answer ----

    @Override
    public synchronized void respond(int status, Object body) {
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(body) + "\n"; // with the newline dockerd ends JSON answers with
        } catch (JsonProcessingException e) {
            throw new AssertionError("the answer cannot be written as JSON: " + body, e);
        }
        respondBytes(status, "application/json", json.getBytes(StandardCharsets.UTF_8), Map.of());
        value = body;
    }

    @Override
    public synchronized void respondEmpty(int status) {
        answer(status, null, Map.of());
    }

    @Override
    public synchronized void respondBytes(int status, String contentType, byte[] body, Map<String, String> headers) {
        answer(status, contentType, headers);
        responseBody.writeBytes(body);
    }

    @Override
    public synchronized OutputStream startStream(int status, String contentType, Map<String, String> headers,
                                                 boolean chunked) {
        answer(status, contentType, headers);
        return new Recorder();
    }

    /** As the server: 101 with {@code Upgrade: tcp} in the request, else 200. */
    @Override
    public synchronized HijackedStream hijack(String contentType) {
        String upgrade = requestHeaders.get("Upgrade");
        answer(upgrade != null && upgrade.trim().equalsIgnoreCase("tcp") ? 101 : 200, contentType, Map.of());
        hijacked = true;
        return new Hijacked(clientInput, new Recorder());
    }

    private void answer(int s, String type, Map<String, String> headers) {
        if (status != 0) {
            throw new IllegalStateException("response already sent for " + method + " " + target);
        }
        status = s;
        contentType = type;
        headers.forEach(responseHeaders::set);
        notifyAll();
    }

    @Override
    public boolean clientGone() {
        return gone.isDone();
    }

    @Override
    public void onClientGone(Runnable action) {
        gone.thenRun(action);
    }

    /** A hijacked connection: the client's input, and the answer's body, which closing it closes. */
    private record Hijacked(InputStream input, Recorder output) implements HijackedStream {
        @Override
        public void close() {
            output.close();
        }
    }

    /** The body of a streamed or hijacked answer. */
    private final class Recorder extends OutputStream {
        @Override
        public void write(int b) {
            synchronized (TestExchange.this) {
                responseBody.write(b);
                TestExchange.this.notifyAll();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (TestExchange.this) {
                responseBody.write(b, off, len);
                TestExchange.this.notifyAll();
            }
        }

        @Override
        public void close() {
            synchronized (TestExchange.this) {
                closed = true;
                TestExchange.this.notifyAll();
            }
        }
    }
}
