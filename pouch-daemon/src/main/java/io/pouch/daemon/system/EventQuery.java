package io.pouch.daemon.system;

import io.pouch.api.PouchException;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.query.Filters;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of {@code GET /events}: an optional replay window ({@code since}, {@code until}, in nanoseconds
 * since the epoch, null when absent) and the filters, matched the way dockerd's events filter does.
 */
public record EventQuery(Long sinceNanos, Long untilNanos, Filters filters) {
    /** Keys whose value is matched against the actor's ID or name attribute (by prefix), for that event type. */
    private static final Set<String> NAME_KEYS =
            Set.of("container", "network", "volume", "plugin", "daemon", "node", "service", "secret", "config");
    static final Set<String> ALLOWED;

    static {
        var s = new HashSet<>(NAME_KEYS);
        s.addAll(Set.of("type", "event", "image", "label", "scope"));
        ALLOWED = Set.copyOf(s);
    }

    public static EventQuery parse(String since, String until, String filters) {
        return new EventQuery(timestamp("since", since), timestamp("until", until),
                Filters.parse(filters).validate(ALLOWED));
    }

    /**
     * A point in time as clients send it: unix seconds with an optional fraction ({@code 1700000000.5}, the
     * docker CLI's form) or RFC 3339. Returns nanoseconds, or null for an absent value.
     */
    static Long timestamp(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            BigDecimal seconds = new BigDecimal(v);
            return seconds.movePointRight(9).longValue();
        } catch (NumberFormatException | ArithmeticException e) {
            // not a number: try RFC 3339 below
        }
        try {
            var t = OffsetDateTime.parse(v).toInstant();
            return t.getEpochSecond() * 1_000_000_000L + t.getNano();
        } catch (DateTimeParseException e) {
            throw PouchException.invalidArgument("invalid value for " + name + ": \"" + value
                    + "\" is neither unix seconds nor an RFC 3339 time");
        }
    }

    /** Events from the history are replayed only when a window was asked for, and only inside it. */
    public boolean replays(Event e) {
        if (sinceNanos == null && untilNanos == null) {
            return false;
        }
        return (sinceNanos == null || e.timeNano() >= sinceNanos) && (untilNanos == null || e.timeNano() <= untilNanos);
    }

    /** True when {@code until} is given and has passed at {@code nowNanos}: the stream ends. */
    public boolean ended(long nowNanos) {
        return untilNanos != null && nowNanos >= untilNanos;
    }

    public boolean matches(Event e) {
        Map<String, String> attrs = e.actor() != null && e.actor().attributes() != null ? e.actor().attributes() : Map.of();
        String id = e.actor() != null ? e.actor().id() : null;
        if (!matchAction(e.action())) {
            return false;
        }
        if (!filters.matchesExact("type", e.type()) || !filters.matchesExact("scope", e.scope())) {
            return false;
        }
        for (String key : NAME_KEYS) {
            if (filters.has(key) && !fuzzy(filters.get(key), id) && !fuzzy(filters.get(key), attrs.get("name"))) {
                return false;
            }
        }
        if (filters.has("image") && !matchImage(e, id, attrs)) {
            return false;
        }
        return filters.matchesLabels("label", attrs);
    }

    /** dockerd matches actions exactly, except that {@code exec_start} also matches {@code exec_start: sh -c ...}. */
    private boolean matchAction(String action) {
        if (!filters.has("event")) {
            return true;
        }
        for (String want : filters.get("event")) {
            if (want.equals(action) || action != null && action.startsWith(want + ":")) {
                return true;
            }
        }
        return false;
    }

    private boolean matchImage(Event e, String id, Map<String, String> attrs) {
        String name = attrs.get("image".equals(e.type()) ? "name" : "image");
        List<String> wanted = filters.get("image");
        for (String w : wanted) {
            if (w.equals(id) || w.equals(name) || w.equals(stripTag(id)) || w.equals(stripTag(name))) {
                return true;
            }
        }
        return false;
    }

    private static boolean fuzzy(List<String> wanted, String source) {
        if (source == null) {
            return false;
        }
        for (String w : wanted) {
            if (source.startsWith(w)) {
                return true;
            }
        }
        return false;
    }

    /** busybox:latest → busybox, reg:5000/a/b:1 → reg:5000/a/b, name@sha256:... → name. */
    static String stripTag(String ref) {
        if (ref == null) {
            return null;
        }
        int at = ref.indexOf('@');
        String r = at >= 0 ? ref.substring(0, at) : ref;
        int colon = r.lastIndexOf(':');
        return colon > r.lastIndexOf('/') ? r.substring(0, colon) : r;
    }
}
