package io.pouch.daemon.container.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker's {@code json-file} log driver: one JSON object per line,
 * {@code {"log":"hello\n","stream":"stdout","time":"2026-11-29T22:10:00.123456789Z"}}, with the field order,
 * Go-style escaping ({@code < > &} as backslash-u003c ...) and RFC3339Nano times Docker writes, so files are
 * interchangeable with dockerd's.
 *
 * <p>Output is split on {@code '\n'}; a partial last line waits for its newline, or is written as a partial
 * entry (a {@code "log"} without trailing newline, as Docker does) once it grows past 16 KiB, on
 * {@link #flush()} and on {@link #close()}.
 *
 * <p>Rotation ({@code max-size}, {@code max-file}): before writing an entry, when the file has reached
 * max-size, {@code file.N-2} ... {@code file} are renamed one up ({@code file.N-1} is dropped) and a new file is
 * started, so the file may exceed max-size by one entry, like Docker's. Entries are never split across files and
 * rotation happens between whole writes, so no line is lost; readers following the log detect the rename by
 * inode (see {@link JsonFileLogReader}). Thread-safe.
 */
public final class JsonFileLog implements LogSink {
    private static final Logger LOG = Logger.getLogger(JsonFileLog.class.getName());
    /** Docker's copier buffer: a line longer than this is written in partial pieces. */
    static final int MAX_PARTIAL = 16 * 1024;
    private static final Set<String> KNOWN_OPTS = Set.of("max-size", "max-file", "compress", "labels",
            "labels-regex", "env", "env-regex", "tag");
    private static final Pattern SIZE = Pattern.compile("^(\\d+(?:\\.\\d+)?) ?([kmgtp])?i?b?$");
    private static final JsonFactory JSON = Json.MAPPER.getFactory().copy().setCharacterEscapes(new GoEscapes());

    /**
     * Rotation renames several files in turn; a reader listing the set meanwhile could see a gap and skip files.
     * Writers and readers live in the same pouchd, so rotation holds a lock (striped by path, so nothing per log
     * is kept) that readers take while listing and opening.
     */
    private static final ReentrantReadWriteLock[] ROTATION = new ReentrantReadWriteLock[64];

    static {
        for (int i = 0; i < ROTATION.length; i++) {
            ROTATION[i] = new ReentrantReadWriteLock();
        }
    }

    static ReentrantReadWriteLock rotationLock(Path file) {
        return ROTATION[Math.floorMod(file.toAbsolutePath().normalize().hashCode(), ROTATION.length)];
    }

    private final Path file;
    private final long maxSize;
    private final int maxFiles;
    private final Clock clock;
    private final ByteArrayOutputStream[] partial = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private FileChannel channel;
    private long size;
    private boolean closed;
    private boolean failed;
    /** docker's "attrs" of every entry; empty for most containers. */
    private Map<String, String> attrs = Map.of();

    /** Parsed, validated json-file options. maxSize -1 = unlimited. */
    public record Options(long maxSize, int maxFiles) {
    }

    private JsonFileLog(Path file, Options o, Clock clock) throws IOException {
        this.file = file;
        this.maxSize = o.maxSize();
        this.maxFiles = o.maxFiles();
        this.clock = clock;
        openFile();
    }

    /**
     * Opens (appending to) the log file, creating parent directories.
     *
     * @param opts the container's {@code HostConfig.LogConfig.Config}; see {@link #parseOptions}
     * @throws PouchException 400 for bad options, 500 when the file cannot be opened
     */
    public static JsonFileLog open(Path file, Map<String, String> opts) {
        return open(file, opts, Map.of(), Clock.systemUTC());
    }

    /** As {@link #open(Path, Map)}, with docker's extra attributes written into every entry (see LogAttributes). */
    public static JsonFileLog open(Path file, Map<String, String> opts, Map<String, String> attrs) {
        return open(file, opts, attrs, Clock.systemUTC());
    }

    static JsonFileLog open(Path file, Map<String, String> opts, Clock clock) {
        return open(file, opts, Map.of(), clock);
    }

    static JsonFileLog open(Path file, Map<String, String> opts, Map<String, String> attrs, Clock clock) {
        Options o = parseOptions(opts);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            JsonFileLog log = new JsonFileLog(file, o, clock);
            log.attrs = Map.copyOf(attrs);
            return log;
        } catch (IOException e) {
            throw PouchException.internal("cannot open log file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Validates json-file log options with dockerd's rules and wording (call at container create):
     * {@code max-size} is a human size with decimal units ("10m" = 10,000,000 bytes, "1k", "5MB"), {@code max-file}
     * an integer &gt;= 1 (default 1; without max-size it has no effect, as in dockerd); labels, labels-regex, env
     * and env-regex name the extra attributes (see LogAttributes); compress and tag are accepted and ignored;
     * unknown ones are rejected.
     *
     * @throws PouchException 400 with the reason
     */
    public static Options parseOptions(Map<String, String> opts) {
        Map<String, String> o = opts == null ? Map.of() : opts;
        for (String k : o.keySet()) {
            if (!KNOWN_OPTS.contains(k)) {
                throw PouchException.invalidArgument("unknown log opt '" + k + "' for json-file log driver");
            }
        }
        long maxSize = -1;
        String ms = o.get("max-size");
        if (ms != null) {
            maxSize = parseSize(ms);
            if (maxSize <= 0) {
                throw PouchException.invalidArgument("max-size must be a positive number");
            }
        }
        int maxFiles = 1;
        String mf = o.get("max-file");
        if (mf != null) {
            try {
                maxFiles = Integer.parseInt(mf);
            } catch (NumberFormatException e) {
                throw PouchException.invalidArgument("strconv.Atoi: parsing \"" + mf + "\": invalid syntax");
            }
            if (maxFiles < 1) {
                throw PouchException.invalidArgument("max-file cannot be less than 1");
            }
        }
        LogAttributes.validate(o);
        return new Options(maxSize, maxFiles);
    }

    /** go-units FromHumanSize: decimal multiples, case-insensitive, optional "i" and "b". */
    static long parseSize(String s) {
        Matcher m = SIZE.matcher(s.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw PouchException.invalidArgument("invalid size: '" + s + "'");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2);
        int pow = unit == null ? 0 : "kmgtp".indexOf(unit) + 1;
        return (long) (n * Math.pow(1000, pow));
    }

    /** The files of a log, oldest first: {@code file.N-1 ... file.1, file}, those that exist. */
    public static java.util.List<Path> files(Path file) {
        java.util.ArrayList<Path> out = new java.util.ArrayList<>();
        for (int i = 1; ; i++) {
            Path p = rotated(file, i);
            if (!Files.exists(p)) {
                break;
            }
            out.addFirst(p);
        }
        if (Files.exists(file)) {
            out.add(file);
        }
        return out;
    }

    static Path rotated(Path file, int i) {
        return i == 0 ? file : file.resolveSibling(file.getFileName() + "." + i);
    }

    @Override
    public synchronized void write(int stream, byte[] b, int off, int len) {
        if (closed) {
            return;
        }
        int s = stream == 2 ? 1 : 0;
        Instant now = clock.instant();
        ByteArrayOutputStream part = partial[s];
        int end = off + len;
        int start = off;
        for (int i = off; i < end; i++) {
            if (b[i] == '\n') {
                byte[] line;
                if (part.size() > 0) {
                    part.write(b, start, i + 1 - start);
                    line = part.toByteArray();
                    part.reset();
                } else {
                    line = java.util.Arrays.copyOfRange(b, start, i + 1);
                }
                entry(stream, line, now);
                start = i + 1;
            }
        }
        if (start < end) {
            part.write(b, start, end - start);
            while (part.size() >= MAX_PARTIAL) {
                byte[] all = part.toByteArray();
                entry(stream, java.util.Arrays.copyOf(all, MAX_PARTIAL), now);
                part.reset();
                part.write(all, MAX_PARTIAL, all.length - MAX_PARTIAL);
            }
        }
        drain();
    }

    @Override
    public synchronized void flush() {
        if (closed) {
            return;
        }
        Instant now = clock.instant();
        for (int s = 0; s < 2; s++) {
            if (partial[s].size() > 0) {
                entry(s + 1, partial[s].toByteArray(), now);
                partial[s].reset();
            }
        }
        drain();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        flush();
        closed = true;
        Fifos.closeQuietly(channel);
    }

    /** Serialises one entry into {@link #pending}, rotating first when the file is full. */
    private void entry(int stream, byte[] line, Instant time) {
        if (maxSize > 0 && size + pending.size() >= maxSize) {
            drain();
            rotate();
        }
        try (JsonGenerator g = JSON.createGenerator(pending)) {
            g.writeStartObject();
            g.writeStringField("log", new String(line, StandardCharsets.UTF_8));
            g.writeStringField("stream", stream == 2 ? "stderr" : "stdout");
            if (!attrs.isEmpty()) { // docker's field order: log, stream, attrs, time
                g.writeObjectFieldStart("attrs");
                for (Map.Entry<String, String> a : new java.util.TreeMap<>(attrs).entrySet()) {
                    g.writeStringField(a.getKey(), a.getValue());
                }
                g.writeEndObject();
            }
            g.writeStringField("time", LogTimes.rfc3339Nano(time));
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
        }
        pending.write('\n');
    }

    private void drain() {
        if (pending.size() == 0) {
            return;
        }
        try {
            if (channel == null) {
                openFile();
            }
            ByteBuffer buf = ByteBuffer.wrap(pending.toByteArray());
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            size += pending.size();
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

    private void rotate() {
        Fifos.closeQuietly(channel);
        channel = null;
        ReentrantReadWriteLock.WriteLock lock = rotationLock(file).writeLock();
        lock.lock();
        try {
            if (maxFiles <= 1) {
                Files.deleteIfExists(file);
            } else {
                Files.deleteIfExists(rotated(file, maxFiles - 1));
                for (int i = maxFiles - 2; i >= 0; i--) {
                    Path from = rotated(file, i);
                    if (Files.exists(from)) {
                        Files.move(from, rotated(file, i + 1), StandardCopyOption.ATOMIC_MOVE);
                    }
                }
            }
            openFile();
        } catch (IOException e) {
            LOG.warning("log file " + file + ": rotation failed: " + e);
        } finally {
            lock.unlock();
        }
    }

    private void openFile() throws IOException {
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
            } catch (java.nio.file.FileAlreadyExistsException ignored) {
                // raced with nobody in practice; the open below appends
            }
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
    }

    /**
     * The escaping of Docker's jsonlog writer: {@code \" \\ \n \r \t} short, other control characters and the
     * HTML-sensitive {@code < > &} as lowercase backslash-u00XX, U+2028/U+2029 escaped.
     */
    private static final class GoEscapes extends CharacterEscapes {
        private final int[] ascii;

        GoEscapes() {
            ascii = standardAsciiEscapesForJSON();
            for (int c = 0; c < 32; c++) {
                if (c != '\n' && c != '\r' && c != '\t') {
                    ascii[c] = ESCAPE_CUSTOM;
                }
            }
            ascii['<'] = ESCAPE_CUSTOM;
            ascii['>'] = ESCAPE_CUSTOM;
            ascii['&'] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if (ch < 128 || ch == 0x2028 || ch == 0x2029) {
                return new SerializedString(String.format("\\u%04x", ch));
            }
            return null;
        }
    }
}
