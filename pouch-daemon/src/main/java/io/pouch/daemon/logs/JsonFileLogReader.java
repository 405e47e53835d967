package io.pouch.daemon.logs;

import com.fasterxml.jackson.databind.ObjectReader;
import io.pouch.api.Json;
import io.pouch.daemon.sys.Fifos;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.function.BooleanSupplier;

/**
 * Reads a json-file log back (and, with another {@link LineDecoder}, a log file of another line-based format such
 * as the CRI's, see {@link CriFileLogReader}): the rotated files oldest first ({@code file.N-1 ... file.1, file}), {@code tail}
 * over the whole set (found by scanning backwards for newlines, so tail 10 of a big log is cheap), then the
 * {@code since}/{@code until}/stream filters, like dockerd.
 *
 * <p>Following polls the newest file every {@value #POLL_MILLIS} ms once caught up (simple, no inotify watch per
 * follower, and the same code path notices rotation). Rotation is detected by inode: when {@code file} is no
 * longer the inode being read, the old one is read to its end (the writer finished it before renaming) and
 * reading continues with the next newer file of the set, found by inode too, so a follower that lags several
 * rotations behind loses nothing that still exists. Following ends when {@code producing} has turned false and
 * everything was read, when an entry is past {@code until}, or when the sink says stop.
 */
public final class JsonFileLogReader {
    public static final long POLL_MILLIS = 100;
    private static final ObjectReader ENTRY = Json.MAPPER.readerFor(Entry.class);

    public record Entry(String log, String stream, String time, Map<String, String> attrs) {
    }

    private final Path file;
    private final LogQuery q;
    private final LogLineSink out;
    private final LineDecoder decoder;
    private boolean stopped;

    private JsonFileLogReader(Path file, LogQuery q, LogLineSink out, LineDecoder decoder) {
        this.file = file;
        this.q = q;
        this.out = out;
        this.decoder = decoder;
    }

    /**
     * Delivers the lines of the log at {@code file} that {@code q} asks for, in order. Returns when done (see the
     * class doc). A missing log is an empty one (with follow, the reader waits for it to appear).
     *
     * @param producing while true, a writer may still append (the container runs); checked only with follow
     * @throws IOException          what the sink threw (client gone), or an unreadable file
     * @throws InterruptedException when the calling thread is interrupted while following
     */
    public static void read(Path file, LogQuery q, LogLineSink out, BooleanSupplier producing)
            throws IOException, InterruptedException {
        read(file, q, out, producing, JsonFileLogReader::decodeJson);
    }

    /** As {@link #read(Path, LogQuery, LogLineSink, BooleanSupplier)}, for a file whose lines {@code decoder} reads. */
    static void read(Path file, LogQuery q, LogLineSink out, BooleanSupplier producing, LineDecoder decoder)
            throws IOException, InterruptedException {
        JsonFileLogReader r = new JsonFileLogReader(file, q, out, decoder);
        r.run(producing);
        for (LogLine rest : r.decoder.rest()) {
            if (r.stopped) {
                return;
            }
            r.deliver(rest);
        }
    }

    private static final class Cursor implements AutoCloseable {
        final FileChannel ch;
        final Object key;
        long pos;
        final ByteArrayOutputStream carry = new ByteArrayOutputStream();

        Cursor(FileChannel ch, Object key) {
            this.ch = ch;
            this.key = key;
        }

        @Override
        public void close() {
            Fifos.closeQuietly(ch);
        }
    }

    private void run(BooleanSupplier producing) throws IOException, InterruptedException {
        List<Cursor> set = openSet();
        Cursor cur = null;
        try {
            int first = 0;
            if (q.tail() >= 0 && !set.isEmpty()) {
                first = locateTail(set, q.tail());
            }
            for (int i = 0; i < set.size(); i++) {
                Cursor c = set.get(i);
                if (i < first) {
                    continue;
                }
                readToEnd(c);
                if (stopped) {
                    return;
                }
            }
            if (!q.follow()) {
                return;
            }
            if (!set.isEmpty()) {
                cur = set.removeLast();
            }
            for (Cursor c : set) {
                c.close();
            }
            set.clear();
            follow(cur, producing);
        } finally {
            for (Cursor c : set) {
                c.close();
            }
        }
    }

    private void follow(Cursor start, BooleanSupplier producing) throws IOException, InterruptedException {
        Cursor cur = start;
        try {
            while (true) {
                boolean more = producing.getAsBoolean();
                if (cur == null) {
                    cur = open(file);
                }
                if (cur != null) {
                    readToEnd(cur);
                    if (stopped) {
                        return;
                    }
                    Object now = keyOf(file);
                    if (now != null && !now.equals(cur.key)) {
                        readToEnd(cur); // the writer finished this file before renaming it
                        if (stopped) {
                            return;
                        }
                        Cursor next = next(cur.key);
                        cur.close();
                        cur = next;
                        continue;
                    }
                }
                if (!more) {
                    return;
                }
                if (q.until() != null && Instant.now().isAfter(q.until())) {
                    return;
                }
                if (!out.idle()) {
                    return;
                }
                Thread.sleep(POLL_MILLIS);
            }
        } finally {
            if (cur != null) {
                cur.close();
            }
        }
    }

