package io.pouch.daemon.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Route table. Patterns are paths with {@code {name}} segments; a last segment {@code {name*}} or a middle
 * {@code {name*}} followed by fixed segments matches one or more segments (image names contain slashes:
 * {@code /images/{name*}/json}). Fixed routes win over parameterised ones.
 *
 * <p>A daemon serves its socket before its managers are ready: it adds the routes that need nothing (the ping),
 * calls {@link #holdUntilOpen()}, starts listening, adds the rest as its managers come up and then {@link #open()}s
 * the router. Until then a request for any other route waits (the connection holds it, {@link #whenOpen}), so no
 * request sees a manager half restored. Routes may be added while the server runs: the table is copied on write.
 */
public final class Router {
    /**
     * @param inline tried first on the connection's event loop ({@link #addInline}); null: the handler runs on a
     *               virtual thread
     */
    public record Match(Handler handler, Map<String, String> params, boolean streamingBody, InlineAttempt inline) {
    }

    private record Route(String method, String[] parts, Handler handler, boolean streamingBody, InlineAttempt inline,
                         int fixedCount, boolean servedWhileHeld) {
    }

    private volatile List<Route> routes = List.of();
    /** Done when requests are served; a new router serves at once. */
    private volatile CompletableFuture<Void> opened = CompletableFuture.completedFuture(null);
    private boolean holding;

    /**
     * From now until {@link #open()}, only the routes added so far are served; requests for the others wait.
     * Call before the server starts.
     */
    public synchronized Router holdUntilOpen() {
        holding = true;
        if (opened.isDone()) {
            opened = new CompletableFuture<>();
        }
        return this;
    }

    /** Serves every route, and the requests that waited for this. */
    public synchronized void open() {
        holding = false;
        opened.complete(null);
    }

    /** True once {@link #open()} ran (or when the router never held): no request waits any more. */
    public boolean isOpen() {
        return opened.isDone();
    }

    /** True when a request for {@code method} and this path must wait for {@link #open()}. */
    public boolean holds(String method, List<String> segments) {
        if (opened.isDone()) {
            return false;
        }
        Route r = find(method, segments, new HashMap<>());
        return r == null || !r.servedWhileHeld;
    }

    /** Runs {@code r} once the router is open (at once when it is). */
    public void whenOpen(Runnable r) {
        opened.thenRun(r);
    }

    /** Registers a route whose body is small JSON (aggregated before the handler runs). */
    public Router add(String method, String pattern, Handler handler) {
        return add(method, pattern, handler, false, null);
    }

    /**
     * Registers a route served at once, even while the router holds the others: for a route that needs only what
     * is up already (a booting daemon's {@code /version} once containerd answers, before the containers are restored).
     */
    public Router addWhileHeld(String method, String pattern, Handler handler) {
        return add(method, pattern, handler, false, null, true);
    }

    /** Registers a route whose body is streamed to the handler (image load, archive upload). */
    public Router addStreaming(String method, String pattern, Handler handler) {
        return add(method, pattern, handler, true, null);
    }

    /**
     * Registers a route whose handler only reads memory and never waits (no I/O, no lock held across I/O): it runs
     * on the connection's event loop instead of a virtual thread. That saves the two thread hand-offs of every
     * request, ~0.25 ms each time on an idle 2-core machine (measured with {@code _ping} 30 ms apart: 0.70 ->
     * 0.45 ms); the docker CLI sends {@code _ping} before every command and an exec inspect after every exec.
     */
    public Router addInline(String method, String pattern, Handler handler) {
        return add(method, pattern, handler, false, ex -> {
            handler.handle(ex);
            return true;
        });
    }

    /**
     * Registers a route answered on the event loop when it can be from memory ({@code attempt} returns true), and by
     * {@code handler} on a virtual thread otherwise (the attempt returned false and wrote nothing): for a lookup that
     * is served from a cache nearly always but must ask containerd or take a lock held across I/O on a miss.
     */
    public Router addInline(String method, String pattern, InlineAttempt attempt, Handler handler) {
        return add(method, pattern, handler, false, attempt);
    }

    private Router add(String method, String pattern, Handler handler, boolean streaming, InlineAttempt inline) {
        return add(method, pattern, handler, streaming, inline, false);
    }

    private synchronized Router add(String method, String pattern, Handler handler, boolean streaming,
                                    InlineAttempt inline, boolean whileHeld) {
        String[] parts = split(pattern);
        int fixed = 0;
        for (String p : parts) {
            if (!p.startsWith("{")) {
                fixed++;
            }
        }
        List<Route> next = new ArrayList<>(routes);
        next.add(new Route(method, parts, handler, streaming, inline, fixed, whileHeld || !holding));
        next.sort((a, b) -> Integer.compare(b.fixedCount, a.fixedCount));
        routes = List.copyOf(next);
        return this;
    }

    /** Finds the handler; {@code path} segments are already percent-decoded. Null when nothing matches. */
    public Match match(String method, List<String> segments) {
        Map<String, String> params = new HashMap<>();
        Route r = find(method, segments, params);
        return r == null ? null : new Match(r.handler, params, r.streamingBody, r.inline);
    }

    private Route find(String method, List<String> segments, Map<String, String> params) {
        for (Route r : routes) {
            if (!r.method.equals(method) && !(method.equals("HEAD") && r.method.equals("GET"))) {
                continue;
            }
            params.clear();
            if (matches(r.parts, 0, segments, 0, params)) {
                return r;
            }
        }
        return null;
    }

    /** True when some route has this path under another method (answer 405 rather than 404). */
    public boolean pathExists(List<String> segments) {
        for (Route r : routes) {
            if (matches(r.parts, 0, segments, 0, new HashMap<>())) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String[] parts, int pi, List<String> segs, int si, Map<String, String> params) {
        if (pi == parts.length) {
            return si == segs.size();
        }
        String part = parts[pi];
        if (part.startsWith("{") && part.endsWith("*}")) {
            String name = part.substring(1, part.length() - 2);
            int remainingFixed = parts.length - pi - 1;
            // greedy: take as many segments as possible while leaving enough for the rest of the pattern
            for (int end = segs.size() - remainingFixed; end > si; end--) {
                Map<String, String> attempt = new HashMap<>(params);
                attempt.put(name, String.join("/", segs.subList(si, end)));
                if (matches(parts, pi + 1, segs, end, attempt)) {
                    params.putAll(attempt);
                    return true;
                }
            }
            return false;
        }
        if (si >= segs.size()) {
            return false;
        }
        if (part.startsWith("{") && part.endsWith("}")) {
            if (segs.get(si).isEmpty()) {
                return false;
            }
            params.put(part.substring(1, part.length() - 1), segs.get(si));
            return matches(parts, pi + 1, segs, si + 1, params);
        }
        return part.equals(segs.get(si)) && matches(parts, pi + 1, segs, si + 1, params);
    }

    static String[] split(String pattern) {
        return pattern.replaceAll("^/+", "").split("/");
    }
}
