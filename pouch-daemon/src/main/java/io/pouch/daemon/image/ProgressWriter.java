package io.pouch.daemon.image;

import io.pouch.api.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * dockerd's JSON progress stream (jsonmessage): one object per line, {@code status}/{@code id}, and for byte
 * counts {@code progressDetail{current,total}} plus the rendered {@code progress} bar. Thread-safe: parallel
 * layer downloads write through one instance. A write to a client that went away is remembered, not thrown,
 * so a pull another client shares keeps going.
 */
final class ProgressWriter {
    private final OutputStream out;
    private volatile boolean broken;

    ProgressWriter(OutputStream out) {
        this.out = out;
    }

    void status(String status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        write(m);
    }

    void status(String id, String status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        m.put("progressDetail", Map.of());
        m.put("id", id);
        write(m);
    }

    void progress(String id, String status, long current, long total) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("current", current);
        detail.put("total", total);
        m.put("progressDetail", detail);
        m.put("progress", bar(current, total));
        m.put("id", id);
        write(m);
    }

    void aux(Map<String, Object> aux) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("progressDetail", Map.of());
        m.put("aux", aux);
        write(m);
    }

    void error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("errorDetail", Map.of("message", message));
        m.put("error", message);
        write(m);
    }

    boolean broken() {
        return broken;
    }

    private synchronized void write(Map<String, Object> m) {
        if (broken) {
            return;
        }
        try {
            out.write(Json.MAPPER.writeValueAsBytes(m));
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            broken = true;
        }
    }

    /** {@code [==>      ]  32.77kB/2.001MB}, as jsonmessage renders it (50 columns). */
    static String bar(long current, long total) {
        if (total <= 0) {
            return String.format("%8s", humanSize(current));
        }
        int n = (int) Math.min(50, current * 50 / total);
        String b = "[" + "=".repeat(n) + ">" + " ".repeat(50 - n) + "] ";
        return b + String.format("%8s/%s", humanSize(current), humanSize(total));
    }

    /** Go's units.HumanSize: decimal units, four significant digits, no trailing zeros. */
    static String humanSize(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int i = 0;
        while (v >= 1000 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros();
        return d.toPlainString() + units[i];
    }
}
