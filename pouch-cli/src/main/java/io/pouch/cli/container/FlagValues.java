package io.pouch.cli.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.cli.CliException;
import io.pouch.cli.format.Units;

import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value types of run/create flags as the docker CLI reads them (go-units sizes, Go durations, KEY=VALUE maps)
 * and its wording for a value it cannot read: {@code invalid argument "V" for "--flag" flag: why}, exit 125.
 */
final class FlagValues {
    private static final Pattern NUMBER = Pattern.compile("\\d*(?:\\.\\d*)?");

    private FlagValues() {
    }

    static CliException invalid(String flag, String value, String why) {
        return new CliException("invalid argument \"" + value + "\" for \"" + flag + "\" flag: " + why, 125);
    }

    /** A go-units size ("64m", "1g", "1024"), as docker's {@code bytes} flags; null when the flag is not given. */
    static Long bytes(String flag, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Units.ramInBytes(value);
        } catch (IllegalArgumentException e) {
            throw invalid(flag, value, e.getMessage());
        }
    }

    /** {@code --memory-swap}: a size, or -1 for unlimited swap. */
    static Long memSwap(String flag, String value) {
        if ("-1".equals(value)) {
            return -1L;
        }
        return bytes(flag, value);
    }

    /**
     * A Go {@code time.Duration} ("30s", "1m30s", "500ms", "1.5h", "0"), in nanoseconds as the API wants it.
     */
    static Long duration(String flag, String value) {
        if (value == null) {
            return null;
        }
        String s = value;
        boolean negative = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            negative = s.startsWith("-");
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return 0L;
        }
        if (s.isEmpty()) {
            throw invalid(flag, value, "time: invalid duration \"" + value + "\"");
        }
        BigDecimal total = BigDecimal.ZERO;
        int at = 0;
        while (at < s.length()) {
            Matcher number = NUMBER.matcher(s).region(at, s.length());
            if (!number.lookingAt() || number.group().equals(".") || number.group().isEmpty()) {
                throw invalid(flag, value, "time: invalid duration \"" + value + "\"");
            }
            at = number.end();
            int unitEnd = at;
            while (unitEnd < s.length() && s.charAt(unitEnd) != '.' && !Character.isDigit(s.charAt(unitEnd))) {
                unitEnd++;
            }
            String unitName = s.substring(at, unitEnd);
            if (unitName.isEmpty()) {
                throw invalid(flag, value, "time: missing unit in duration \"" + value + "\"");
            }
            long unit = switch (unitName) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> throw invalid(flag, value, "time: unknown unit \"" + unitName + "\" in duration \""
                        + value + "\"");
            };
            String n = number.group();
            total = total.add(new BigDecimal(n.startsWith(".") ? "0" + n : n.endsWith(".") ? n + "0" : n)
                    .multiply(BigDecimal.valueOf(unit)));
            at = unitEnd;
        }
        long nanos = total.longValue();
        return negative ? -nanos : nanos;
    }

    /** A signed 64-bit integer flag given as text, as pflag's Int64 reads it. */
    static long int64(String flag, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw invalid(flag, value, "strconv.ParseInt: parsing \"" + value + "\": invalid syntax");
        }
    }

    /** KEY=VALUE items into an object; an item without '=' maps KEY to "" (docker's ConvertKVStringsToMap). */
    static void putMap(ObjectNode into, String field, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        ObjectNode map = into.putObject(field);
        for (String item : items) {
            int eq = item.indexOf('=');
            map.put(eq < 0 ? item : item.substring(0, eq), eq < 0 ? "" : item.substring(eq + 1));
        }
    }

    static void putStrings(ObjectNode into, String field, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode a = into.putArray(field);
            values.forEach(a::add);
        }
    }

    static void putString(ObjectNode into, String field, String value) {
        if (value != null && !value.isEmpty()) {
            into.put(field, value);
        }
    }

    static void putLong(ObjectNode into, String field, Long value) {
        if (value != null) {
            into.put(field, value);
        }
    }
}
