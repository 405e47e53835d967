package io.pouch.daemon.container.io;

import io.pouch.daemon.sys.Fifos;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The write end of a process's stdin FIFO, shared by attached clients (see {@link ContainerIO#stdin()}).
 *
 * <p>All FIFO calls (the open, which waits for the shim's reader, and writes, which wait while the pipe is full)
 * run on one lazily started platform thread; callers hand over each write and wait for it, so writers get
 * back-pressure and a virtual thread never pins its carrier on a FIFO.
 */
final class StdinPipe extends OutputStream {
    private record Op(byte[] data, CompletableFuture<Void> done) {
    }

    private static final Op CLOSE = new Op(null, null);

    private final Path path;
    private final boolean once;
    private final String name;
    private final LinkedBlockingQueue<Op> ops = new LinkedBlockingQueue<>();
    private Thread worker; // guarded by this
    private boolean finished; // guarded by this: the worker is gone, ops would never run
    private volatile FileChannel channel;
    private volatile boolean eof; // the FIFO was closed (stdinOnce EOF or shutdown): no more writes
    private volatile boolean shutdown;

    StdinPipe(Path path, boolean once, String name) {
        this.path = path;
        this.once = once;
        this.name = name;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        if (eof) {
            throw new IOException("stdin of " + name + " is closed");
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(new Op(Arrays.copyOfRange(b, off, off + len), done));
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing to stdin of " + name);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /** A client's input ended: with stdinOnce the process gets EOF (asynchronously); otherwise nothing happens. */
    @Override
    public void close() {
        if (once && !eof) {
            submit(CLOSE);
        }
    }

    /** The IO is closed: fail pending and future writes, wake the worker wherever it blocks. */
    void shutdown() {
        shutdown = true;
        eof = true;
        FileChannel keeper = Fifos.openKeeper(path); // completes a pending O_WRONLY open
        Fifos.closeQuietly(channel); // wakes a write blocked on a full pipe
        ops.add(CLOSE);
        Thread w;
        synchronized (this) {
            w = worker;
        }
        if (w != null) {
            try {
                w.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Fifos.closeQuietly(keeper);
    }

    private void submit(Op op) {
        synchronized (this) {
            if (finished || shutdown && worker == null) {
                if (op.done() != null) {
                    op.done().completeExceptionally(new IOException("stdin of " + name + " is closed"));
                }
                return;
            }
            if (worker == null) {
                worker = Fifos.thread("stdin-" + name, this::work);
            }
            ops.add(op);
        }
    }

    private void work() {
        try {
            while (true) {
                Op op = ops.take();
                if (op == CLOSE) {
                    if (!shutdown) {
                        // the shim only sees EOF after a writer came and went: open even if nothing was written
                        tryOpen();
                    }
                    eof = true;
                    Fifos.closeQuietly(channel);
                    failPending();
                    return;
                }
                try {
                    if (shutdown) {
                        throw new IOException("stdin of " + name + " is closed");
                    }
                    FileChannel ch = open();
                    ByteBuffer buf = ByteBuffer.wrap(op.data());
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    op.done().complete(null);
                } catch (IOException e) {
                    op.done().completeExceptionally(e);
                }
            }
        } catch (InterruptedException e) {
            failPending();
        }
    }

    private void tryOpen() {
        try {
            open();
        } catch (IOException ignored) {
            // nothing to close then
        }
    }

    private FileChannel open() throws IOException {
        FileChannel ch = channel;
        if (ch == null) {
            ch = FileChannel.open(path, StandardOpenOption.WRITE); // waits for the shim's reader
            channel = ch;
            if (shutdown) {
                ch.close();
                throw new IOException("stdin of " + name + " is closed");
            }
        }
        return ch;
    }

    private void failPending() {
        synchronized (this) {
            finished = true;
        }
        Op op;
        while ((op = ops.poll()) != null) {
            if (op.done() != null) {
                op.done().completeExceptionally(new IOException("stdin of " + name + " is closed"));
            }
        }
    }
}
