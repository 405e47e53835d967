package io.pouch.daemon.container.io;

import io.pouch.daemon.api.ApiVersion;
import io.pouch.daemon.api.HijackedStream;
import io.pouch.daemon.api.HttpExchange;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A minimal HttpExchange for streaming tests: query from a map, stream and hijack captured in memory. */
class FakeExchange implements HttpExchange {
    final Map<String, String> query = new HashMap<>();
    ApiVersion version = ApiVersion.CURRENT;
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    String contentType;
    int status;
    volatile boolean closed;
    InputStream clientInput = new ByteArrayInputStream(new byte[0]);

    FakeExchange q(String k, String v) {
        query.put(k, v);
        return this;
    }

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public String path() {
        return "/";
    }

    @Override
    public ApiVersion apiVersion() {
        return version;
    }

    @Override
    public Map<String, String> pathParams() {
        return Map.of();
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
        return InputStream.nullInputStream();
    }

    @Override
    public <T> T bodyJson(Class<T> type) {
        return null;
    }

    @Override
    public void respond(int status, Object body) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void respondEmpty(int status) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void respondBytes(int status, String contentType, byte[] body, Map<String, String> headers) {
        throw new UnsupportedOperationException();
    }

    @Override
    public OutputStream startStream(int status, String contentType, Map<String, String> headers, boolean chunked) {
        this.status = status;
        this.contentType = contentType;
        return new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (body) {
                    body.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (body) {
                    body.write(b, off, len);
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

    byte[] bytes() {
        synchronized (body) {
            return body.toByteArray();
        }
    }

    @Override
    public boolean clientGone() {
        return false;
    }

    @Override
    public void onClientGone(Runnable action) {
    }
}
