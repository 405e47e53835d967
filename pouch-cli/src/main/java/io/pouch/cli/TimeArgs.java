package io.pouch.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --since}/{@code --until} values as docker's GetTimestamp reads them: a Go duration relative to now
 * ("10m", "1h30m"), an RFC 3339 date or date-time, or a unix timestamp (passed through). The API wants
 * "seconds[.nanoseconds]".
 */
public final class TimeArgs {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Pattern UNIX = Pattern.compile("^\\d+(\\.\\d{1,9})?$");

    private TimeArgs() {
    }

    public static String timestamp(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        if (UNIX.matcher(v).matches()) {
            return v;
        }
        Duration d = goDuration(v);
        if (d != null) {
            return format(now.minus(d));
        }
        try {
            return format(OffsetDateTime.parse(v).toInstant());
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return format(LocalDateTime.parse(v).atZone(ZoneId.systemDefault()).toInstant());
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return format(LocalDate.parse(v).atStartOfDay(ZoneId.systemDefault()).toInstant());
        } catch (DateTimeParseException e) {
            throw new CliException("invalid value for time: \"" + value + "\"");
        }
    }

    static Duration goDuration(String s) {
        Matcher m = DURATION_PART.matcher(s);
        int pos = 0;
        double nanos = 0;
        while (m.find() && m.start() == pos) {
            double n = Double.parseDouble(m.group(1));
            nanos += n * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            pos = m.end();
        }
        return pos == s.length() && pos > 0 ? Duration.ofNanos((long) nanos) : null;
    }

    private static String format(Instant t) {
        return t.getEpochSecond() + "." + String.format("%09d", t.getNano());
    }
}
