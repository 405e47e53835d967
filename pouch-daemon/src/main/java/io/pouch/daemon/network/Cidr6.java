package io.pouch.daemon.network;

import io.pouch.api.PouchException;

import java.math.BigInteger;
import java.net.Inet6Address;

/**
 * An IPv6 prefix such as fd12:3456:789a::/64, held as a 128-bit number. Addresses are read with the JDK's literal
 * parser ({@link Inet6Address#ofLiteral}, which never looks a name up) and written in RFC 5952's short form, as
 * Docker shows them.
 *
 * @param address the address as given (may have host bits, as a gateway's "fd00::1/64" does)
 * @param prefix  prefix length 0..128
 */
public record Cidr6(BigInteger address, int prefix) {
    private static final BigInteger ALL = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    /** @throws PouchException 400 {@code invalid CIDR address: s} when s is not an IPv6 prefix */
    public static Cidr6 parse(String s) {
        int slash = s == null ? -1 : s.indexOf('/');
        if (slash < 0) {
            throw PouchException.invalidArgument("invalid CIDR address: " + s);
        }
        String bits = s.substring(slash + 1);
        BigInteger a = parseAddress(s.substring(0, slash));
        if (a == null || bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)
                || Integer.parseInt(bits) > 128) {
            throw PouchException.invalidArgument("invalid CIDR address: " + s);
        }
        return new Cidr6(a, Integer.parseInt(bits));
    }

    /** Whether s looks like an IPv6 address or prefix (it has a colon); IPv4 ones never do. */
    public static boolean isV6(String s) {
        return s != null && s.contains(":");
    }

    /** An IPv6 literal (no brackets, no zone) to its number, or null when it is not one. */
    public static BigInteger parseAddress(String s) {
        if (s == null || s.isEmpty() || !s.contains(":") || s.contains("%") || s.contains("[")) {
            return null;
        }
        try {
            // IPv4-mapped literals come back as Inet4Address: they are not IPv6 addresses of a network
            if (Inet6Address.ofLiteral(s) instanceof Inet6Address a) {
                return new BigInteger(1, a.getAddress());
            }
        } catch (IllegalArgumentException e) {
            // not an IPv6 literal
        }
        return null;
    }

    /** RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups as "::". */
    public static String format(BigInteger a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = a.shiftRight(112 - 16 * i).intValue() & 0xffff;
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!b.isEmpty() && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(g[i]));
        }
        return b.toString();
    }

    /** An address in canonical form ("FD00:0::01" to "fd00::1"), or null when it is not an IPv6 literal. */
    public static String canonicalAddress(String s) {
        BigInteger a = parseAddress(s);
        return a == null ? null : format(a);
    }

    public BigInteger mask() {
        return ALL.shiftRight(prefix).xor(ALL);
    }

    public BigInteger network() {
        return address.and(mask());
    }

    /** The highest address of the prefix. */
    public BigInteger last() {
        return network().or(ALL.shiftRight(prefix));
    }

    /** The prefix with host bits cleared. */
    public Cidr6 canonical() {
        return new Cidr6(network(), prefix);
    }

    public boolean contains(BigInteger a) {
        return a.and(mask()).equals(network());
    }

    public boolean contains(Cidr6 other) {
        return other.prefix >= prefix && contains(other.network());
    }

    public boolean overlaps(Cidr6 other) {
        return contains(other.network()) || other.contains(network());
    }

    public String addressString() {
        return format(address);
    }

    @Override
    public String toString() {
        return format(address) + "/" + prefix;
    }
}
