package io.pouch.daemon.logs;

import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.StdCopy;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Answers {@code GET /containers/{id}/logs} from a json-file or CRI log file. */
public final class LogsStreamer {
    private LogsStreamer() {
    }

    /**
     * Streams the log: 200, chunked, {@code application/vnd.docker.raw-stream} for a TTY container (raw bytes)
     * and for non-TTY before API 1.42, {@code application/vnd.docker.multiplexed-stream} for non-TTY from 1.42
     * on; non-TTY lines are stdcopy-framed, one frame per line (stream 1 stdout, 2 stderr). With
     * {@code timestamps} each entry is prefixed with its time in Docker's fixed RFC3339Nano and a space. With
     * {@code follow} it keeps streaming until {@code running} turns false and everything was sent, or the client
     * goes away. Returns when the answer is complete; a client that went away is not an error.
     *
     * @param q       from {@link LogQuery#from(HttpExchange)} (validate before calling: errors after the headers
     *                cannot become a status any more)
     * @param running while true the log may still grow; pass {@code () -> !io.isDrained()} of the current process
     *                so the last lines are read after the process exited
     */
    public static void stream(HttpExchange ex, Path logFile, boolean tty, LogQuery q, BooleanSupplier running)
            throws IOException {
        stream(ex, LogFile.jsonFile(logFile), tty, q, running);
    }

    /** As {@link #stream(HttpExchange, Path, boolean, LogQuery, BooleanSupplier)}, read in the file's format. */
    public static void stream(HttpExchange ex, LogFile logFile, boolean tty, LogQuery q, BooleanSupplier running)
            throws IOException {
        OutputStream raw = ex.startStream(200, StdCopy.contentType(tty, ex.apiVersion()), Map.of(), true);
        try (OutputStream out = new BufferedOutputStream(raw, 32 * 1024)) {
            LogLineSink sink = new LogLineSink() {
                @Override
                public boolean accept(LogLine line) throws IOException {
                    if (ex.clientGone()) {
                        return false;
                    }
                    byte[] payload = line.log();
                    if (q.details() || q.timestamps()) {
                        // docker's order: the time stamp, the attributes, each followed by a space, then the line
                        String head = (q.timestamps() ? LogTimes.rfc3339NanoFixed(line.time()) + ' ' : "")
                                + (q.details() ? LogAttributes.render(line.attrs()) + ' ' : "");
                        byte[] h = head.getBytes(StandardCharsets.UTF_8);
                        byte[] p = new byte[h.length + payload.length];
                        System.arraycopy(h, 0, p, 0, h.length);
                        System.arraycopy(payload, 0, p, h.length, payload.length);
                        payload = p;
                    }
                    StdCopy.write(out, tty, line.stream(), payload, 0, payload.length);
                    return true;
                }

                @Override
                public boolean idle() throws IOException {
                    out.flush();
                    return !ex.clientGone();
                }
            };
            switch (logFile.format()) {
                case CRI -> CriFileLogReader.read(logFile.path(), q, sink, running);
                case JSON_FILE -> JsonFileLogReader.read(logFile.path(), q, sink, running);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("logs stream interrupted");
        } catch (IOException e) {
            if (!ex.clientGone()) {
                throw e;
            }
        }
    }
}
