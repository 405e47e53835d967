package io.pouch.daemon.container.exec;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.daemon.api.HijackedStream;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.api.StdCopy;
import io.pouch.daemon.container.io.DetachKeys;
import io.pouch.daemon.sys.Trace;

import java.io.IOException;
import java.util.Map;

/** {@code POST /containers/{id}/exec}, {@code /exec/{id}/start|resize|json}. */
public final class ExecRoutes implements RouteRegistrar {
    private final ExecManager manager;
    private final ExecStreamer streamer;

    public ExecRoutes(ExecManager manager) {
        this.manager = manager;
        this.streamer = new ExecStreamer(manager);
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

    /**
     * Detached: answered once the process started. Attached: the connection is hijacked at once, so that the answer
     * goes out while the process made ready at create (FIFOs, Tasks.Exec) is finishing.
     */
    private void start(HttpExchange ex) throws IOException {
        JsonNode body = ex.bodyJson(JsonNode.class);
        boolean detach = body != null && body.path("Detach").asBoolean(false);
        Exec e = manager.get(ex.pathParam("id"));
        Trace.mark("exec", e.id, "start request");
        byte[] keys = DetachKeys.parse(e.config.detachKeys());
        ExecClaim claim = manager.claim(e);
        if (detach) {
            manager.awaitPrepared(claim);
            manager.start(e);
            ex.respondEmpty(200);
            return;
        }
        HijackedStream hs = ex.hijack(StdCopy.contentType(e.config.tty(), ex.apiVersion()));
        Trace.mark("exec", e.id, "hijacked");
        streamer.stream(ex, hs, claim, keys);
    }
}
