package io.pouch.daemon.api;

import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A connection taken over from HTTP. {@link #input()} yields what the client sends (stdin) and reaches EOF when
 * the client half-closes its side; that must not end {@link #output()}, which stays open until {@link #close()}.
 */
public interface HijackedStream extends Closeable {
    InputStream input();

    OutputStream output();

    @Override
    void close();
}
