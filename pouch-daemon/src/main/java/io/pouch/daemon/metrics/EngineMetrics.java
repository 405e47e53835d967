package io.pouch.daemon.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The engine's own gauges: Pouch's engine info and dockerd's containers per state. */
public final class EngineMetrics {
    private EngineMetrics() {
    }

    /**
     * @param states containers per state ("running", "paused", "stopped"), read at each scrape
     */
    public static void register(Metrics metrics, String version, String commit, Supplier<Map<String, Integer>> states) {
        List<String> info = List.of(commit, kernel(), version);
        metrics.gauge("engine_daemon_engine_info", "The version and commit information of the engine process",
                List.of("commit", "kernel", "version"), () -> Map.of(info, 1.0));
        metrics.gauge("engine_daemon_container_states_containers", "The count of containers in various states",
                List.of("state"), () -> {
                    Map<List<String>, Double> out = new LinkedHashMap<>();
                    states.get().forEach((state, n) -> out.put(List.of(state), n.doubleValue()));
                    return out;
                });
    }

    private static String kernel() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
