package io.pouch.daemon.container.io;

import io.pouch.daemon.api.HijackedStream;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.StdCopy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Answers {@code POST /containers/{id}/attach} (and serves exec start) over a hijacked connection. */
public final class AttachStreamer {
    private static final Logger LOG = Logger.getLogger(AttachStreamer.class.getName());

    private AttachStreamer() {
    }

    /**
     * Hijacks the connection ({@code application/vnd.docker.multiplexed-stream} for non-TTY from API 1.42 on,
     * else raw-stream) and connects it to the process until one of: output ended (process exited; everything
     * queued is sent first), the detach keys were typed (TTY only, as dockerd: the container keeps running), the
     * client's stdin ended when that ends the attach (see below), or the client went away. Blocks until then, then
     * closes the hijacked stream.
     *
     * <p>Output: stdout/stderr as asked, stdcopy-framed for non-TTY, raw for TTY. A client half-close does not end
     * output. Input (when {@code stdin} and the process has an open stdin) is copied raw to {@link ContainerIO#stdin()};
     * at the client's EOF, dockerd's rules: non-TTY with StdinOnce closes the process's stdin and output goes on;
     * otherwise (TTY, or no StdinOnce) the attach ends there and the process's stdin stays open. {@code logs=1}
     * (replaying past output) is not supported: only output from attach time on is sent. With {@code stream}
     * false the stream is closed at once.
     *
     * @param detachKeys Docker's syntax ("ctrl-p,ctrl-q", "a,b"), null/empty = default; invalid = 400, checked
     *                   before hijacking
     */
    public static void attach(HttpExchange ex, ContainerIO io, boolean stdin, boolean stdout, boolean stderr,
                              boolean stream, String detachKeys) throws IOException {
        attach(ex, io, stdin, stdout, stderr, stream, detachKeys, () -> { },
                () -> CompletableFuture.completedFuture(null));
    }

    /**
     * As above; {@code onStdinClosed} runs after the process's stdin FIFO was closed at the client's EOF
     * (StdinOnce): containerd's shim keeps its own writer on that FIFO, so the process only reads EOF once the
     * caller also asks containerd to close it (Tasks.CloseIO). When the output ended, the stream is closed only
     * once {@code exitRecorded}'s future completed (or the client went away): a client that inspects the
     * container at the stream's end must see its exit, as with dockerd, where the streams end with the exit.
     */
    public static void attach(HttpExchange ex, ContainerIO io, boolean stdin, boolean stdout, boolean stderr,
                              boolean stream, String detachKeys, Runnable onStdinClosed,
                              Supplier<CompletableFuture<?>> exitRecorded) throws IOException {
        byte[] keys = DetachKeys.parse(detachKeys);
        boolean tty = io.tty();
        HijackedStream hs = ex.hijack(StdCopy.contentType(tty, ex.apiVersion()));
        try {
            if (!stream) {
                return;
            }
            CountDownLatch done = new CountDownLatch(1);
            AtomicBoolean outputEnded = new AtomicBoolean();
            OutputStream out = hs.output();
            ContainerIO.Subscription sub = io.attach(new ContainerIO.Subscriber() {
                @Override
                public void onOutput(int s, byte[] data, int offset, int length) {
                    if (s == StdCopy.STDERR ? !stderr : !stdout) {
                        return;
                    }
                    try {
                        StdCopy.write(out, tty, s, data, offset, length);
                        out.flush();
                    } catch (IOException e) {
                        done.countDown(); // client gone
                    }
                }

                @Override
                public void onClose() {
                    outputEnded.set(true);
                    done.countDown();
                }
            });
            try {
                OutputStream target = io.stdin();
                Thread input = null;
                if (stdin && target != null) {
                    input = Thread.ofVirtual().name("attach-stdin").start(() ->
                            copyInput(hs.input(), target, tty, io.stdinOnce(), tty ? keys : new byte[0], done,
                                    onStdinClosed));
                }
                ex.onClientGone(done::countDown);
                done.await();
                if (input != null) {
                    input.interrupt();
                }
                if (outputEnded.get()) {
                    awaitUnlessGone(ex, exitRecorded.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                sub.close();
            }
        } finally {
            hs.close();
        }
    }

    /** Waits for {@code f}, or until the client went away. */
    private static void awaitUnlessGone(HttpExchange ex, CompletableFuture<?> f) throws InterruptedException {
        while (!ex.clientGone()) {
            try {
                f.get(200, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                // look at the client again
            } catch (ExecutionException e) {
                return;
            }
        }
    }

    /**
     * Copies a hijacked client's input to a process's stdin until the client's EOF or the detach keys (then
     * {@code done} counts down). At EOF, with {@code stdinOnce} and no TTY, stdin is closed and
     * {@code onStdinClosed} runs (the process reads EOF; its output keeps flowing); otherwise {@code done} counts down.
     * Used by attach and by exec start.
     */
    public static void copyInput(InputStream in, OutputStream target, boolean tty, boolean stdinOnce, byte[] keys,
                                 CountDownLatch done, Runnable onStdinClosed) {
        DetachKeys.Scanner scanner = new DetachKeys.Scanner(keys);
        ByteArrayOutputStream forward = new ByteArrayOutputStream();
        byte[] buf = new byte[32 * 1024];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                forward.reset();
                boolean detach = scanner.feed(buf, 0, n, forward);
                if (forward.size() > 0) {
                    target.write(forward.toByteArray());
                }
                if (detach) {
                    done.countDown();
                    return;
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "attach stdin ended", e);
        }
        // the client's input ended (half-close, or the connection broke)
        if (stdinOnce && !tty) {
            try {
                target.close(); // the process reads EOF; output keeps flowing until it exits
                onStdinClosed.run();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "closing stdin failed", e);
            }
        } else {
            done.countDown();
        }
    }
}
