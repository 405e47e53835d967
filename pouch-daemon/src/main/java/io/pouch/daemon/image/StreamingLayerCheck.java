package io.pouch.daemon.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * {@link LayerCheck} run on a download's bytes while they arrive (on a virtual thread), so the diff id is known
 * when the download ends instead of after a second pass over the file. When the download starts over (the
 * registry ignored a Range request) the running check is dropped and {@link #result} checks the file instead.
 */
final class StreamingLayerCheck {
    private static final byte[] EOF = new byte[0];
    /** Chunks (up to 1 MiB each) queued for the check: what a download may run ahead of it. */
    private static final int QUEUE = 32;
    /**
     * How long a download with a full queue waits for its snapshot (its parent layers unpacked) before it gives up
     * unpacking while it downloads; containerd then unpacks the stored blob. Bounds the stall when earlier layers
     * are far behind (a slow registry) or hold the download slots.
     */
    static final long UNPACK_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final String what;
    private final boolean diffId;
    private UnpackHandoff unpack;
    private BlockingQueue<byte[]> chunks;
    private FutureTask<LayerCheck.Result> task;
    private long fed;
    private boolean dropped;

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
        BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
        chunks = queue;
        UnpackHandoff u = unpack;
        task = new FutureTask<>(() -> LayerCheck.check(new QueueStream(queue), what, diffId, u));
        fed = 0;
        Thread.ofVirtual().name("layer-check").start(task);
    }

    /** The next bytes of the blob, at {@code offset}; offset 0 after some bytes starts the check over. */
    void accept(long offset, byte[] data) {
        if (dropped) {
            return;
        }
        if (offset == 0 && fed > 0) {
            task.cancel(true);
            giveUpUnpacking(); // what the dropped check unpacked is not the layer: containerd unpacks it
            start();
        } else if (offset != fed) {
            drop();
            return;
        }
        put(data);
        fed += data.length;
    }

    private void put(byte[] data) {
        if (task.isDone()) {
            return; // the check ended early (not a tar): its error is reported by result()
        }
        try {
            long since = System.nanoTime();
            while (!chunks.offer(data, 100, TimeUnit.MILLISECONDS)) {
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
        task.cancel(true);
        giveUpUnpacking();
    }

    private void giveUpUnpacking() {
        if (unpack != null) {
            unpack.giveUp();
            unpack = null;
        }
    }

    /**
     * The check's result once the whole blob was fed (the download ended), or a check of {@code file} (when
     * not null) if the streamed check had to be dropped.
     */
    LayerCheck.Result result(Path file) throws IOException {
        if (!dropped) {
            put(EOF);
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

    private static final class QueueStream extends InputStream {
        private final BlockingQueue<byte[]> chunks;
        private byte[] current = new byte[0];
        private int pos;
        private boolean eof;

        QueueStream(BlockingQueue<byte[]> chunks) {
            this.chunks = chunks;
        }

        private boolean fill() throws IOException {
            while (!eof && pos >= current.length) {
                try {
                    byte[] next = chunks.take();
                    if (next == EOF) {
                        eof = true;
                    } else {
                        current = next;
                        pos = 0;
                    }
                } catch (InterruptedException e) {
                    throw new IOException("layer check cancelled", e);
                }
            }
            return !eof || pos < current.length;
        }

        @Override
        public int read() throws IOException {
            return fill() && pos < current.length ? current[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill() || pos >= current.length) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
