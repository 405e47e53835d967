package io.pouch.daemon.container.health;

import java.math.BigDecimal;
import java.time.Duration;

/** A duration written as Go's {@code time.Duration.String()} writes it ({@code 300ms}, {@code 30s}, {@code 1m30s}). */
final class GoDuration {
    private GoDuration() {
    }

    static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        long n = Math.abs(nanos);
        if (n < 1_000) {
            return sign + n + "ns";
        }
        if (n < 1_000_000) {
            return sign + decimal(n, 3) + "µs";
        }
        if (n < 1_000_000_000) {
            return sign + decimal(n, 6) + "ms";
        }
        long hours = n / 3_600_000_000_000L;
        long minutes = n / 60_000_000_000L % 60;
        String seconds = decimal(n % 60_000_000_000L, 9) + "s";
        if (hours > 0) {
            return sign + hours + "h" + minutes + "m" + seconds;
        }
        return minutes > 0 ? sign + minutes + "m" + seconds : sign + seconds;
    }

    /** {@code v / 10^scale} without trailing zeros. */
    private static String decimal(long v, int scale) {
        return BigDecimal.valueOf(v, scale).stripTrailingZeros().toPlainString();
    }
}
