package io.pouch.daemon.quota;

import io.pouch.api.PouchException;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pouch's quota sizes: a number, optionally decimal, and a unit K, M, G, T, P or E (with or without a trailing
 * {@code B} or {@code iB}, any case), each a power of 1024 as Pouch's byte format reads them; no unit means bytes.
 */
public final class QuotaSize {
    private static final Pattern SIZE = Pattern.compile("^(\\d+(?:\\.\\d+)?)\\s*([KMGTPE]I?B?|B?)$",
            Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "BKMGTPE";

    private QuotaSize() {
    }

    /**
     * @param what names the value in the error ({@code DiskQuota "/"}, {@code volume option size})
     * @return the size in bytes, above 0
     * @throws PouchException 400 naming {@code what} and the value
     */
    public static long parse(String what, String size) {
        Matcher m = size == null ? null : SIZE.matcher(size.strip());
        if (m == null || !m.matches()) {
            throw PouchException.invalidArgument(what + ": invalid size \"" + size + "\": give a number of bytes"
                    + " with an optional unit K, M, G, T, P or E (10g, 512MB, 1.5GiB)");
        }
        String unit = m.group(2).toUpperCase(Locale.ROOT);
        int power = unit.isEmpty() || unit.equals("B") ? 0 : UNITS.indexOf(unit.charAt(0));
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1024).pow(power));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw PouchException.invalidArgument(what + ": size \"" + size + "\" is too large");
        }
        long b = bytes.longValue();
        if (b <= 0) {
            throw PouchException.invalidArgument(what + ": size \"" + size + "\" must be above 0");
        }
        return b;
    }
}
