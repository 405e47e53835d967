package io.pouch.daemon.api;

import io.pouch.api.PouchException;

/** An Engine API version such as 1.47, compared numerically (1.9 &lt; 1.24). */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
    /** What we serve: the docker CLI uses min(this, its own maximum). */
    public static final ApiVersion CURRENT = new ApiVersion(1, 47);
    public static final ApiVersion MINIMUM = new ApiVersion(1, 24);

    public static ApiVersion parse(String text) {
        int dot = text.indexOf('.');
        try {
            if (dot <= 0) {
                throw new NumberFormatException(text);
            }
            return new ApiVersion(Integer.parseInt(text.substring(0, dot)), Integer.parseInt(text.substring(dot + 1)));
        } catch (NumberFormatException e) {
            throw PouchException.invalidArgument("invalid API version \"" + text + "\"");
        }
    }

    /** Checks a client's requested version against the range we serve, with dockerd's wording. */
    public static ApiVersion negotiate(String requested) {
        ApiVersion v = parse(requested);
        if (v.compareTo(CURRENT) > 0) {
            throw PouchException.invalidArgument("client version " + requested
                    + " is too new. Maximum supported API version is " + CURRENT);
        }
        if (v.compareTo(MINIMUM) < 0) {
            throw PouchException.invalidArgument("client version " + requested
                    + " is too old. Minimum supported API version is " + MINIMUM
                    + ", please upgrade your client to a newer version");
        }
        return v;
    }

    public boolean atLeast(int maj, int min) {
        return compareTo(new ApiVersion(maj, min)) >= 0;
    }

    @Override
    public int compareTo(ApiVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
