package io.pouch.cli.format;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Human-readable sizes and durations with the exact wording of docker's go-units. */
public final class Units {
    private static final String[] DECIMAL = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
    private static final Pattern RAM = Pattern.compile("^(\\d+(?:\\.\\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$");

    private Units() {
    }

    /** go-units HumanDuration: "Less than a second", "1 second", "About a minute", "3 hours", "2 weeks". */
    public static String humanDuration(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = d.toMinutes();
        if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = Math.round(d.toMillis() / 3_600_000.0); // Go rounds to the hour here
        if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return d.toHours() / 24 / 365 + " years";
    }

    /** go-units HumanSize: decimal units, 3 significant digits: "4.26MB", "0B", "1.5kB". */
    public static String humanSize(double size) {
        return withUnits(size, 1000, DECIMAL);
    }

    /** go-units BytesSize: binary units, as in {@code info}'s "Total Memory: 7.63GiB". */
    public static String bytesSize(double size) {
        return withUnits(size, 1024, BINARY);
    }

    private static String withUnits(double size, double base, String[] units) {
        int i = 0;
        while (size >= base && i < units.length - 1) {
            size /= base;
            i++;
        }
        return significant3(size) + units[i];
    }

    /** Go's %.3g for values below 1000: three significant digits, no trailing zeros. */
    static String significant3(double v) {
        if (v == 0) {
            return "0";
        }
        BigDecimal bd = new BigDecimal(v).round(new MathContext(3, RoundingMode.HALF_EVEN)).stripTrailingZeros();
        return bd.toPlainString();
    }

    /**
     * go-units RAMInBytes, used by {@code -m/--memory}: "512m", "1g", "1.5GB", "1024" (bytes); units are binary.
     *
     * @throws IllegalArgumentException with docker's wording for anything else
     */
    public static long ramInBytes(String s) {
        Matcher m = RAM.matcher(s.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size: '" + s + "'");
        }
        BigDecimal n = new BigDecimal(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        long mult = switch (unit) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            case "t" -> 1L << 40;
            case "p" -> 1L << 50;
            default -> 1L;
        };
        return n.multiply(BigDecimal.valueOf(mult)).longValue();
    }

    /** Shortens {@code s} to {@code max} characters, the last one an ellipsis (docker's stringutils.Ellipsis). */
    public static String ellipsis(String s, int max) {
        int len = s.codePointCount(0, s.length());
        if (len <= max) {
            return s;
        }
        if (max <= 1) {
            return s.substring(0, s.offsetByCodePoints(0, max));
        }
        return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
    }

    /** Image and container IDs as the tables show them: no "sha256:", 12 hex digits. */
    public static String shortId(String id) {
        if (id == null) {
            return "";
        }
        int colon = id.indexOf(':');
        String hex = colon >= 0 ? id.substring(colon + 1) : id;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }
}
