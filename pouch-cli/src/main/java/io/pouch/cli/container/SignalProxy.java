package io.pouch.cli.container;

import io.pouch.cli.Query;
import io.pouch.client.PouchClient;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code run --sig-proxy} (the default): while the CLI is attached, the signals it receives are sent to the
 * container with POST /containers/{id}/kill, as docker's ForwardAllSignals does. The JVM lets a program catch
 * INT, TERM, HUP and USR2; the others it keeps for itself.
 */
final class SignalProxy implements AutoCloseable {
    static final SignalProxy NONE = new SignalProxy();
    private static final String[] SIGNALS = {"INT", "TERM", "HUP", "USR2"};

    private final Map<Signal, SignalHandler> previous = new HashMap<>();

    private SignalProxy() {
    }

    static SignalProxy forward(PouchClient client, String id) {
        SignalProxy p = new SignalProxy();
        for (String name : SIGNALS) {
            Signal s = new Signal(name);
            try {
                p.previous.put(s, Signal.handle(s, sig -> kill(client, id, "SIG" + sig.getName())));
            } catch (IllegalArgumentException e) {
                // this JVM keeps that signal for itself (e.g. -Xrs): it is not forwarded
            }
        }
        return p;
    }

    private static void kill(PouchClient client, String id, String signal) {
        Thread.ofVirtual().start(() -> {
            try {
                client.post("/containers/" + PouchClient.escape(id) + "/kill", Query.of("signal", signal), null);
            } catch (RuntimeException ignored) {
                // the container may be gone already: the wait reports its end
            }
        });
    }

    @Override
    public void close() {
        previous.forEach(Signal::handle);
    }
}
