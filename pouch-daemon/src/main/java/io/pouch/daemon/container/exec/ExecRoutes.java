package io.pouch.daemon.container.exec;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.HijackedStream;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.api.StdCopy;
import io.pouch.daemon.container.io.AttachStreamer;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.container.io.DetachKeys;
import io.pouch.daemon.sys.Trace;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** {@code POST /containers/{id}/exec}, {@code /exec/{id}/start|resize|json}. */
public final class ExecRoutes implements RouteRegistrar {
    private static final Logger LOG = Logger.getLogger(ExecRoutes.class.getName());
    private final ExecManager manager;

    public ExecRoutes(ExecManager manager) {
        this.manager = manager;
    }

    @Override
    public void register(Router r) {
        // memory only (the process is prepared on a virtual thread of its own): answered on the event loop
        r.addInline("POST", "/containers/{id}/exec", ex -> {
            ExecConfig cfg = ex.bodyJson(ExecConfig.class);
            ex.respond(201, Map.of("Id", manager.create(ex.pathParam("id"), cfg)));
        });
        r.add("POST", "/exec/{id}/start", this::start);
        r.add("POST", "/exec/{id}/resize", ex -> {
            manager.resize(ex.pathParam("id"), ex.queryInt("h", 0), ex.queryInt("w", 0));
            ex.respondEmpty(200);
        });
        // memory only, and a short monitor per exec: answered on the event loop (the docker CLI's last request)
        r.addInline("GET", "/exec/{id}/json", ex -> ex.respond(200, manager.inspect(ex.pathParam("id"))));
    }

    private void start(HttpExchange ex) throws IOException {
        JsonNode body = ex.bodyJson(JsonNode.class);
        boolean detach = body != null && body.path("Detach").asBoolean(false);
        ExecManager.Exec e = manager.get(ex.pathParam("id"));
        Trace.mark("exec", e.id, "start request");
        ExecConfig cfg = e.config;
        boolean tty = cfg.tty();
        byte[] keys = DetachKeys.parse(cfg.detachKeys());
        ExecManager.Claim claim = manager.claim(e);
        if (detach) {
            manager.awaitPrepared(claim);
            manager.start(e, tty);
            ex.respondEmpty(200);
            return;
        }
        // perf: the answer goes out while the process made ready at create (FIFOs, Tasks.Exec) is finishing;
        // from here on a failure is written into the stream, as dockerd does
        HijackedStream hs = ex.hijack(StdCopy.contentType(tty, ex.apiVersion()));
        Trace.mark("exec", e.id, "hijacked");
        try {
            ContainerIO io;
            try {
                io = manager.awaitPrepared(claim);
            } catch (PouchException pe) {
                writeError(hs.output(), tty, pe);
                return;
            }
            Trace.mark("exec", e.id, "prepared");
            stream(ex, hs, e, io, cfg, tty, keys);
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
     * output ended (exit), the detach keys, or the client left. A start failure is written into the stream as text,
     * as dockerd does; the CLI then reads the exit code (126/127) from exec inspect. Before closing, waits briefly
     * for the exit event so the inspect that follows sees the exit code.
     */
    private void stream(HttpExchange ex, HijackedStream hs, ExecManager.Exec e, ContainerIO io, ExecConfig cfg,
                        boolean tty, byte[] keys) {
        CountDownLatch done = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean exited = new java.util.concurrent.atomic.AtomicBoolean();
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
                manager.start(e, tty);
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
                e.exit.get(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } catch (Exception waitEnded) {
            // detached, client gone, or the exit event is late: the stream ends anyway
        } finally {
            sub.close();
            Trace.mark("exec", e.id, "stream end");
        }
    }
}
