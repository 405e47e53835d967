package io.pouch.daemon.logs;

import io.pouch.api.PouchException;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Go's time formats as Docker uses them for logs. */
public final class LogTimes {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private LogTimes() {
    }

    /** Go's RFC3339Nano (trailing zeros of the fraction trimmed), as in json-file's {@code "time"} field. */
    public static String rfc3339Nano(Instant t) {
        StringBuilder sb = new StringBuilder(32).append(SECONDS.format(t));
        int nanos = t.getNano();
        if (nanos != 0) {
            String frac = String.format("%09d", nanos);
            int end = frac.length();
            while (frac.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(frac, 0, end);
        }
        return sb.append('Z').toString();
    }

    /** Docker's RFC3339NanoFixed (always 9 fraction digits), the prefix of {@code docker logs --timestamps}. */
    public static String rfc3339NanoFixed(Instant t) {
        return SECONDS.format(t) + '.' + String.format("%09d", t.getNano()) + 'Z';
    }

    /**
     * A {@code since}/{@code until} query value: unix seconds with an optional fraction ({@code 1700000000},
     * {@code 1700000000.123456789}, what the docker CLI sends) or an RFC3339 time. Empty means none (null).
     */
    public static Instant parseQueryTime(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            if (value.matches("-?\\d+(\\.\\d{1,9})?")) {
                BigDecimal d = new BigDecimal(value);
                long secs = d.longValue();
                int nanos = d.subtract(BigDecimal.valueOf(secs)).movePointRight(9).intValue();
                return Instant.ofEpochSecond(secs, nanos);
            }
            return Instant.parse(value);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw PouchException.invalidArgument("invalid value for \"" + name + "\": \"" + value
                    + "\" is neither unix seconds (e.g. 1700000000.5) nor an RFC3339 time");
        }
    }
}
