package io.pouch.daemon.metrics;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Prometheus' text exposition format 0.0.4: {@code # HELP} and {@code # TYPE} lines, then one line per series.
 * Written here rather than with a client library: the format is a few lines of rules, and the engine records
 * only counters, histograms and quantile-less summaries.
 */
public final class PrometheusText {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Logger LOG = Logger.getLogger(PrometheusText.class.getName());

    private PrometheusText() {
    }

    /** Every family of {@code metrics}, series sorted by their label values so two scrapes list them alike. */
    public static String write(Metrics metrics) {
        StringBuilder b = new StringBuilder(4096);
        for (Metrics.Family f : metrics.families()) {
            switch (f) {
                case Metrics.Counter c -> {
                    header(b, c, "counter");
                    sorted(c.series()).forEach(e -> line(b, c.name(), c.labelNames(), e.getKey(), null,
                            e.getValue().sum()));
                }
                case Metrics.Histogram h -> {
                    header(b, h, "histogram");
                    for (var e : sorted(h.series())) {
                        long[] cumulative = e.getValue().cumulative();
                        for (int i = 0; i < cumulative.length; i++) {
                            line(b, h.name() + "_bucket", h.labelNames(), e.getKey(), number(h.buckets()[i]),
                                    cumulative[i]);
                        }
                        line(b, h.name() + "_bucket", h.labelNames(), e.getKey(), "+Inf", e.getValue().count());
                        line(b, h.name() + "_sum", h.labelNames(), e.getKey(), null, e.getValue().sum());
                        line(b, h.name() + "_count", h.labelNames(), e.getKey(), null, e.getValue().count());
                    }
                }
                case Metrics.Summary s -> {
                    header(b, s, "summary");
                    for (var e : sorted(s.series())) {
                        line(b, s.name() + "_sum", s.labelNames(), e.getKey(), null, e.getValue().sum());
                        line(b, s.name() + "_count", s.labelNames(), e.getKey(), null, e.getValue().count());
                    }
                }
                case Metrics.Gauge g -> {
                    Map<List<String>, Double> values;
                    try {
                        values = g.read().get();
                    } catch (RuntimeException e) {
                        LOG.log(Level.FINE, "metric " + g.name() + " could not be read", e);
                        continue;
                    }
                    header(b, g, g.counter() ? "counter" : "gauge");
                    sorted(values).forEach(e -> line(b, g.name(), g.labelNames(), e.getKey(), null, e.getValue()));
                }
            }
        }
        return b.toString();
    }

    private static void header(StringBuilder b, Metrics.Family f, String type) {
        b.append("# HELP ").append(f.name()).append(' ').append(escapeHelp(f.help())).append('\n');
        b.append("# TYPE ").append(f.name()).append(' ').append(type).append('\n');
    }

    private static <V> List<Map.Entry<List<String>, V>> sorted(Map<List<String>, V> series) {
        List<Map.Entry<List<String>, V>> out = new ArrayList<>(series.entrySet());
        out.sort((x, y) -> String.join("\u0000", x.getKey()).compareTo(String.join("\u0000", y.getKey())));
        return out;
    }

    /** {@code name{a="x",le="0.5"} value}; {@code le} is the histogram bucket's bound, null elsewhere. */
    private static void line(StringBuilder b, String name, List<String> labelNames, List<String> values, String le,
                             double value) {
        b.append(name);
        if (!labelNames.isEmpty() || le != null) {
            b.append('{');
            for (int i = 0; i < labelNames.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(labelNames.get(i)).append("=\"").append(escapeLabel(values.get(i))).append('"');
            }
            if (le != null) {
                b.append(labelNames.isEmpty() ? "" : ",").append("le=\"").append(le).append('"');
            }
            b.append('}');
        }
        b.append(' ').append(number(value)).append('\n');
    }

    /** A label value: backslash, double quote and line feed escaped. */
    static String escapeLabel(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** A help text: backslash and line feed escaped (quotes stay). */
    static String escapeHelp(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /**
     * A value as Go's {@code strconv.FormatFloat(v, 'g', -1, 64)} writes it, which the Go client uses: shortest
     * digits, an exponent below 1e-4 and from 1e21 ({@code 1e-05}, {@code 1.5e+21}), {@code +Inf}, {@code NaN}.
     */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        int exponent = d.precision() - d.scale() - 1;
        if (exponent >= -4 && exponent < 21) {
            return d.toPlainString();
        }
        String digits = d.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (v < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    }
}
