package io.pouch.daemon.container.io;

import io.pouch.daemon.logs.JsonFileLog;
import io.pouch.daemon.sys.Fifos;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The commit record of the durable log path: how far each output spool (see {@link Spool}) has been turned into
 * log entries, and the one log write that may be under way. One fixed 64-byte record, rewritten in place with a
 * single {@code pwrite} before every write to the log file (write-ahead), so that a pouchd killed at any instant
 * leaves a record that tells the next pouchd exactly where to continue:
 *
 * <ul>
 *   <li>nothing pending: the spools' bytes before {@code committed[stream]} are in the log, the rest is not;</li>
 *   <li>a write pending ({@code stream != 0}): the log file (inode {@code ino}) was {@code from} bytes long and
 *   the write takes it to {@code to}, holding the entries of the next {@code consumed} spool bytes of
 *   {@code stream}. If the file has reached {@code to} those bytes are committed, else they are not (a write cut
 *   short is truncated away, see {@link JsonFileLog#landed}).</li>
 * </ul>
 *
 * A pwrite of 64 bytes to a file is never half-done by a kill -9 (the kernel copies it in one step; a fatal
 * signal is acted on when the call returns), and nothing is fsync'ed: this protects against pouchd dying, not
 * the host losing power (dockerd's json-file log does not fsync either). Not thread-safe: used under the IO's
 * fan-out lock and the log's monitor.
 */
final class LogJournal implements JsonFileLog.WriteAhead, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LogJournal.class.getName());
    static final int SIZE = 64;
    private static final int MAGIC = 0x504c4a31; // "PLJ1"

    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocate(SIZE);
    private final long[] committed = new long[3]; // by stream: 1 stdout, 2 stderr
    // the pending write read back by open(), until recover() settles it
    private int pendingStream;
    private long pendingIno;
    private long pendingFrom;
    private long pendingTo;
    private long pendingConsumed;

    private LogJournal(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** A fresh journal (both spools empty, nothing committed), replacing any old one. */
    static LogJournal create(Path path) throws IOException {
        LogJournal j = new LogJournal(path, FileChannel.open(path, Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))));
        j.record(0, 0, 0, 0, 0);
        return j;
    }

    /**
     * The journal a previous pouchd left; call {@link #recover} before anything else. A missing or unreadable
     * record (a pouchd from before the durable path) reads as "nothing committed": the spools, if any, are then
     * logged from their start.
     */
    static LogJournal open(Path path) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return create(path);
        }
        LogJournal j = new LogJournal(path, ch);
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // a short file stops the loop
        }
        b.flip();
        if (b.remaining() == SIZE && b.getInt(0) == MAGIC && checksum(b) == b.getLong(56)) {
            j.pendingStream = b.getInt(4);
            j.pendingIno = b.getLong(8);
            j.pendingFrom = b.getLong(16);
            j.pendingTo = b.getLong(24);
            j.pendingConsumed = b.getLong(32);
            j.committed[1] = b.getLong(40);
            j.committed[2] = b.getLong(48);
        } else {
            LOG.warning("log journal " + path + " is unreadable; logging its container's spooled output again");
        }
        return j;
    }

    /**
     * Settles the write a killed pouchd may have been making: counts its bytes as committed when they reached the
     * log, and records the outcome.
     *
     * @return true when a pending write was found and had reached the log
     */
    boolean recover(JsonFileLog log) throws IOException {
        boolean landed = false;
        if ((pendingStream == 1 || pendingStream == 2) && pendingTo > pendingFrom) {
            landed = log.landed(pendingIno, pendingFrom, pendingTo);
            if (landed) {
                committed[pendingStream] += pendingConsumed;
            }
        }
        pendingStream = 0;
        record(0, 0, 0, 0, 0);
        return landed;
    }

    /** Spool bytes of {@code stream} (1 or 2) before this offset are in the log. */
    long committed(int stream) {
        return committed[stream];
    }

    /** The spool of {@code stream} was emptied (truncated to 0): offsets start again at 0. */
    void rebase(int stream) throws IOException {
        committed[stream] = 0;
        record(0, 0, 0, 0, 0);
    }

    @Override
    public void beforeWrite(long ino, long from, long to, int stream, long consumed) throws IOException {
        record(stream, ino, from, to, consumed);
    }

    @Override
    public void afterWrite(int stream, long consumed) {
        committed[stream] += consumed;
    }

    @Override
    public void beforeRotate() throws IOException {
        record(0, 0, 0, 0, 0);
    }

    private void record(int stream, long ino, long from, long to, long consumed) throws IOException {
        buf.clear();
        buf.putInt(MAGIC).putInt(stream).putLong(ino).putLong(from).putLong(to).putLong(consumed)
                .putLong(committed[1]).putLong(committed[2]);
        buf.putLong(checksum(buf));
        buf.flip();
        int n = channel.write(buf, 0);
        if (n != SIZE) {
            throw new IOException("short write to " + path);
        }
    }

    /** Over bytes 0..55: tells a record from garbage (a file cut short, another format). */
    private static long checksum(ByteBuffer b) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < 56; i += 8) {
            h = (h ^ b.getLong(i)) * 0xff51afd7ed558ccdL;
        }
        return h;
    }

    @Override
    public void close() {
        Fifos.closeQuietly(channel);
    }
}
