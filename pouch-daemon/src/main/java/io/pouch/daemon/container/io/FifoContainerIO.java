package io.pouch.daemon.container.io;

import io.pouch.daemon.api.StdCopy;
import io.pouch.daemon.logs.JsonFileLog;
import io.pouch.daemon.logs.LogSink;
import io.pouch.daemon.sys.Fifos;
import io.pouch.daemon.sys.Syscalls;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link ContainerIO} over FIFOs shared with containerd's shim.
 *
 * <p>Opening: each output drain opens its FIFO O_RDONLY and so blocks until the shim opens the write end during
 * task create (the runc shim opens it O_WRONLY synchronously, which in turn needs our reader). We do not hold a
 * write end ourselves, so when the process exits and the shim closes its end the drain sees EOF. If the task is
 * never created nobody opens the FIFO: {@link #close()} then opens it O_RDWR (never blocks on Linux), which
 * completes the pending open, unlinks it (so a drain that had not reached open yet fails instead of waiting) and
 * closes the drain's channel (which wakes a blocked read). Blocking FIFO calls run on platform threads, see
 * {@link Fifos}. That is the plain path (exec processes, the {@code none} driver); the durable path below opens its
 * FIFOs non-blocking and leaves the waiting to the {@link FifoPoller}, one thread for all containers, so that an
 * idle container holds no thread in pouchd.
 *
 * <p>Fan-out: a chunk read from either FIFO goes, under one lock, to the log and to the queue of every subscriber,
 * so the log and all subscribers see the same interleaving. Each subscriber has its own virtual thread that
 * delivers from an unbounded queue whose content is capped at {@link #SUBSCRIBER_LIMIT} bytes: a subscriber that
 * falls that far behind is dropped (warning, then onClose after what was queued) rather than blocking the drain:
 * a stuck client must never stall the container or its log (dockerd blocks the container here; we prefer to
 * cut the client).
 *
 * <p>Durable log path (a {@link JsonFileLog} sink): a kill -9 of pouchd must lose no line and double none, so
 * output is never held only in pouchd's memory between the FIFO and the log. Each copier moves the FIFO's bytes
 * into its stream's {@link Spool} file with {@code splice(2)} (the kernel takes out of the pipe exactly what it
 * wrote to the file, in one call), reads them back, turns the complete lines into log entries and records how far
 * it got in a {@link LogJournal} before each log write (write-ahead). A partial line stays in the spool until its
 * newline, 16 KiB, or EOF. After a kill -9 the next pouchd ({@link ContainerIOs#reopen}) settles the one write that
 * may have been under way, logs what the spools hold past the committed offsets, then goes on with the FIFOs. Why
 * this and not the alternatives: peeking with {@code tee(2)} and consuming after
 * the log write leaves a window (written, not yet consumed) that only content matching could close, which is
 * ambiguous for repetitive output; a logger process started by the shim ({@code binary://}) would be a JVM per
 * container. Exec processes and the {@code none} driver keep the plain read loop (nothing to lose).
 */
final class FifoContainerIO implements ContainerIO {
    private static final Logger LOG = Logger.getLogger(FifoContainerIO.class.getName());
    /** Bytes a subscriber may have queued before it is dropped. */
    static final long SUBSCRIBER_LIMIT = 4L << 20;
    private static final Object END = new Object();
    private static final byte[] NONE = new byte[0];
    /** How long {@link #salvage} waits for the FIFOs of an exited process to end (the shim closes them at once). */
    static final long SALVAGE_WAIT_MILLIS = 5000;

    private final Path fifoDir;
    private final String processId;
    private final boolean tty;
    private final boolean stdinOnce;
    private final Path stdinPath;
    private final Path stdoutPath;
    private final Path stderrPath;
    private final LogSink log;
    private final StdinPipe stdin;
    private final Object fanOut = new Object();
    private final List<Sub> subs = new ArrayList<>(); // guarded by fanOut
    private boolean ended; // guarded by fanOut
    private final CountDownLatch drained = new CountDownLatch(1);
    private final AtomicInteger active = new AtomicInteger();
    private final List<Drain> drains = new ArrayList<>();
    private volatile boolean closed;
    // the durable log path (class doc); null/absent on the plain path
    private JsonFileLog durableLog;
    private LogJournal journal;
    private final Spool[] spools = new Spool[3]; // by stream
    private final byte[][] carry = {NONE, NONE, NONE}; // guarded by fanOut: spool bytes [committed, end)
    /** Holds the output pipes while pouchd is down (null: none); released when the output ended. Guarded by fanOut. */
    private OutputHold hold;

    private FifoContainerIO(Path fifoDir, String processId, boolean tty, boolean openStdin, boolean stdinOnce,
                            LogSink log) {
        this.fifoDir = fifoDir;
        this.processId = processId;
        this.tty = tty;
        this.stdinOnce = stdinOnce;
        this.stdinPath = openStdin ? ContainerIOs.fifo(fifoDir, processId, "stdin") : null;
        this.stdoutPath = ContainerIOs.fifo(fifoDir, processId, "stdout");
        this.stderrPath = tty ? null : ContainerIOs.fifo(fifoDir, processId, "stderr");
        this.log = log;
        this.stdin = openStdin ? new StdinPipe(stdinPath, stdinOnce, processId) : null;
    }

    static FifoContainerIO start(Path fifoDir, String processId, boolean tty, boolean openStdin, boolean stdinOnce,
                                 LogSink log, boolean reopen) {
        FifoContainerIO io = new FifoContainerIO(fifoDir, processId, tty, openStdin, stdinOnce, log);
        if (log instanceof JsonFileLog jl) { // the durable path; other drivers copy in memory
            try {
                io.openDurable(jl, reopen);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "output of " + processId + ": no spool (" + e.getMessage()
                        + "); copying in memory, a kill -9 of pouchd may lose the chunk in flight", e);
                io.closeDurable();
            }
        }
        if (log != LogSink.NONE) { // a log to keep output for (not exec processes): see FifoHolder
            if (reopen) {
                // adopted before the boot sweep looks for holds nobody took up
                io.hold = OutputHolds.start(fifoDir, processId, io.stdoutPath, io.stderrPath, true);
            } else {
                // a request to the holder (or a keeper's spawn where there is none) kept off the start path
                Thread.ofVirtual().name("fifo-hold-" + processId).start(io::startHold);
            }
        }
        io.drains.add(io.new Drain(StdCopy.STDOUT, io.stdoutPath, reopen));
        if (io.stderrPath != null) {
            io.drains.add(io.new Drain(StdCopy.STDERR, io.stderrPath, reopen));
        }
        io.active.set(io.drains.size());
        for (Drain d : io.drains) {
            if (io.durableLog != null) {
                d.startDurable();
            } else {
                d.thread = Fifos.thread("io-" + d.stream + "-" + processId, d);
            }
        }
        return io;
    }

    static Path journalPath(Path fifoDir, String processId) {
        return fifoDir.resolve(processId + "-log.journal");
    }

    static Path spoolPath(Path fifoDir, String processId, int stream) {
        return fifoDir.resolve(processId + (stream == StdCopy.STDERR ? "-stderr" : "-stdout") + ".spool");
    }

    /**
     * Sets up the durable path. On reopen (live restore) the previous pouchd's journal and spools are taken up: the
     * write it may have been making is settled, and what its spools hold beyond the committed offsets is logged
     * now (a partial line is kept for its continuation).
     */
    private void openDurable(JsonFileLog jl, boolean reopen) throws IOException {
        Path jp = journalPath(fifoDir, processId);
        journal = reopen ? LogJournal.open(jp) : LogJournal.create(jp);
        int[] streams = tty ? new int[]{StdCopy.STDOUT} : new int[]{StdCopy.STDOUT, StdCopy.STDERR};
        for (int s : streams) {
            spools[s] = Spool.open(spoolPath(fifoDir, processId, s), !reopen);
        }
        durableLog = jl;
        if (reopen) {
            if (journal.recover(jl)) {
                LOG.info("output of " + processId + ": the log write under way when pouchd stopped had landed");
            }
            synchronized (fanOut) {
                for (int s : streams) {
                    if (journal.committed(s) > spools[s].end()) {
                        journal.rebase(s); // emptied (truncated) just before the kill, see Spool.release
                    }
                    carry[s] = spools[s].read(journal.committed(s), spools[s].end());
                    commitLocked(s, false);
                }
            }
        }
    }

    /**
     * A process that exited while pouchd was down: logs what its spools hold beyond the committed offsets (bytes the
     * killed pouchd had taken out of the FIFOs but not yet logged) and closes {@code log}. Nothing to do without a
     * journal (plain path, or nothing ever spooled). What was still in the FIFOs when the shim closed them is gone
     * with the pipes (the kernel frees a pipe's buffer when its last holder closes it), unless the {@link FifoHolder}
     * (or a {@link FifoKeeper}) held them: then the FIFOs are drained to EOF exactly as a live restore does (spools
     * and journal taken up first), the hold released and the FIFOs, spools and journal removed.
     */
    static void salvage(Path fifoDir, String processId, LogSink log) {
        if (OutputHolds.holds(fifoDir, processId) && Fifos.isFifo(ContainerIOs.fifo(fifoDir, processId, "stdout"))) {
            boolean tty = !Fifos.isFifo(ContainerIOs.fifo(fifoDir, processId, "stderr"));
            FifoContainerIO io = start(fifoDir, processId, tty, false, false, log, true);
            try {
                io.awaitDrained(SALVAGE_WAIT_MILLIS);
                if (!io.isDrained()) {
                    LOG.warning("output of " + processId + ": its FIFOs did not end within " + SALVAGE_WAIT_MILLIS
                            + " ms of its exit; the rest is dropped");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                io.close();
            }
            return;
        }
        try {
            if (!(log instanceof JsonFileLog jl) || !Files.exists(journalPath(fifoDir, processId))) {
                return;
            }
            try (LogJournal j = LogJournal.open(journalPath(fifoDir, processId))) {
                j.recover(jl);
                for (int s : new int[]{StdCopy.STDOUT, StdCopy.STDERR}) {
                    Path sp = spoolPath(fifoDir, processId, s);
                    if (!Files.exists(sp)) {
                        continue;
                    }
                    try (Spool spool = Spool.open(sp, false)) {
                        long from = j.committed(s) > spool.end() ? 0 : j.committed(s);
                        byte[] rest = spool.read(from, spool.end());
                        jl.commit(s, rest, 0, rest.length, true, j);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning("output of " + processId + " spooled before pouchd stopped could not be logged: " + e);
        } finally {
            log.close();
        }
    }

    /** Turns the carried spool bytes of {@code stream} into log entries; keeps the partial rest. Under fanOut. */
    private void commitLocked(int stream, boolean eof) throws IOException {
        byte[] c = carry[stream];
        if (c.length == 0) {
            return;
        }
        int used = durableLog.commit(stream, c, 0, c.length, eof, journal);
        carry[stream] = used == c.length ? NONE : Arrays.copyOfRange(c, used, c.length);
        try {
            spools[stream].release(journal.committed(stream), journal, stream);
        } catch (IOException e) {
            LOG.fine("spool of " + processId + ": " + e); // the spool only grows; nothing is lost
        }
    }

    private void closeDurable() {
        for (int s = 1; s < spools.length; s++) {
            if (spools[s] != null) {
                spools[s].close();
                spools[s] = null;
            }
        }
        if (journal != null) {
            journal.close();
            journal = null;
        }
        durableLog = null;
    }

    @Override
    public Path stdinPath() {
        return stdinPath;
    }

    @Override
    public Path stdoutPath() {
        return stdoutPath;
    }

    @Override
    public Path stderrPath() {
        return stderrPath;
    }

    @Override
    public boolean tty() {
        return tty;
    }

    @Override
    public boolean stdinOnce() {
        return stdinOnce;
    }

    @Override
    public boolean isDrained() {
        return drained.getCount() == 0;
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public Subscription attach(Subscriber subscriber) {
        Sub s = new Sub(subscriber);
        synchronized (fanOut) {
            if (ended) {
                s.queue.add(END);
            } else {
                subs.add(s);
            }
        }
        Thread.ofVirtual().name("io-sub-" + processId).start(s);
        return s;
    }

    @Override
    public void awaitDrained(long timeoutMillis) throws InterruptedException {
        drained.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Drain d : drains) {
            if (d.thread == null) { // durable: waits for a copy under way, then lets go of the FIFO
                d.finish();
                deleteQuietly(d.path);
                continue;
            }
            FileChannel keeper = Fifos.openKeeper(d.path); // completes a pending open of the drain
            deleteQuietly(d.path);
            Fifos.closeQuietly(d.channel); // wakes a blocked read
            Fifos.closeQuietly(keeper);
        }
        if (stdin != null) {
            stdin.shutdown();
            deleteQuietly(stdinPath);
        }
        for (Drain d : drains) {
            if (d.thread == null) {
                continue;
            }
            try {
                d.thread.join(2000);
                if (d.thread.isAlive()) {
                    LOG.warning("output copier of " + processId + " did not stop");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        endOutput();
        if (durableLog != null) {
            closeDurable();
            deleteQuietly(journalPath(fifoDir, processId));
            deleteQuietly(spoolPath(fifoDir, processId, StdCopy.STDOUT));
            deleteQuietly(spoolPath(fifoDir, processId, StdCopy.STDERR));
        }
        try {
            Files.deleteIfExists(fifoDir);
        } catch (DirectoryNotEmptyException ignored) {
            // other processes (execs) of the container still have FIFOs here
        } catch (IOException e) {
            LOG.fine("cannot remove " + fifoDir + ": " + e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.fine("cannot remove " + p + ": " + e);
        }
    }

    private void dispatch(int stream, byte[] b, int off, int len) {
        synchronized (fanOut) {
            if (ended) {
                return;
            }
            log.write(stream, b, off, len);
            fanOutLocked(stream, b, off, len);
        }
    }

    /** Queues a chunk for every subscriber. Under fanOut. */
    private void fanOutLocked(int stream, byte[] b, int off, int len) {
        if (subs.isEmpty()) {
            return;
        }
        byte[] copy = Arrays.copyOfRange(b, off, off + len);
        for (Iterator<Sub> it = subs.iterator(); it.hasNext(); ) {
            Sub s = it.next();
            if (!s.offer(stream, copy)) {
                it.remove();
                LOG.warning("attached client of " + processId + " fell " + SUBSCRIBER_LIMIT
                        + " bytes behind the output; detaching it");
            }
        }
    }

    /** Holds this output's FIFOs; a hold whose output already ended (or was closed) meanwhile goes at once. */
    private void startHold() {
        OutputHold h = OutputHolds.start(fifoDir, processId, stdoutPath, stderrPath, false);
        if (h == null) {
            return;
        }
        synchronized (fanOut) {
            if (!ended) {
                hold = h;
                return;
            }
        }
        h.release();
    }

    private void endOutput() {
        synchronized (fanOut) {
            if (!ended) {
                ended = true;
                log.close();
                if (hold != null) { // the streams ended (or the IO is closed): nothing left to keep
                    hold.release();
                    hold = null;
                }
                for (Sub s : subs) {
                    s.queue.add(END);
                }
                subs.clear();
            }
        }
        drained.countDown();
    }

    /** Copies one output FIFO until EOF (process exit) or close(). */
    private final class Drain implements Runnable {
        final int stream;
        final Path path;
        final boolean reopen;
        volatile FileChannel channel;
        int fd = -1; // the durable path's raw descriptor, guarded by this
        long key; // its FifoPoller registration (0: none), guarded by this
        boolean finished; // guarded by this
        Thread thread; // the plain path's copier (null: the durable path)

        Drain(int stream, Path path, boolean reopen) {
            this.stream = stream;
            this.path = path;
            this.reopen = reopen;
        }

        @Override
        public void run() {
            try {
                if (closed) {
                    return;
                }
                FileChannel ch;
                if (reopen) {
                    // the shim's writer may be gone already: hold a write end while opening so the open cannot
                    // block, then let go so EOF comes when the shim closes (or at once if it has)
                    FileChannel keeper = Fifos.openKeeper(path);
                    if (keeper == null) {
                        return;
                    }
                    try {
                        ch = FileChannel.open(path, StandardOpenOption.READ);
                    } finally {
                        keeper.close();
                    }
                } else {
                    ch = FileChannel.open(path, StandardOpenOption.READ); // waits for the shim's writer
                }
                channel = ch;
                if (closed) {
                    return;
                }
                ByteBuffer buf = ByteBuffer.allocate(32 * 1024);
                while (true) {
                    buf.clear();
                    int n = ch.read(buf);
                    if (n < 0) {
                        break;
                    }
                    if (n > 0) {
                        dispatch(stream, buf.array(), 0, n);
                    }
                }
            } catch (NoSuchFileException | ClosedChannelException e) {
                // close() took the FIFO away
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "copying output of " + processId + " failed", e);
                }
            } finally {
                Fifos.closeQuietly(channel);
                if (active.decrementAndGet() == 0) {
                    endOutput();
                }
            }
        }

        /**
         * The durable path (class doc): opens the FIFO without blocking and leaves the waiting to the
         * {@link FifoPoller}; {@link #copy} runs each time the FIFO is readable or hung up.
         */
        void startDurable() {
            try {
                int f;
                if (reopen) {
                    // the shim's writer may be gone already: a write end of our own while opening, dropped at
                    // once, so that the FIFO reports its hang-up when no writer is left (a FIFO opened
                    // non-blocking with no writer ever seen reports none)
                    FileChannel keeper = Fifos.openKeeper(path);
                    if (keeper == null) {
                        finish();
                        return;
                    }
                    try {
                        f = Syscalls.open(path, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
                    } finally {
                        keeper.close();
                    }
                } else {
                    // the shim's open of the write end waits for this reader; no event comes before it writes
                    f = Syscalls.open(path, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
                }
                synchronized (this) {
                    fd = f;
                    if (closed) {
                        finish();
                        return;
                    }
                    key = FifoPoller.get().register(f, this::copy);
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "copying output of " + processId + " failed", e);
                }
                finish();
            }
        }

        /**
         * Splices what the FIFO holds into the spool, reads that back, then under the fan-out lock logs the
         * complete lines and hands the bytes to subscribers; at EOF the partial rest is logged too and the FIFO let
         * go; when the FIFO is empty for now it is handed back to the poller. Serialised with {@link #finish}.
         */
        private synchronized void copy() {
            if (finished) {
                return;
            }
            Spool spool = spools[stream];
            try (Syscalls.Scratch sc = new Syscalls.Scratch()) {
                while (!closed) {
                    long n = spool.fill(sc, fd);
                    if (n < 0) {
                        FifoPoller.get().rearm(fd, key);
                        return;
                    }
                    if (n == 0) {
                        synchronized (fanOut) {
                            if (!ended) {
                                commitLocked(stream, true);
                            }
                        }
                        break;
                    }
                    byte[] fresh = spool.read(spool.end() - n, spool.end());
                    synchronized (fanOut) {
                        if (ended) {
                            break;
                        }
                        byte[] c = carry[stream];
                        if (c.length == 0) {
                            carry[stream] = fresh;
                        } else {
                            byte[] all = Arrays.copyOf(c, c.length + fresh.length);
                            System.arraycopy(fresh, 0, all, c.length, fresh.length);
                            carry[stream] = all;
                        }
                        commitLocked(stream, false);
                        fanOutLocked(stream, fresh, 0, fresh.length);
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "copying output of " + processId + " failed", e);
                }
            }
            finish();
        }

        /** Lets go of the FIFO of the durable path, once; the last stream to end ends the output. */
        synchronized void finish() {
            if (finished) {
                return;
            }
            finished = true;
            if (key != 0) {
                try {
                    FifoPoller.get().unregister(fd, key);
                } catch (IOException ignored) {
                    // no poller: nothing was registered with it
                }
            }
            Syscalls.close(fd);
            fd = -1;
            if (active.decrementAndGet() == 0) {
                endOutput();
            }
        }
    }

    private record Chunk(int stream, byte[] data) {
    }

    /** One attached client: a queue and the virtual thread that feeds it. */
    private final class Sub implements Subscription, Runnable {
        final Subscriber target;
        final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        final AtomicLong queued = new AtomicLong();
        volatile boolean cancelled;

        Sub(Subscriber target) {
            this.target = target;
        }

        /** Called under fanOut. False (and queues END) when the subscriber is too far behind. */
        boolean offer(int stream, byte[] data) {
            if (queued.get() + data.length > SUBSCRIBER_LIMIT) {
                queue.add(END);
                return false;
            }
            queued.addAndGet(data.length);
            queue.add(new Chunk(stream, data));
            return true;
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Object o = queue.take();
                    if (cancelled) {
                        return;
                    }
                    if (o == END) {
                        target.onClose();
                        return;
                    }
                    Chunk c = (Chunk) o;
                    queued.addAndGet(-c.data.length);
                    target.onOutput(c.stream, c.data, 0, c.data.length);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "attached client of " + processId + " failed; detaching it", e);
                close();
            }
        }

        @Override
        public void close() {
            cancelled = true;
            synchronized (fanOut) {
                subs.remove(this);
            }
            queue.add(END);
        }
    }
}
