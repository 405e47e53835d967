package io.pouch.client;

import java.io.InputStream;
import java.util.Locale;
import java.util.Map;

/**
 * An answer whose body is read as it arrives (pull progress, logs, events, image save, wait). Closing it closes the
 * connection, which is how a follow/stream is cancelled.
 */
public final class StreamResponse implements AutoCloseable {
    private final int status;
    private final Map<String, String> headers;
    private final InputStream body;
    private final Runnable closer;

    StreamResponse(int status, Map<String, String> headers, InputStream body, Runnable closer) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.closer = closer;
    }

    public int status() {
        return status;
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public InputStream body() {
        return body;
    }

    @Override
    public void close() {
        closer.run();
    }
}
