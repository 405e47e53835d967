package io.pouch.daemon.container.stats;

import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;

import java.util.Map;

/** {@code GET /containers/{id}/top} and {@code GET /containers/{id}/stats}. */
public final class MonitorRoutes implements RouteRegistrar {
    private final TopService top;
    private final StatsService stats;

    public MonitorRoutes(TopService top, StatsService stats) {
        this.top = top;
        this.stats = stats;
    }

    @Override
    public void register(Router r) {
        r.add("GET", "/containers/{id}/top", ex -> ex.respond(200, top.top(ex.pathParam("id"), ex.query("ps_args"))));
        r.add("GET", "/containers/{id}/stats", this::stats);
    }

    private void stats(HttpExchange ex) throws Exception {
        String ref = ex.pathParam("id");
        if (!ex.queryBool("stream", true)) {
            ex.respond(200, stats.sample(ref, ex.queryBool("one-shot", false)));
            return;
        }
        stats.stream(ref, () -> ex.startStream(200, "application/json", Map.of(), true), ex::clientGone);
    }
}
