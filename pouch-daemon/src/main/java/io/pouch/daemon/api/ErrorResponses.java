package io.pouch.daemon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.pouch.api.ErrorResponse;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

/**
 * Errors in dockerd's shape: status from the exception, body {@code {"message": "..."}} and a newline, as
 * {@code application/json}.
 */
final class ErrorResponses {
    static final String CONTENT_TYPE = "application/json";

    private ErrorResponses() {
    }

    /** The JSON body of an error answer, with dockerd's trailing newline. */
    static byte[] body(String message) {
        byte[] json;
        try {
            json = Json.MAPPER.writeValueAsBytes(new ErrorResponse(message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        byte[] withNl = new byte[json.length + 1];
        System.arraycopy(json, 0, withNl, 0, json.length);
        withNl[json.length] = '\n';
        return withNl;
    }

    /**
     * The status a handler's exception is answered with: a PouchException's own, 400 for a bad argument or a request
     * body Jackson could not read, else 500.
     */
    static int status(Throwable t) {
        if (t instanceof PouchException pe) {
            return pe.status();
        }
        return clientError(t) ? 400 : 500;
    }

    /** True for the exceptions that are the client's fault and need no stack trace in the log. */
    static boolean clientError(Throwable t) {
        return t instanceof PouchException pe ? pe.status() < 500
                : t instanceof IllegalArgumentException || t instanceof JsonProcessingException;
    }

    /** The message a handler's exception is answered with; an exception without one is named by its type. */
    static String message(Throwable t) {
        if (t instanceof JsonProcessingException jpe) {
            return JsonErrors.message(jpe);
        }
        if (t instanceof PouchException || t instanceof IllegalArgumentException) {
            return t.getMessage();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    /**
     * An error answered outside any exchange (a malformed request head, a body over the limit), after which the
     * connection closes: it says so with {@code Connection: close}.
     */
    static FullHttpResponse closing(ByteBufAllocator alloc, ResponseHeaders headers, HttpResponseStatus status,
                                    String message) {
        byte[] body = body(message);
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                alloc.buffer(body.length).writeBytes(body));
        headers.addTo(resp.headers());
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        HttpUtil.setContentLength(resp, body.length);
        resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return resp;
    }
}
