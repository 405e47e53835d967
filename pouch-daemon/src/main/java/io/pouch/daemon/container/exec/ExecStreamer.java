package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.api.HijackedStream;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.StdCopy;
import io.pouch.daemon.container.io.AttachStreamer;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.sys.Trace;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An attached exec start over a hijacked connection: the process's output out in stdcopy framing (raw for a TTY),
 * the client's input in. The connection is hijacked before the process's IO is ready, so from here on a failure is
 * written into the stream as text, as dockerd does; the CLI then reads the exit code (126) from exec inspect.
 */
final class ExecStreamer {
    /** How long the end of the stream waits for the exit code once the output ended (the CLI inspects next). */
    private static final long EXIT_WAIT_SECONDS = 5;

    private final ExecManager manager;

    ExecStreamer(ExecManager manager) {
        this.manager = manager;
    }

    /** Streams the claimed exec until its output ended, the detach keys, or the client left; closes {@code hs}. */
    void stream(HttpExchange ex, HijackedStream hs, ExecClaim claim, byte[] detachKeys) {
        Exec e = claim.exec();
        boolean tty = e.config.tty();
        try {
            ContainerIO io;
            try {
                io = manager.awaitPrepared(claim);
            } catch (PouchException pe) {
                writeError(hs.output(), tty, pe);
                return;
            }
            Trace.mark("exec", e.id, "prepared");
            run(ex, hs, e, io, detachKeys);
        } finally {
            hs.close();
        }
    }

    private static void writeError(OutputStream out, boolean tty, PouchException pe) {
        byte[] msg = (pe.getMessage() + "\r\n").getBytes(StandardCharsets.UTF_8);
        try {
            synchronized (out) {
                StdCopy.write(out, tty, StdCopy.STDOUT, msg, 0, msg.length);
                out.flush();
            }
        } catch (IOException ignored) {
            // client gone
        }
    }

    /**
     * Subscribes before the process starts (no output lost), starts it, copies stdin in and output out until the
     * output ended (exit), the detach keys, or the client left. Before closing, waits briefly for the exit so that
     * the inspect that follows sees the exit code.
     */
    private void run(HttpExchange ex, HijackedStream hs, Exec e, ContainerIO io, byte[] keys) {
        ExecConfig cfg = e.config;
        boolean tty = cfg.tty();
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean exited = new AtomicBoolean();
        OutputStream out = hs.output();
        ContainerIO.Subscription sub = io.attach(new ContainerIO.Subscriber() {
            @Override
            public void onOutput(int s, byte[] data, int offset, int length) {
                if (s == StdCopy.STDERR ? !cfg.attachStderr() : !cfg.attachStdout()) {
                    return;
                }
                try {
                    synchronized (out) {
                        StdCopy.write(out, tty, s, data, offset, length);
                        out.flush();
                    }
                } catch (IOException ioe) {
                    done.countDown();
                }
            }

            @Override
            public void onClose() {
                Trace.mark("exec", e.id, "output closed");
                exited.set(true);
                done.countDown();
            }
        });
        try {
            try {
                manager.start(e);
            } catch (PouchException pe) {
                writeError(out, tty, pe);
                return;
            }
            OutputStream target = io.stdin();
            Thread input = null;
            if (cfg.attachStdin() && target != null) {
                input = Thread.ofVirtual().name("exec-stdin").start(() ->
                        // as for attach with stdinOnce: at the client's EOF a non-TTY exec's stdin is closed
                        AttachStreamer.copyInput(hs.input(), target, tty, true, tty ? keys : new byte[0], done,
                                () -> manager.closeStdin(e)));
            }
            ex.onClientGone(done::countDown);
            done.await();
            if (input != null) {
                input.interrupt();
            }
            if (exited.get()) {
                e.exit.get(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } catch (Exception waitEnded) {
            // detached, client gone, or the exit is late: the stream ends anyway
        } finally {
            sub.close();
            Trace.mark("exec", e.id, "stream end");
        }
    }
}
