package io.pouch.daemon.container.io;

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
 * {@link Fifos}.
 *
 * <p>Fan-out: a chunk read from either FIFO goes, under one lock, to the log and to the queue of every subscriber,
 * so the log and all subscribers see the same interleaving. Each subscriber has its own virtual thread that
 * delivers from an unbounded queue whose content is capped at {@link #SUBSCRIBER_LIMIT} bytes: a subscriber that
 * falls that far behind is dropped (warning, then onClose after what was queued) rather than blocking the drain:
 * a stuck client must never stall the container or its log (dockerd blocks the container here; we prefer to
 * cut the client).
 */
final class FifoContainerIO implements ContainerIO {
    private static final Logger LOG = Logger.getLogger(FifoContainerIO.class.getName());
    /** Bytes a subscriber may have queued before it is dropped. */
    static final long SUBSCRIBER_LIMIT = 4L << 20;
    private static final Object END = new Object();

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
        io.drains.add(io.new Drain(StdCopy.STDOUT, io.stdoutPath, reopen));
        if (io.stderrPath != null) {
            io.drains.add(io.new Drain(StdCopy.STDERR, io.stderrPath, reopen));
        }
        io.active.set(io.drains.size());
        for (Drain d : io.drains) {
            d.thread = Fifos.thread("io-" + d.stream + "-" + processId, d);
        }
        return io;
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
    }

    private void endOutput() {
        synchronized (fanOut) {
            if (!ended) {
                ended = true;
                log.close();
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
        Thread thread;

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
