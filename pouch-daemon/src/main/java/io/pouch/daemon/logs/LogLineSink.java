package io.pouch.daemon.logs;

import java.io.IOException;

/** Where {@link JsonFileLogReader} delivers lines. */
public interface LogLineSink {
    /** @return false to stop reading (the client went away) */
    boolean accept(LogLine line) throws IOException;

    /**
     * Called when the reader has caught up with the writer while following, before it waits for more: flush
     * what was buffered. Also the place to notice a client that went away while the log is quiet.
     *
     * @return false to stop reading
     */
    default boolean idle() throws IOException {
        return true;
    }
}
