package io.pouch.daemon.container.io;

import io.pouch.daemon.sys.Fifos;
import io.pouch.daemon.sys.Syscalls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.logging.Logger;

/**
 * The spool of one output stream on the durable log path: a file next to the FIFO that the kernel moves the
 * FIFO's bytes into ({@code splice(2)}: what leaves the pipe is exactly what lands in the file, in one call, so a
 * kill -9 cannot lose a chunk between a read and a write as a user-space copy can). Offsets only grow; bytes the
 * log has committed (see {@link LogJournal}) are punched out of the file every {@link #PUNCH_STEP} bytes, so it
 * holds little more than the partial line in flight. On file systems that cannot punch holes the file is
 * truncated instead whenever everything in it is committed.
 *
 * <p>Used by one copier thread (and by the IO's start for live restore, before that thread runs).
 */
final class Spool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Spool.class.getName());
    /**
     * Committed bytes punched away at a time: a punch is a syscall (one per pipeful at full speed), and the spool of
     * a quiet container keeps less than this plus its partial line. The exec root is usually a tmpfs, so what is
     * kept is memory: as much as a pipe buffer holds, per stream.
     */
    static final long PUNCH_STEP = 64 << 10;
    /** Most bytes moved per splice: more than a pipe holds, so one call takes all there is. */
    private static final long SPLICE_MAX = 1 << 20;

    final Path path;
    private final int fd; // for splice and fallocate
    private final FileChannel channel; // for reading back and truncating
    private long end;
    private long punchedTo;
    private boolean canPunch = true;

    private Spool(Path path, int fd, FileChannel channel) throws IOException {
        this.path = path;
        this.fd = fd;
        this.channel = channel;
        this.end = channel.size();
    }

    /** Opens (with {@code fresh}: empties) the spool file, mode 0600. */
    static Spool open(Path path, boolean fresh) throws IOException {
        int fd = Syscalls.open(path, Syscalls.O_RDWR | Syscalls.O_CREAT | Syscalls.O_CLOEXEC
                | (fresh ? Syscalls.O_TRUNC : 0), 0600);
        try {
            return new Spool(path, fd, FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
        } catch (IOException | RuntimeException e) {
            Syscalls.close(fd);
            throw e;
        }
    }

    /** Offset just past the last byte moved in. */
    long end() {
        return end;
    }

    /**
     * Moves what the FIFO holds into the spool, without blocking.
     *
     * @return bytes moved; 0 at EOF; -1 when the FIFO is empty for now
     */
    long fill(Syscalls.Scratch s, int fifoFd) throws IOException {
        long n = s.splice(fifoFd, fd, end, SPLICE_MAX);
        if (n > 0) {
            end += n;
        }
        return n;
    }

    /** The bytes {@code [from, to)}. */
    byte[] read(long from, long to) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(to - from));
        while (b.hasRemaining()) {
            if (channel.read(b, from + b.position()) < 0) {
                throw new IOException(path + " is shorter than " + to + " bytes");
            }
        }
        return b.array();
    }

    /**
     * Frees what the log has committed. With hole punching offsets keep growing; without it the file is emptied
     * when everything in it is committed, and the journal's offset for this stream starts again at 0 (truncate
     * first, record after: a pouchd killed in between finds a spool shorter than its committed offset, which
     * means exactly that, see {@link FifoContainerIO}).
     */
    void release(long committed, LogJournal journal, int stream) throws IOException {
        if (canPunch) {
            long upTo = committed & ~(PUNCH_STEP - 1);
            if (upTo - punchedTo >= PUNCH_STEP) {
                if (Syscalls.punchHole(fd, punchedTo, upTo - punchedTo)) {
                    punchedTo = upTo;
                    return;
                }
                canPunch = false;
                LOG.info(path + ": the file system cannot punch holes; the spool is emptied when fully logged");
            } else {
                return;
            }
        }
        if (committed == end && end >= PUNCH_STEP) {
            channel.truncate(0);
            end = 0;
            journal.rebase(stream);
        }
    }

    @Override
    public void close() {
        Syscalls.close(fd);
        Fifos.closeQuietly(channel);
    }
}
