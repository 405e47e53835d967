package io.pouch.daemon.query;

import io.pouch.api.PouchException;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code until} filter of the prune endpoints, read as dockerd reads it (its {@code GetTimestamp}): a Go
 * duration before now ({@code 24h}, {@code 1h30m}, {@code 90s}), an RFC 3339 time (a date, hour or minute alone
 * too; without a zone it is the daemon's local time), or unix seconds with an optional fraction.
 */
public final class PruneUntil {
    private static final Pattern DURATION = Pattern.compile("([-+]?)((?:\\d*\\.?\\d+(?:ns|us|µs|μs|ms|s|m|h))+)");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d*\\.?\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final Pattern UNIX = Pattern.compile("-?\\d+(\\.\\d{1,9})?");

    private PruneUntil() {
    }

    /** Empty without an {@code until} filter; a 400 with dockerd's message for two of them or one it cannot read. */
    public static Optional<Instant> of(Filters filters, Instant now, ZoneId local) {
        List<String> values = filters.get("until");
        if (values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw PouchException.invalidArgument("more than one until filter specified");
        }
        return Optional.of(parse(values.getFirst(), now, local));
    }

    static Instant parse(String value, Instant now, ZoneId local) {
        Matcher d = DURATION.matcher(value);
        if (!value.equals("0") && d.matches()) {
            BigDecimal nanos = BigDecimal.ZERO;
            Matcher part = DURATION_PART.matcher(d.group(2));
            while (part.find()) {
                nanos = nanos.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(unitNanos(part.group(2)))));
            }
            long n = nanos.setScale(0, RoundingMode.DOWN).longValueExact();
            return d.group(1).equals("-") ? now.plusNanos(n) : now.minusNanos(n);
        }
        try {
            if (UNIX.matcher(value).matches()) {
                BigDecimal s = new BigDecimal(value);
                long secs = s.setScale(0, RoundingMode.FLOOR).longValueExact();
                int frac = s.subtract(BigDecimal.valueOf(secs)).movePointRight(9).intValue();
                return Instant.ofEpochSecond(secs, frac);
            }
            boolean zoned = value.chars().anyMatch(ch -> ch == 'z' || ch == 'Z' || ch == '+')
                    || value.chars().filter(ch -> ch == '-').count() == 3;
            if (zoned) {
                return OffsetDateTime.parse(value.replace('z', 'Z'), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            }
            if (!value.contains("T")) {
                return LocalDate.parse(value).atStartOfDay(local).toInstant();
            }
            String full = switch ((int) value.chars().filter(ch -> ch == ':').count()) {
                case 0 -> value + ":00:00";
                case 1 -> value + ":00";
                default -> value;
            };
            return LocalDateTime.parse(full).atZone(local).toInstant();
        } catch (DateTimeException | ArithmeticException e) {
            throw PouchException.invalidArgument("failed to parse value as time or duration: \"" + value + "\"");
        }
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
        };
    }
}
