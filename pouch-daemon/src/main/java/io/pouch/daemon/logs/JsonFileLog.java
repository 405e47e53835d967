package io.pouch.daemon.logs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.sys.Fifos;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
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
    public static final int MAX_PARTIAL = 16 * 1024;
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

    public static ReentrantReadWriteLock rotationLock(Path file) {
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
    private long ino; // of the file {@link #channel} writes: the durable path's journal names the file by it
    private boolean closed;
    private boolean failed;
    /** docker's "attrs" of every entry, sorted once here (not per line); empty for most containers. */
    private SortedMap<String, String> attrs = Collections.emptySortedMap();
    // the durable path (commit): who is told before each write, and what the entries in {@link #pending} stand for
    private WriteAhead ahead;
    private JsonGenerator gen; // writes into pending
    private Instant timeOf;
    private String timeText;
    private int pendingStream;
    private long pendingConsumed;

    /**
     * The write-ahead hook of the durable path ({@link #commit}): told about each write to the file before it is
     * made, so that after a kill -9 the journal knows whether the entries of that write are in the file (compare
     * the file's size with {@code to}) and how many input bytes they stood for. See the container I/O's journal.
     */
    public interface WriteAhead {
        /**
         * The next write appends the file with inode {@code ino} from byte {@code from} to {@code to}; it holds the
         * entries made of the next {@code consumed} input bytes of {@code stream}.
         */
        void beforeWrite(long ino, long from, long to, int stream, long consumed) throws IOException;

        /** That write was made (or failed: those lines are lost, as a full disk loses them). */
        void afterWrite(int stream, long consumed);

        /** A rotation follows: no write is pending (the file that ino names is about to change). */
        void beforeRotate() throws IOException;
    }

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

    public static JsonFileLog open(Path file, Map<String, String> opts, Clock clock) {
        return open(file, opts, Map.of(), clock);
    }

    public static JsonFileLog open(Path file, Map<String, String> opts, Map<String, String> attrs, Clock clock) {
        Options o = parseOptions(opts);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            JsonFileLog log = new JsonFileLog(file, o, clock);
            log.attrs = Collections.unmodifiableSortedMap(new TreeMap<>(attrs));
            return log;
        } catch (IOException e) {
            throw PouchException.internal("cannot open log file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Validates json-file log options with dockerd's rules and wording (call at container create):
     * {@code max-size} is a human size with decimal units ("10m" = 10,000,000 bytes, "1k", "5MB"), {@code max-file}
     * an integer &gt;= 1 (default 1; without max-size it has no effect, as in dockerd); labels, labels-regex, env
     * and env-regex name the extra attributes (see LogAttributes); {@code compress=true} is refused (rotated files
     * are kept uncompressed), {@code tag} is accepted as dockerd accepts it; unknown ones are rejected.
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
        String compress = o.get("compress");
        if (compress != null && !compress.equals("false")) {
            if (!compress.equals("true")) {
                throw PouchException.invalidArgument("error parsing compress log option: strconv.ParseBool: parsing \""
                        + compress + "\": invalid syntax");
            }
            throw PouchException.invalidArgument("log option compress=true is not supported by the json-file driver of"
                    + " pouchd: rotated files are kept uncompressed; remove it or set compress=false");
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
    public static long parseSize(String s) {
        Matcher m = SIZE.matcher(s.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw PouchException.invalidArgument("invalid size: '" + s + "'");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2);
        int pow = unit == null ? 0 : "kmgtp".indexOf(unit) + 1;
        return (long) (n * Math.pow(1000, pow));
    }

    /**
     * The files of a log, oldest first: {@code file.N ... file.1, file}, those that exist. The rotated ones are
     * found by listing the directory, not by counting up from 1: a pouchd killed in the middle of a rotation's
     * renames leaves a gap in the numbering (which later rotations carry along), and the files past it must still
     * be read.
     */
    public static List<Path> files(Path file) {
        TreeMap<Integer, Path> rotated = new TreeMap<>(Comparator.reverseOrder());
        String prefix = file.getFileName().toString() + ".";
        Path dir = file.toAbsolutePath().getParent();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir,
                p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path p : ds) {
                String n = p.getFileName().toString().substring(prefix.length());
                if (n.matches("[1-9][0-9]{0,8}")) {
                    rotated.put(Integer.parseInt(n), file.resolveSibling(p.getFileName()));
                }
            }
        } catch (IOException e) {
            // no directory: no files
        }
        ArrayList<Path> out = new ArrayList<>(rotated.values());
        if (Files.exists(file)) {
            out.add(file);
        }
        return out;
    }

    public static Path rotated(Path file, int i) {
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
                    line = Arrays.copyOfRange(b, start, i + 1);
                }
                entry(stream, line, now);
                start = i + 1;
            }
        }
        if (start < end) {
            part.write(b, start, end - start);
            while (part.size() >= MAX_PARTIAL) {
                byte[] all = part.toByteArray();
                entry(stream, Arrays.copyOf(all, MAX_PARTIAL), now);
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

    /**
     * The durable path: writes the entries for the complete lines of {@code b[off, off+len)} (and 16 KiB pieces of a
     * longer line; with {@code all} also the unterminated rest, as at EOF) and reports how many input bytes they
     * used. Unlike {@link #write} nothing is buffered here: the caller keeps the unused rest (in its spool) and
     * passes it again, in front of the next bytes. Every write to the file is announced to {@code ahead} first.
     *
     * @return input bytes consumed (whole entries); {@code len} when the log is closed
     */
    public synchronized int commit(int stream, byte[] b, int off, int len, boolean all, WriteAhead ahead) {
        if (closed) {
            return len;
        }
        this.ahead = ahead;
        this.pendingStream = stream;
        this.pendingConsumed = 0;
        try {
            Instant now = clock.instant();
            int end = off + len;
            int start = off;
            for (int i = off; i < end; i++) {
                if (b[i] == '\n' || i + 1 - start >= MAX_PARTIAL) {
                    entry(stream, b, start, i + 1 - start, now);
                    pendingConsumed += i + 1 - start;
                    start = i + 1;
                }
            }
            if (all && start < end) {
                entry(stream, b, start, end - start, now);
                pendingConsumed += end - start;
                start = end;
            }
            drain();
            return start - off;
        } finally {
            this.ahead = null;
        }
    }

    /**
     * Live restore of the durable path: did the write the journal announced ({@code beforeWrite(ino, from, to)})
     * reach this file? Yes when the file (same inode) has grown to {@code to}. A write cut short (a kill -9 can
     * stop a large write between pages) is truncated away so the entries can be written again whole. A file with
     * another inode (removed or rotated by hand) counts as not written: better a line twice than none.
     */
    public synchronized boolean landed(long ino, long from, long to) throws IOException {
        if (channel == null || ino != this.ino) {
            return false;
        }
        if (size >= to) {
            return true;
        }
        if (size > from) {
            channel.truncate(from);
            size = from;
        }
        return false;
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
        entry(stream, line, 0, line.length, time);
    }

    private void entry(int stream, byte[] b, int off, int len, Instant time) {
        if (maxSize > 0 && size + pending.size() >= maxSize) {
            drain();
            if (ahead != null) {
                try {
                    ahead.beforeRotate();
                } catch (IOException e) {
                    LOG.warning("log journal of " + file + ": " + e);
                }
            }
            rotate();
        }
        // one generator for the log's life and the time text once per chunk (entries of a chunk share it)
        // instead of a new generator and a time format per entry; in-process, 100 MB of 100-byte lines through a
        // FIFO into the log took 1.3-1.5 s before, 0.6-0.9 s after; 20 MB of 2-byte lines 5.3-6.3 s, 2.0-2.2 s
        if (!time.equals(timeOf)) {
            timeOf = time;
            timeText = LogTimes.rfc3339Nano(time);
        }
        try {
            if (gen == null) {
                gen = JSON.createGenerator(pending);
                gen.setRootValueSeparator(null);
            }
            gen.writeStartObject();
            gen.writeStringField("log", new String(b, off, len, StandardCharsets.UTF_8));
            gen.writeStringField("stream", stream == 2 ? "stderr" : "stdout");
            if (!attrs.isEmpty()) { // docker's field order: log, stream, attrs, time
                gen.writeObjectFieldStart("attrs");
                for (Map.Entry<String, String> at : attrs.entrySet()) {
                    gen.writeStringField(at.getKey(), at.getValue());
                }
                gen.writeEndObject();
            }
            gen.writeStringField("time", timeText);
            gen.writeEndObject();
            gen.writeRaw('\n');
            gen.flush(); // into pending, whose size the rotation check reads
        } catch (IOException e) {
            throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
        }
    }

    private void drain() {
        if (pending.size() == 0) {
            return;
        }
        try {
            if (channel == null) {
                openFile();
            }
            if (ahead != null) {
                try {
                    ahead.beforeWrite(ino, size, size + pending.size(), pendingStream, pendingConsumed);
                } catch (IOException e) {
                    LOG.warning("log journal of " + file + ": " + e); // the line still goes to the log
                }
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
            if (ahead != null) {
                ahead.afterWrite(pendingStream, pendingConsumed);
                pendingConsumed = 0;
            }
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
            } catch (FileAlreadyExistsException ignored) {
                // raced with nobody in practice; the open below appends
            }
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
        ino = (Long) Files.getAttribute(file, "unix:ino");
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
