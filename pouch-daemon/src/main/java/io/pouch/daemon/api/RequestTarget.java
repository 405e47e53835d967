package io.pouch.daemon.api;

import io.pouch.api.PouchException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The path part of a request target, taken apart: the optional {@code /vX.Y} prefix (negotiated against the range
 * we serve) and the remaining segments, each percent-decoded on its own. Decoding per segment is what lets both
 * clients name images with slashes: docker-java sends {@code a%2Fb} inside one segment, the docker CLI sends
 * {@code a/b} as two; the router's {@code {name*}} joins segments with '/' so both end up as {@code a/b}.
 *
 * @param version  negotiated version, {@link ApiVersion#CURRENT} when the path has no prefix
 * @param segments decoded segments, empty ones (double or trailing slashes) dropped
 */
public record RequestTarget(ApiVersion version, List<String> segments) {
    /** Docker's router accepts {@code /v} followed by digits and dots; anything else is an ordinary segment. */
    private static final Pattern VERSION_SEGMENT = Pattern.compile("v[0-9.]+");

    /** Parses a raw request URI (path and optional query). Throws a 400 PouchException for bad input. */
    public static RequestTarget parse(String uri) {
        String rawPath = uri;
        int q = rawPath.indexOf('?');
        if (q >= 0) {
            rawPath = rawPath.substring(0, q);
        }
        int hash = rawPath.indexOf('#');
        if (hash >= 0) {
            rawPath = rawPath.substring(0, hash);
        }
        List<String> raw = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                raw.add(s);
            }
        }
        ApiVersion version = ApiVersion.CURRENT;
        if (!raw.isEmpty() && VERSION_SEGMENT.matcher(raw.getFirst()).matches()) {
            version = ApiVersion.negotiate(raw.removeFirst().substring(1));
        }
        List<String> decoded = new ArrayList<>(raw.size());
        for (String s : raw) {
            decoded.add(decodeSegment(s));
        }
        return new RequestTarget(version, List.copyOf(decoded));
    }

    /** The decoded path without version prefix, e.g. {@code /images/a/b/json}. */
    public String path() {
        return "/" + String.join("/", segments);
    }

    /** Percent-decoding for a path segment: unlike a query, '+' is a literal plus here. */
    static String decodeSegment(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw PouchException.invalidArgument("invalid path segment \"" + segment + "\": " + e.getMessage());
        }
    }
}
