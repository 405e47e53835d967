package io.pouch.daemon.container.io;

import java.io.Closeable;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * The I/O of one container process (the main task, or an exec): the FIFOs containerd's shim writes to, the
 * copier that drains them into the log driver and to attached clients, and stdin. One per process start.
 *
 * <p>Lifecycle: {@code create} makes the FIFOs (before the containerd task is created, which needs their
 * paths) and starts draining them on virtual threads; attach subscribers may join before the process starts
 * (docker run attaches first) and then see all output from the beginning; when the process exits the shim
 * closes the FIFOs, the copiers hit EOF, subscribers get {@link Subscriber#onClose()}.
 */
public interface ContainerIO extends Closeable {
    /** FIFO paths to give containerd (CreateTaskRequest stdin/stdout/stderr). stdin is null when not open. */
    Path stdinPath();

    Path stdoutPath();

    /** Null for a TTY process: the terminal merges stderr into stdout. */
    Path stderrPath();

    boolean tty();

    /**
     * Docker's {@code StdinOnce}: when an attached client's stdin ends ({@code stdin().close()}), the process's
     * stdin is closed (it reads EOF). Without it, closing {@link #stdin()} only ends that client's use of it.
     */
    boolean stdinOnce();

    /** True once both output FIFOs reached EOF (process exited) or the IO was closed, and the log was flushed. */
    boolean isDrained();

    /** Adds an attached client. Output from now on is delivered to it, in order, per stream. */
    Subscription attach(Subscriber subscriber);

    /**
     * Where an attached client's stdin goes (the stdin FIFO); null when the container has no open stdin. One
     * shared stream: it opens the FIFO on first use (the shim's reader may not exist yet; the write waits), writes
     * block while the process does not read (pipe full), and may be called from any thread (FIFO work is done on a
     * platform thread so virtual threads never pin). {@code close()} means "this client's input ended": it closes
     * the FIFO (process sees EOF) only when {@link #stdinOnce()}, otherwise it does nothing. Writes after the FIFO
     * was closed throw IOException.
     */
    OutputStream stdin();

    /** Blocks until both output FIFOs reached EOF and everything was written to the log and subscribers. */
    void awaitDrained(long timeoutMillis) throws InterruptedException;

    /** Closes FIFOs and removes them; wakes subscribers with onClose. Idempotent. */
    @Override
    void close();

    interface Subscriber {
        /** @param stream 1 = stdout, 2 = stderr (stdcopy numbering); a TTY process only ever uses 1 */
        void onOutput(int stream, byte[] data, int offset, int length);

        /** Output ended (process exited and FIFOs drained, or the IO was closed). */
        void onClose();
    }

    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** Where a process's FIFOs live: {@code <execRoot>/fifo/<containerId>/<processId>-stdout} etc. */
    static Path fifoDir(Path execRoot, String containerId) {
        return execRoot.resolve("fifo").resolve(containerId);
    }
}
