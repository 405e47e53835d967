package io.pouch.daemon.api;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One API request as a handler sees it. Handlers run on virtual threads, so every method here may block.
 * A handler answers exactly once: {@link #respond}, {@link #respondEmpty}, {@link #startStream} or
 * {@link #hijack}. A {@link PouchException} thrown before that becomes the JSON error answer.
 */
public interface HttpExchange {
    String method();

    /** The path without the {@code /vX.Y} prefix and without the query, percent-decoded per segment. */
    String path();

    /** Negotiated API version of this request: the one in the path, or the server's default. */
    ApiVersion apiVersion();

    /** Named path parameters of the matched route, e.g. {@code id} for {@code /containers/{id}/start}. */
    Map<String, String> pathParams();

    default String pathParam(String name) {
        return pathParams().get(name);
    }

    /** First value of a query parameter, or null. */
    String query(String name);

    List<String> queryAll(String name);

    /**
     * A boolean query parameter as dockerd's BoolValueOrDefault reads it: absent gives the default, present is true
     * unless it is "", 0, no, false or none (any case).
     */
    default boolean queryBool(String name, boolean defaultValue) {
        String v = query(name);
        if (v == null) {
            return defaultValue;
        }
        String s = v.trim().toLowerCase(Locale.ROOT);
        return !(s.isEmpty() || s.equals("0") || s.equals("no") || s.equals("false") || s.equals("none"));
    }

    /** An integer query parameter; absent or blank gives the default, anything else that is not a number is a 400. */
    default int queryInt(String name, int defaultValue) {
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

    /** A request header, case-insensitive, or null. */
    String header(String name);

    /** The request body as it arrives (streamed for large bodies such as image tars); empty when none. */
    InputStream body();

    /**
     * The body decoded as JSON into {@code type}. An empty body gives null; malformed JSON is a 400
     * that says what was wrong.
     */
    <T> T bodyJson(Class<T> type);

    /** Answer with a JSON body (Jackson-serialised {@code body}). */
    void respond(int status, Object body);

    /** Answer with no body (204, 304, 201 without body...). */
    void respondEmpty(int status);

    /** Answer with a plain body of the given content type. */
    void respondBytes(int status, String contentType, byte[] body, Map<String, String> headers);

    /**
     * Start a streamed answer: status and headers are flushed at once (the docker CLI waits for the headers of
     * {@code /wait} before it starts the container). When {@code chunked} the body goes out with chunked
     * transfer encoding; otherwise raw until close. Writes block while the client is slow (back-pressure).
     * Closing the stream ends the answer.
     */
    OutputStream startStream(int status, String contentType, Map<String, String> headers, boolean chunked) throws IOException;

    /**
     * Take over the connection for a raw byte stream (attach, exec start). With an {@code Upgrade: tcp}
     * request header this answers {@code 101 UPGRADED}; without it (docker-java) {@code 200 OK}; in both cases
     * the given content type, no length, no chunking.
     */
    HijackedStream hijack(String contentType) throws IOException;

    /** True once the client has gone away; long-running handlers (follow, wait, events) stop then. */
    boolean clientGone();

    /** Runs {@code action} once when the client goes away (or at once if it already has). */
    void onClientGone(Runnable action);
}
