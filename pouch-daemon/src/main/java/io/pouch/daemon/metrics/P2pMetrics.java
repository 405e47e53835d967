package io.pouch.daemon.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/** P2P image distribution: layer bytes pulled since pouchd started, by where they came from. */
public final class P2pMetrics {
    public static final String BYTES = "pouch_p2p_bytes_total";

    private P2pMetrics() {
    }

    /** {@code pouch_p2p_bytes_total{source="peers"|"registry"}}, read at each scrape. */
    public static void register(Metrics metrics, LongSupplier fromPeers, LongSupplier fromRegistry) {
        metrics.readCounter(BYTES, "Bytes of image layers pulled through P2P, by source: other peers or the registry.",
                List.of("source"), () -> {
                    Map<List<String>, Double> out = new LinkedHashMap<>();
                    out.put(List.of("peers"), (double) fromPeers.getAsLong());
                    out.put(List.of("registry"), (double) fromRegistry.getAsLong());
                    return out;
                });
    }
}
