package io.pouch.daemon.logs;


/**
 * A container log driver as the I/O copier sees it: raw output chunks, in the order they were read. Chunks do not
 * respect line boundaries; splitting into lines is the driver's job. The container I/O owns its sink: it calls
 * {@link #close()} once output has ended (or the IO was closed). Implementations must never block the copier for
 * long and must not throw: a failing disk loses log lines, it must not stall the container.
 */
public interface LogSink {
    /** The {@code none} log driver. */
    LogSink NONE = new LogSink() {
        @Override
        public void write(int stream, byte[] b, int off, int len) {
        }

        @Override
        public void close() {
        }
    };

    /** @param stream 1 = stdout, 2 = stderr */
    void write(int stream, byte[] b, int off, int len);

    /** Writes out buffered partial lines. */
    default void flush() {
    }

    /** Flushes and releases the sink. Idempotent; writes after close are ignored. */
    void close();
}
