package io.pouch.daemon.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@link LayerCheck} run on a download's bytes while they arrive (on a virtual thread), so the diff id is known
 * when the download ends instead of after a second pass over the file. When the download starts over (the
 * registry ignored a Range request) the running check is dropped and {@link #result} checks the file instead.
 */
final class StreamingLayerCheck {
    /** Buffers of 1 MiB queued for the check: what a download may run ahead of it (while it waits for its snapshot). */
    private static final int QUEUE = 32;
    private static final int BUFFER = 1 << 20;
    /**
     * How long a download with a full queue waits for its snapshot (its parent layers unpacked) before it gives up
     * unpacking while it downloads; containerd then unpacks the stored blob. Bounds the stall when earlier layers
     * are far behind (a slow registry) or hold the download slots.
     */
    static final long UNPACK_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final String what;
    private final boolean diffId;
    private UnpackHandoff unpack;
    private ChunkQueue chunks;
    private FutureTask<LayerCheck.Result> task;
    private long fed;
    private boolean dropped;
    private boolean inputEnded;

    StreamingLayerCheck(String what) {
        this(what, true);
    }

    /** {@code diffId}: whether the result carries the diff id (see {@link LayerCheck#check(InputStream, String, boolean)}). */
    StreamingLayerCheck(String what, boolean diffId) {
        this(what, diffId, null);
    }

    /** As above, and unpacking the entries into the snapshot {@code unpack} hands over (null: check only). */
    StreamingLayerCheck(String what, boolean diffId, UnpackHandoff unpack) {
        this.what = what;
        this.diffId = diffId;
        this.unpack = unpack;
        start();
    }

    private void start() {
        // each check reads its own queue: a restarted one never sees the bytes of the one it replaced
        ChunkQueue queue = new ChunkQueue();
        chunks = queue;
        inputEnded = false;
        UnpackHandoff u = unpack;
        task = new FutureTask<>(() -> {
            try {
                return LayerCheck.check(new QueueStream(queue), what, diffId, u);
            } finally {
                queue.close();
            }
        });
        fed = 0;
        Thread.ofVirtual().name("layer-check").start(task);
    }

    /**
     * The next bytes of the blob, {@code data[0, len)}, at {@code offset} (copied: the caller may reuse the array);
     * offset 0 after some bytes starts the check over.
     */
    void accept(long offset, byte[] data, int len) {
        if (dropped) {
            return;
        }
        if (offset == 0 && fed > 0) {
            cancelTask();
            giveUpUnpacking(); // what the dropped check unpacked is not the layer: containerd unpacks it
            start();
        } else if (offset != fed) {
            drop();
            return;
        }
        for (int off = 0; off < len; off += BUFFER) {
            put(data, off, Math.min(BUFFER, len - off));
        }
        fed += len;
    }

    private void put(byte[] data, int off, int len) {
        if (task.isDone()) {
            return; // the check ended early (not a tar): its error is reported by result()
        }
        try {
            long since = System.nanoTime();
            while (!chunks.offer(data, off, len, 100, TimeUnit.MILLISECONDS)) {
                if (task.isDone()) {
                    return; // the check ended early (not a tar): its error is reported by result()
                }
                if (unpack != null && System.nanoTime() - since > UNPACK_WAIT_NANOS) {
                    unpack.giveUp(); // a check waiting for its snapshot goes on without it
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drop();
        }
    }

    private void drop() {
        dropped = true;
        cancelTask();
        giveUpUnpacking();
    }

    /** Cancels the check; its buffers are freed here too in case it never ran (then its own finally does not). */
    private void cancelTask() {
        task.cancel(true);
        chunks.close();
    }

    private void giveUpUnpacking() {
        if (unpack != null) {
            unpack.giveUp();
            unpack = null;
        }
    }

    /** The check has ended (its result is ready); for tests. */
    boolean finished() {
        return task.isDone();
    }

    /** The whole blob was fed: the check reads to its end without waiting for {@link #result}. Idempotent. */
    void inputEnded() {
        if (!dropped && !inputEnded) {
            inputEnded = true;
            chunks.end();
        }
    }

    /**
     * The check's result once the whole blob was fed (the download ended), or a check of {@code file} (when
     * not null) if the streamed check had to be dropped.
     */
    LayerCheck.Result result(Path file) throws IOException {
        if (!dropped) {
            inputEnded();
            try {
                return task.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while checking " + what, e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IOException("checking " + what + " failed: " + e.getCause(), e.getCause());
            }
        }
        if (file == null) {
            throw new IOException("the download of " + what + " skipped bytes: it cannot be checked");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return LayerCheck.check(in, what, diffId);
        }
    }

    /** Ends a check whose download failed. */
    void cancel() {
        drop();
    }

    /**
     * A check's queued bytes, off the Java heap: queued chunks used to be 1 MiB arrays, which every young
     * collection of the serial collector copied while they waited (a pull's unpacking waits for its parent's
     * snapshot with up to 32 of them queued): ~130 ms of pauses per 63 MB pull. The buffers are made as needed, up
     * to {@link #QUEUE}, reused, and freed when the check ends.
     */
    private static final class ChunkQueue {
        private record Chunk(MemorySegment buffer, int len) {
        }

        private static final Chunk END = new Chunk(MemorySegment.NULL, -1);

        private final Arena arena = Arena.ofShared();
        private final ArrayDeque<MemorySegment> free = new ArrayDeque<>();
        private final BlockingQueue<Chunk> filled = new LinkedBlockingQueue<>();
        private int made;
        private boolean closed;

        /** Copies {@code data[off, off + len)} into a free buffer and queues it; false when none freed up in time. */
        boolean offer(byte[] data, int off, int len, long timeout, TimeUnit unit) throws InterruptedException {
            MemorySegment b;
            synchronized (this) {
                long deadline = System.nanoTime() + unit.toNanos(timeout);
                while (!closed && free.isEmpty() && made >= QUEUE) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
                if (closed) {
                    return true; // the check ended: nobody reads these bytes
                }
                if (free.isEmpty()) {
                    free.push(arena.allocate(BUFFER));
                    made++;
                }
                b = free.pop();
            }
            try {
                MemorySegment.copy(data, off, b, ValueLayout.JAVA_BYTE, 0, len);
            } catch (IllegalStateException closedMeanwhile) {
                return true;
            }
            filled.add(new Chunk(b, len));
            return true;
        }

        void end() {
            filled.add(END);
        }

        Chunk take() throws InterruptedException {
            return filled.take();
        }

        synchronized void recycle(MemorySegment b) {
            free.push(b);
            notifyAll();
        }

        /** Frees the buffers; later offers are dropped (the check no longer reads). */
        void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                notifyAll();
            }
            filled.add(END);
            try {
                arena.close();
            } catch (IllegalStateException inUse) {
                // a cancelled check still copying out: its own close, when it ends, finds this one done
            }
        }
    }

    private static final class QueueStream extends InputStream {
        private final ChunkQueue chunks;
        private MemorySegment current;
        private int len;
        private int pos;
        private boolean eof;

        QueueStream(ChunkQueue chunks) {
            this.chunks = chunks;
        }

        private boolean fill() throws IOException {
            while (!eof && pos >= len) {
                if (current != null) {
                    chunks.recycle(current);
                    current = null;
                }
                try {
                    ChunkQueue.Chunk next = chunks.take();
                    if (next.len() < 0) {
                        eof = true;
                    } else {
                        current = next.buffer();
                        len = next.len();
                        pos = 0;
                    }
                } catch (InterruptedException e) {
                    throw new InterruptedIOException("layer check cancelled");
                }
            }
            return !eof || pos < len;
        }

        @Override
        public int read() throws IOException {
            return fill() && pos < len ? current.get(ValueLayout.JAVA_BYTE, pos++) & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int n) throws IOException {
            if (n == 0) {
                return 0;
            }
            if (!fill() || pos >= len) {
                return -1;
            }
            int k = Math.min(n, len - pos);
            MemorySegment.copy(current, ValueLayout.JAVA_BYTE, pos, b, off, k);
            pos += k;
            return k;
        }
    }
}
