package io.pouch.daemon.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusTextTest {
    @Test
    void numbersAreWrittenAsGoWritesThem() {
        assertEquals("0", PrometheusText.number(0));
        assertEquals("1", PrometheusText.number(1));
        assertEquals("42", PrometheusText.number(42));
        assertEquals("0.005", PrometheusText.number(0.005));
        assertEquals("2.5", PrometheusText.number(2.5));
        assertEquals("0.0001", PrometheusText.number(1e-4));
        assertEquals("1e-05", PrometheusText.number(1e-5));
        assertEquals("1.5e-07", PrometheusText.number(1.5e-7));
        assertEquals("123456789", PrometheusText.number(123456789));
        assertEquals("1.7000000000001e+21", PrometheusText.number(1.7000000000001e21));
        assertEquals("-3.25", PrometheusText.number(-3.25));
        assertEquals("+Inf", PrometheusText.number(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", PrometheusText.number(Double.NEGATIVE_INFINITY));
        assertEquals("NaN", PrometheusText.number(Double.NaN));
    }

    @Test
    void labelValuesAndHelpAreEscaped() {
        assertEquals("a\\\\b\\\"c\\nd", PrometheusText.escapeLabel("a\\b\"c\nd"));
        assertEquals("say \"hi\"\\nnow \\\\", PrometheusText.escapeHelp("say \"hi\"\nnow \\"));
    }

    @Test
    void countersAndHistogramsHaveTheirTypeLinesAndCumulativeBuckets() {
        Metrics m = new Metrics();
        long start = System.nanoTime();
        m.containerAction("start", start, true);
        m.containerAction("start", start, false);
        m.containerActionSeconds.observe(0.02, "create");
        String text = PrometheusText.write(m);
        assertTrue(text.contains("# HELP engine_daemon_container_actions_counter_total The number of container"
                + " operations\n# TYPE engine_daemon_container_actions_counter_total counter\n"), text);
        assertTrue(text.contains("engine_daemon_container_actions_counter_total{action=\"start\"} 2\n"), text);
        assertTrue(text.contains("engine_daemon_container_success_actions_counter_total{action=\"start\"} 1\n"), text);
        assertTrue(text.contains("# TYPE engine_daemon_container_actions_seconds histogram\n"), text);
        assertTrue(text.contains("engine_daemon_container_actions_seconds_bucket{action=\"create\",le=\"0.01\"} 0\n"
                + "engine_daemon_container_actions_seconds_bucket{action=\"create\",le=\"0.025\"} 1\n"), text);
        assertTrue(text.contains("engine_daemon_container_actions_seconds_bucket{action=\"create\",le=\"10\"} 1\n"
                + "engine_daemon_container_actions_seconds_bucket{action=\"create\",le=\"+Inf\"} 1\n"
                + "engine_daemon_container_actions_seconds_sum{action=\"create\"} 0.02\n"
                + "engine_daemon_container_actions_seconds_count{action=\"create\"} 1\n"), text);
        // the create series sorts before start
        assertTrue(text.indexOf("seconds_count{action=\"create\"}") < text.indexOf("seconds_count{action=\"start\"}"));
        // a family without series still says what it is
        assertTrue(text.contains("# TYPE engine_daemon_image_actions_counter_total counter\n"), text);
        assertTrue(text.endsWith("\n"));
    }

    @Test
    void summariesHaveSumAndCountAndGaugesAreReadAtEachScrape() {
        Metrics m = new Metrics();
        m.imagePullLatency.observe(1500, "busybox:latest");
        int[] calls = {0};
        m.gauge("g_states", "states", List.of("state"), () -> {
            calls[0]++;
            return Map.of(List.of("running"), 2.0);
        });
        m.readCounter("c_read_total", "read", () -> {
            throw new IllegalStateException("unreadable");
        });
        String text = PrometheusText.write(m);
        assertTrue(text.contains("# TYPE engine_daemon_image_pull_latency_microseconds summary\n"
                + "engine_daemon_image_pull_latency_microseconds_sum{image=\"busybox:latest\"} 1500\n"
                + "engine_daemon_image_pull_latency_microseconds_count{image=\"busybox:latest\"} 1\n"), text);
        assertTrue(text.contains("# TYPE g_states gauge\ng_states{state=\"running\"} 2\n"), text);
        assertFalse(text.contains("c_read_total"), "a family that cannot be read is left out: " + text);
        PrometheusText.write(m);
        assertEquals(2, calls[0]);
    }
}
