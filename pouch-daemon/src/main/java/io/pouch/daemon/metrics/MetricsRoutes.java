package io.pouch.daemon.metrics;

import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Pouch's {@code GET /metrics}: every family in Prometheus' text format. */
public final class MetricsRoutes implements RouteRegistrar {
    private final Metrics metrics;

    public MetricsRoutes(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void register(Router router) {
        router.add("GET", "/metrics", ex -> ex.respondBytes(200, PrometheusText.CONTENT_TYPE,
                PrometheusText.write(metrics).getBytes(StandardCharsets.UTF_8), Map.of()));
    }
}
