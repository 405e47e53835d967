package io.pouch.daemon.network;

import io.pouch.api.PouchException;

/**
 * An IPv4 prefix such as 10.231.1.0/24, held as ints. IPv6 prefixes are {@link Cidr6}: every bridge network has an
 * IPv4 subnet, IPv6 is an addition (EnableIPv6).
 *
 * @param address the address as given (may have host bits, as a gateway "10.0.0.1/24" does)
 * @param prefix  prefix length 0..32
 */
public record Cidr(int address, int prefix) {

    public static Cidr parse(String s) {
        if (s == null || s.isEmpty()) {
            throw PouchException.invalidArgument("invalid CIDR address: " + s);
        }
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw PouchException.invalidArgument("invalid CIDR address: " + s);
        }
        int prefix;
        try {
            prefix = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw PouchException.invalidArgument("invalid CIDR address: " + s);
        }
        if (prefix < 0 || prefix > 32 || s.substring(slash + 1).startsWith("+")) {
            throw PouchException.invalidArgument("invalid CIDR address: " + s);
        }
        Integer a = parseAddress(s.substring(0, slash));
        if (a == null) {
            throw PouchException.invalidArgument("invalid CIDR address: " + s);
        }
        return new Cidr(a, prefix);
    }

    /** Dotted quad to int, or null when it is not one (no leading '+', no empty parts, each 0..255). */
    public static Integer parseAddress(String s) {
        if (s == null) {
            return null;
        }
        String[] p = s.split("\\.", -1);
        if (p.length != 4) {
            return null;
        }
        int v = 0;
        for (String part : p) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                return null;
            }
            int n = Integer.parseInt(part);
            if (n > 255) {
                return null;
            }
            v = (v << 8) | n;
        }
        return v;
    }

    public static String format(int a) {
        return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }

    public int mask() {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public int network() {
        return address & mask();
    }

    public int broadcast() {
        return network() | ~mask();
    }

    /** The prefix with host bits cleared, e.g. 10.231.1.0/24. */
    public Cidr canonical() {
        return new Cidr(network(), prefix);
    }

    public boolean contains(int a) {
        return (a & mask()) == network();
    }

    public boolean contains(Cidr other) {
        return other.prefix >= prefix && contains(other.network());
    }

    public boolean overlaps(Cidr other) {
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
