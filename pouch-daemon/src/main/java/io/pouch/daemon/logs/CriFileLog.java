package io.pouch.daemon.logs;

import io.pouch.api.PouchException;
import io.pouch.daemon.sys.Fifos;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The log format of the Kubernetes CRI, as containerd's CRI plugin writes it and kubelet reads it: one line per
 * line of output, {@code <time> <stream> <tag> <content>\n}, where time is Go's RFC3339Nano in UTC
 * ({@code 2016-10-06T00:17:09.669794202Z}, trailing zeros of the fraction trimmed), stream {@code stdout} or
 * {@code stderr}, and tag {@code F} for a full line or {@code P} for a part of one.
 *
 * <p>Output is split on {@code '\n'}, which is not part of the content ({@code '\r'} is kept, as containerd keeps
 * it). A line longer than the maximum (containerd's {@code max_container_log_line_size}, 16 KiB by default) is
 * written as {@code P} pieces of exactly the maximum, then the rest as {@code F}. Output that ends without a
 * newline waits per stream for the rest of its line; {@link #flush()} and {@link #close()} write it as {@code P},
 * as containerd does at the end of a stream.
 *
 * <p>kubelet rotates the file by renaming it and then asking the runtime to reopen the log
 * ({@code ReopenContainerLog}): {@link #reopen()} closes the file and opens a new one at the same path. Writes and
 * the swap hold one lock, and a partial line is kept in memory across it, so every line lands whole in exactly one
 * of the files. Thread-safe; never throws from {@link #write} (a failing disk loses lines, it must not stall the
 * container).
 */
public final class CriFileLog implements LogSink {
    private static final Logger LOG = Logger.getLogger(CriFileLog.class.getName());
    /** containerd's default {@code max_container_log_line_size}. */
    public static final int DEFAULT_MAX_LINE = 16 * 1024;
    private static final byte[] STDOUT = "stdout".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STDERR = "stderr".getBytes(StandardCharsets.US_ASCII);
    private static final byte FULL = 'F';
    private static final byte PARTIAL = 'P';
    private static final Set<StandardOpenOption> OPEN = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);

    private final Path file;
    private final int maxLine;
    private final Clock clock;
    private final Runnable onClose;
    private final ByteArrayOutputStream[] partial = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private FileChannel channel;
    private boolean closed;
    private boolean failed;

    private CriFileLog(Path file, int maxLine, Clock clock, Runnable onClose) {
        this.file = file;
        this.maxLine = maxLine;
        this.clock = clock;
        this.onClose = onClose;
    }

    /** Opens (appending to) {@code file} with containerd's defaults. */
    public static CriFileLog open(Path file) {
        return open(file, DEFAULT_MAX_LINE, Clock.systemUTC(), () -> {
        });
    }

    /**
     * Opens (appending to) {@code file}, creating it (mode 0640) and its parent directories when missing.
     *
     * @param maxLine the longest content of one line before it is split into {@code P} pieces; 0 or less: no limit
     * @param onClose run once by {@link #close()}, after the file was closed
     * @throws PouchException 500 when the file cannot be opened
     */
    public static CriFileLog open(Path file, int maxLine, Clock clock, Runnable onClose) {
        CriFileLog log = new CriFileLog(file, maxLine, clock, onClose);
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            log.channel = openFile(file);
        } catch (IOException e) {
            throw PouchException.internal("cannot open log file " + file + ": " + e.getMessage(), e);
        }
        return log;
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void write(int stream, byte[] b, int off, int len) {
        if (closed || len <= 0) {
            return;
        }
        int s = stream == 2 ? 1 : 0;
        byte[] time = LogTimes.rfc3339Nano(clock.instant()).getBytes(StandardCharsets.US_ASCII);
        int end = off + len;
        int start = off;
        for (int i = off; i < end; i++) {
            if (b[i] == '\n') {
                append(s, b, start, i - start, time);
                ByteArrayOutputStream part = partial[s];
                entry(time, s, FULL, part.toByteArray(), 0, part.size());
                part.reset();
                start = i + 1;
            }
        }
        append(s, b, start, end - start, time);
        drain();
    }

    /** Writes the partial lines of both streams as {@code P}. */
    @Override
    public synchronized void flush() {
        if (closed) {
            return;
        }
        flushPartials();
        drain();
    }

    /**
     * Closes the file and opens a new one at the same path: kubelet has renamed the old file away. What was
     * written before goes to the old file, what comes after to the new one; a partial line waits in memory and
     * lands whole in the new file.
     *
     * @throws PouchException 409 when the log is closed (the container's output ended), 500 when the new file
     *                        cannot be opened (the log tries again at the next write)
     */
    public synchronized void reopen() {
        if (closed) {
            throw PouchException.conflict("container is not running");
        }
        Fifos.closeQuietly(channel);
        channel = null;
        try {
            channel = openFile(file);
            failed = false;
        } catch (IOException e) {
            throw PouchException.internal("cannot reopen log file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            flushPartials();
            drain();
            closed = true;
            Fifos.closeQuietly(channel);
            channel = null;
        }
        onClose.run();
    }

    private void flushPartials() {
        byte[] time = null;
        for (int s = 0; s < 2; s++) {
            ByteArrayOutputStream part = partial[s];
            if (part.size() > 0) {
                if (time == null) {
                    time = LogTimes.rfc3339Nano(clock.instant()).getBytes(StandardCharsets.US_ASCII);
                }
                entry(time, s, PARTIAL, part.toByteArray(), 0, part.size());
                part.reset();
            }
        }
    }

    /**
     * Adds {@code b[off, off+len)} (no newline in it) to the stream's line, writing a {@code P} piece each time the
     * line grows past the maximum, as containerd's copier does.
     */
    private void append(int s, byte[] b, int off, int len, byte[] time) {
        ByteArrayOutputStream part = partial[s];
        if (maxLine > 0) {
            while (part.size() + len > maxLine) {
                int take = maxLine - part.size();
                if (part.size() == 0) {
                    entry(time, s, PARTIAL, b, off, take);
                } else {
                    part.write(b, off, take);
                    entry(time, s, PARTIAL, part.toByteArray(), 0, part.size());
                    part.reset();
                }
                off += take;
                len -= take;
            }
        }
        part.write(b, off, len);
    }

    private void entry(byte[] time, int s, byte tag, byte[] b, int off, int len) {
        pending.write(time, 0, time.length);
        pending.write(' ');
        pending.writeBytes(s == 1 ? STDERR : STDOUT);
        pending.write(' ');
        pending.write(tag);
        pending.write(' ');
        pending.write(b, off, len);
        pending.write('\n');
    }

    /** Appends what {@link #entry} collected in one write, so a line is never torn by a concurrent reader. */
    private void drain() {
        if (pending.size() == 0) {
            return;
        }
        try {
            if (channel == null) {
                channel = openFile(file);
            }
            ByteBuffer buf = ByteBuffer.wrap(pending.toByteArray());
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            failed = false;
        } catch (IOException e) {
            if (!failed) {
                LOG.warning("log file " + file + ": lines lost: " + e);
            }
            failed = true;
        } finally {
            pending.reset();
        }
    }

    private static FileChannel openFile(Path file) throws IOException {
        return FileChannel.open(file, OPEN,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
    }
}
