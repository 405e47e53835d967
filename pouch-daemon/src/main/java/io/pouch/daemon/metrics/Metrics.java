package io.pouch.daemon.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * pouchd's metric families, with the names Pouch registered ({@code engine_daemon_...}): counters, histograms and
 * summaries keyed by label values, and gauges read when scraped. Thread-safe; recording never blocks. A family's
 * name is final (Prometheus' {@code _total} and {@code _seconds} suffixes included).
 */
public final class Metrics {
    /** Prometheus' default histogram buckets (client_golang's DefBuckets), in seconds. */
    static final double[] DEFAULT_BUCKETS = {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};

    /** One metric family: its name, help, type and the series under it. */
    public sealed interface Family permits Counter, Histogram, Summary, Gauge {
        String name();

        String help();

        List<String> labelNames();
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    // Pouch's families (apis/metrics/metrics.go), in its order
    public final Summary imagePullLatency = add(new Summary("engine_daemon_image_pull_latency_microseconds",
            "Latency in microseconds to pull a image.", List.of("image")));
    public final Counter containerActions = add(new Counter("engine_daemon_container_actions_counter_total",
            "The number of container operations", List.of("action")));
    public final Counter containerSuccessActions = add(new Counter(
            "engine_daemon_container_success_actions_counter_total", "The number of container success operations",
            List.of("action")));
    public final Counter imageActions = add(new Counter("engine_daemon_image_actions_counter_total",
            "The number of image operations", List.of("action")));
    public final Counter imageSuccessActions = add(new Counter("engine_daemon_image_success_actions_counter_total",
            "The number of image success operations", List.of("action")));
    public final Histogram containerActionSeconds = add(new Histogram("engine_daemon_container_actions_seconds",
            "The number of seconds it takes to process each container action", List.of("action"),
            DEFAULT_BUCKETS));
    public final Histogram imageActionSeconds = add(new Histogram("engine_daemon_image_actions_seconds",
            "The number of seconds it takes to process each image action", List.of("action"), DEFAULT_BUCKETS));

    /** Adds a gauge whose series are read at each scrape (label values to value). */
    public Gauge gauge(String name, String help, List<String> labelNames, Supplier<Map<List<String>, Double>> read) {
        return add(new Gauge(name, help, List.copyOf(labelNames), false, read));
    }

    /** Adds a counter kept elsewhere (the kernel's CPU time) and read at each scrape. */
    public Gauge readCounter(String name, String help, Supplier<Map<List<String>, Double>> read) {
        return add(new Gauge(name, help, List.of(), true, read));
    }

    /** Adds counters kept elsewhere, one per label values, read at each scrape. */
    public Gauge readCounter(String name, String help, List<String> labelNames,
                             Supplier<Map<List<String>, Double>> read) {
        return add(new Gauge(name, help, List.copyOf(labelNames), true, read));
    }

    private synchronized <F extends Family> F add(F family) {
        if (families.putIfAbsent(family.name(), family) != null) {
            throw new IllegalArgumentException("metric " + family.name() + " is registered already");
        }
        return family;
    }

    public synchronized List<Family> families() {
        return new ArrayList<>(families.values());
    }

    /** Records one container action as Pouch did: counted, timed, and counted again when it succeeded. */
    public void containerAction(String action, long startNanos, boolean success) {
        containerActions.inc(action);
        containerActionSeconds.observe(secondsSince(startNanos), action);
        if (success) {
            containerSuccessActions.inc(action);
        }
    }

    /** Records one image action (pull, delete) as Pouch did. */
    public void imageAction(String action, long startNanos, boolean success) {
        imageActions.inc(action);
        imageActionSeconds.observe(secondsSince(startNanos), action);
        if (success) {
            imageSuccessActions.inc(action);
        }
    }

    static double secondsSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static List<String> key(List<String> names, String... values) {
        if (values.length != names.size()) {
            throw new IllegalArgumentException("expected labels " + names + ", got " + Arrays.toString(values));
        }
        return List.of(values);
    }

    /** A monotonically increasing count per label values. */
    public record Counter(String name, String help, List<String> labelNames,
                          Map<List<String>, DoubleAdder> series) implements Family {
        Counter(String name, String help, List<String> labelNames) {
            this(name, help, labelNames, new ConcurrentHashMap<>());
        }

        public void inc(String... labels) {
            series.computeIfAbsent(key(labelNames, labels), k -> new DoubleAdder()).add(1);
        }
    }

    /** Observations counted into cumulative buckets per label values, with their sum and count. */
    public record Histogram(String name, String help, List<String> labelNames, double[] buckets,
                            Map<List<String>, Observations> series) implements Family {
        Histogram(String name, String help, List<String> labelNames, double[] buckets) {
            this(name, help, labelNames, buckets.clone(), new ConcurrentHashMap<>());
        }

        public void observe(double value, String... labels) {
            series.computeIfAbsent(key(labelNames, labels), k -> new Observations(buckets.length)).add(value, buckets);
        }
    }

    /** A summary without quantiles: the sum and count of observations per label values. */
    public record Summary(String name, String help, List<String> labelNames,
                          Map<List<String>, Observations> series) implements Family {
        Summary(String name, String help, List<String> labelNames) {
            this(name, help, labelNames, new ConcurrentHashMap<>());
        }

        public void observe(double value, String... labels) {
            series.computeIfAbsent(key(labelNames, labels), k -> new Observations(0)).add(value, new double[0]);
        }
    }

    /**
     * Values read when scraped; a reader that fails leaves the family without series for that scrape.
     *
     * @param counter exposed as a counter: the value only grows (process_cpu_seconds_total)
     */
    public record Gauge(String name, String help, List<String> labelNames, boolean counter,
                        Supplier<Map<List<String>, Double>> read) implements Family {
    }

    /** The running sum and count of a series, and its per-bucket counts (not cumulative; the writer sums). */
    public static final class Observations {
        private final LongAdder[] perBucket;
        private final LongAdder count = new LongAdder();
        private final DoubleAdder sum = new DoubleAdder();

        Observations(int buckets) {
            perBucket = new LongAdder[buckets];
            for (int i = 0; i < buckets; i++) {
                perBucket[i] = new LongAdder();
            }
        }

        void add(double value, double[] bounds) {
            for (int i = 0; i < bounds.length; i++) {
                if (value <= bounds[i]) {
                    perBucket[i].increment();
                    break;
                }
            }
            sum.add(value);
            count.increment();
        }

        public long count() {
            return count.sum();
        }

        public double sum() {
            return sum.sum();
        }

        /** Observations at or below each bound, cumulative as the exposition format has them. */
        public long[] cumulative() {
            long[] out = new long[perBucket.length];
            long running = 0;
            for (int i = 0; i < perBucket.length; i++) {
                running += perBucket[i].sum();
                out[i] = running;
            }
            return out;
        }
    }
}
