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

    private final String what;
    private final boolean diffId;
    private BlockingQueue<byte[]> chunks;
    private FutureTask<LayerCheck.Result> task;
    private long fed;
    private boolean dropped;

    StreamingLayerCheck(String what) {
        this(what, true);
    }

    /** {@code diffId}: whether the result carries the diff id (see {@link LayerCheck#check(InputStream, String, boolean)}). */
    StreamingLayerCheck(String what, boolean diffId) {
        this.what = what;
        this.diffId = diffId;
        start();
    }

    private void start() {
        // each check reads its own queue: a restarted one never sees the bytes of the one it replaced
        BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(64);
        chunks = queue;
        task = new FutureTask<>(() -> LayerCheck.check(new QueueStream(queue), what, diffId));
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
            while (!chunks.offer(data, 100, TimeUnit.MILLISECONDS)) {
                if (task.isDone()) {
                    return; // the check ended early (not a tar): its error is reported by result()
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
