package io.pouch.daemon.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.logging.Logger;

/**
 * The {@code syslog} log driver: each line of output becomes one message (stdout at severity info, stderr at
 * err, as dockerd sends them), tagged with the container's tag. Unless {@code cache-disabled=true}, the same
 * output also goes to the container's json-file, dockerd's "dual logging", so {@code logs} keeps working.
 * A syslog that goes away is reconnected once per message; messages it cannot take are dropped with a warning:
 * a dead syslog must never stall the container.
 */
public final class SyslogLog implements LogSink {
    private static final Logger LOG = Logger.getLogger(SyslogLog.class.getName());
    private static final int SEVERITY_ERR = 3;
    private static final int SEVERITY_INFO = 6;
    /** A line longer than this is sent in pieces, like json-file's partial entries. */
    private static final int MAX_LINE = 16 * 1024;

    private final SyslogOptions options;
    private final String tag;
    private final long pid = ProcessHandle.current().pid();
    private final Clock clock;
    private final LogSink cache;
    private final ByteArrayOutputStream[] partial = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
    private SyslogTransport transport;
    private boolean closed;
    private long dropped;

    private SyslogLog(SyslogOptions options, String tag, SyslogTransport transport, LogSink cache, Clock clock) {
        this.options = options;
        this.tag = tag;
        this.transport = transport;
        this.cache = cache;
        this.clock = clock;
    }

    /**
     * Connects to the syslog (a container whose syslog is unreachable does not start, as with dockerd).
     *
     * @param cache the local copy, or {@link LogSink#NONE} when {@code cache-disabled}
     * @throws IOException "failed to initialize logging driver" with the reason
     */
    public static SyslogLog open(SyslogOptions options, String tag, LogSink cache, Clock clock) throws IOException {
        try {
            return new SyslogLog(options, tag, SyslogTransport.connect(options), cache, clock);
        } catch (IOException e) {
            throw new IOException("failed to initialize logging driver: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void write(int stream, byte[] b, int off, int len) {
        cache.write(stream, b, off, len);
        if (closed) {
            return;
        }
        ByteArrayOutputStream part = partial[stream == 2 ? 1 : 0];
        int end = off + len;
        int start = off;
        for (int i = off; i < end; i++) {
            if (b[i] == '\n') {
                part.write(b, start, i - start);
                send(stream, part);
                start = i + 1;
            }
        }
        part.write(b, start, end - start);
        while (part.size() >= MAX_LINE) {
            byte[] all = part.toByteArray();
            part.reset();
            part.write(all, 0, MAX_LINE);
            send(stream, part);
            part.write(all, MAX_LINE, all.length - MAX_LINE);
        }
    }

    @Override
    public synchronized void flush() {
        cache.flush();
        if (closed) {
            return;
        }
        for (int s = 0; s < 2; s++) {
            if (partial[s].size() > 0) {
                send(s + 1, partial[s]);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            flush();
            closed = true;
            transport.close();
        }
        cache.close();
    }

    /** Sends and resets {@code line}. */
    private void send(int stream, ByteArrayOutputStream line) {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        int priority = options.facility() * 8 + (stream == 2 ? SEVERITY_ERR : SEVERITY_INFO);
        byte[] msg = options.format().format(priority,
                ZonedDateTime.ofInstant(clock.instant(), ZoneId.systemDefault()), Host.NAME, tag, pid, text)
                .getBytes(StandardCharsets.UTF_8);
        try {
            transport.send(msg);
        } catch (IOException first) {
            transport.close();
            try {
                transport = SyslogTransport.connect(options);
                transport.send(msg);
            } catch (IOException again) {
                if (dropped++ % 1000 == 0) {
                    LOG.warning("syslog " + (options.target() == null ? "(local)" : options.target())
                            + " does not take messages for " + tag + " (" + again.getMessage() + "); dropped "
                            + dropped + " so far");
                }
            }
        }
    }

    /** The host's name, looked up once (a lookup may ask a resolver; a container start must not wait for it). */
    private static final class Host {
        static final String NAME = lookup();

        private static String lookup() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "localhost";
            }
        }
    }
}
