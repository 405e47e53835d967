package io.pouch.daemon.config;

import io.pouch.api.PouchException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes in config keys and flags: bytes, or with a binary unit ({@code 512k}, {@code 100m}, {@code 4MiB}, {@code 1GiB}). */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /**
     * @param name how the message names the setting ({@code build-context-limit}, {@code --p2p-piece-size})
     * @param min  the smallest size taken (0 or 1)
     * @throws PouchException 400 naming the setting and the bad value
     */
    static long parse(String name, Object v, long min) {
        Matcher m = SIZE.matcher(v.toString().trim());
        if (!m.matches()) {
            throw PouchException.invalidArgument("invalid " + name + " " + v + ": a size in bytes is expected"
                    + " (a number, optionally with k, m, g or t: 100m, 4g)");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        try {
            long n = Long.parseLong(m.group(1));
            if (n < min || n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw PouchException.invalidArgument("invalid " + name + " " + v + ": it must be at least " + min
                    + (min == 1 ? " byte" : " bytes") + " and below 8 EiB");
        }
    }
}