    /** The file after the one with {@code key} in the current set; the oldest when {@code key} was dropped. */
    private Cursor next(Object key) throws IOException {
        Lock lock = JsonFileLog.rotationLock(file).readLock();
        lock.lock();
        try {
            return nextLocked(key);
        } finally {
            lock.unlock();
        }
    }

    private Cursor nextLocked(Object key) throws IOException {
        List<Path> paths = decoder.files(file);
        int idx = -1;
        for (int i = 0; i < paths.size(); i++) {
            if (Objects.equals(keyOf(paths.get(i)), key)) {
                idx = i;
            }
        }
        for (int i = idx + 1; i < paths.size(); i++) {
            Cursor c = open(paths.get(i));
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    private List<Cursor> openSet() throws IOException {
        Lock lock = JsonFileLog.rotationLock(file).readLock();
        lock.lock();
        try {
            return openSetLocked();
        } finally {
            lock.unlock();
        }
    }

    private List<Cursor> openSetLocked() throws IOException {
        List<Cursor> set = new ArrayList<>();
        for (Path p : decoder.files(file)) {
            Cursor c = open(p);
            if (c != null) {
                set.add(c);
            }
        }
        return set;
    }

    private static Cursor open(Path p) throws IOException {
        try {
            Object key = keyOf(p);
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
            return new Cursor(ch, key);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static Object keyOf(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Positions the cursors so that reading from the returned index yields the last {@code n} complete lines of
     * the set: the start is just after the (n+1)-th newline from the end.
     */
    private static int locateTail(List<Cursor> set, int n) throws IOException {
        int seen = 0;
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        for (int i = set.size() - 1; i >= 0; i--) {
            Cursor c = set.get(i);
            long end = c.ch.size();
            while (end > 0) {
                long from = Math.max(0, end - buf.capacity());
                buf.clear().limit((int) (end - from));
                long p = from;
                while (buf.hasRemaining()) {
                    int r = c.ch.read(buf, p);
                    if (r < 0) {
                        break;
                    }
                    p += r;
                }
                byte[] a = buf.array();
                for (int k = buf.position() - 1; k >= 0; k--) {
                    if (a[k] == '\n' && ++seen == n + 1) {
                        c.pos = from + k + 1;
                        return i;
                    }
                }
                end = from;
            }
        }
        return 0;
    }

    /** Emits every complete line from the cursor's position to the current end of its file. */
    private void readToEnd(Cursor c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (!stopped) {
            buf.clear();
            int r = c.ch.read(buf, c.pos);
            if (r <= 0) {
                return;
            }
            c.pos += r;
            byte[] a = buf.array();
            int start = 0;
            for (int k = 0; k < r && !stopped; k++) {
                if (a[k] == '\n') {
                    if (c.carry.size() > 0) {
                        c.carry.write(a, start, k - start);
                        byte[] line = c.carry.toByteArray();
                        c.carry.reset();
                        emit(line, 0, line.length);
                    } else {
                        emit(a, start, k - start);
                    }
                    start = k + 1;
                }
            }
            if (start < r) {
                c.carry.write(a, start, r - start);
            }
        }
    }

    private void emit(byte[] a, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        LogLine line = decoder.decode(a, off, len);
        if (line != null) {
            deliver(line);
        }
    }

    private void deliver(LogLine line) throws IOException {
        if (q.since() != null && line.time().isBefore(q.since())) {
            return;
        }
        if (q.until() != null && line.time().isAfter(q.until())) {
            stopped = true;
            return;
        }
        if (!q.wants(line.stream())) {
            return;
        }
        if (!out.accept(line)) {
            stopped = true;
        }
    }

    /** One json-file entry; null for a torn line (a crash while writing), skipped as dockerd does. */
    private static LogLine decodeJson(byte[] a, int off, int len) {
        Entry e;
        Instant time;
        try {
            e = ENTRY.readValue(a, off, len);
            time = e.time() == null ? Instant.EPOCH : Instant.parse(e.time());
        } catch (IOException | DateTimeParseException ex) { // JacksonException is an IOException
            return null;
        }
        if (e == null || e.log() == null) {
            return null;
        }
        return new LogLine("stderr".equals(e.stream()) ? 2 : 1, time, e.log().getBytes(StandardCharsets.UTF_8),
                e.attrs() == null ? Map.of() : e.attrs());
    }
}
