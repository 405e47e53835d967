package io.pouch.daemon.cri.streaming;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Granted streaming sessions by their URL token. A token is random, single-use and valid for one minute (as
 * kubelet's): the URL a CRI call returns is a capability, so it must not be guessable nor replayable.
 */
final class RequestCache {
    static final Duration TTL = Duration.ofMinutes(1);
    /** Bounds what unclaimed grants can hold: a caller that never connects cannot grow the cache without end. */
    static final int MAX_IN_FLIGHT = 1000;

    private record Entry(StreamRequest request, long expiresAtNanos) {
    }

    private final SecureRandom random = new SecureRandom();
    private final LongSupplier nanoClock;
    /** Insertion order is expiry order (one TTL for all), so expired entries are at the head. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    RequestCache() {
        this(System::nanoTime);
    }

    RequestCache(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Stores {@code request} and returns its new token; refuses when too many grants are unclaimed. */
    synchronized String insert(StreamRequest request) {
        long now = nanoClock.getAsLong();
        dropExpired(now);
        if (entries.size() >= MAX_IN_FLIGHT) {
            throw new IllegalStateException("too many streaming requests in flight (" + MAX_IN_FLIGHT
                    + "): wait for earlier ones to be used or to expire");
        }
        String token;
        do {
            byte[] raw = new byte[16];
            random.nextBytes(raw);
            token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        } while (entries.containsKey(token));
        entries.put(token, new Entry(request, now + TTL.toNanos()));
        return token;
    }

    /** The request under {@code token}, removed so the token cannot be used again; empty if unknown or expired. */
    synchronized Optional<StreamRequest> consume(String token) {
        Entry e = entries.remove(token);
        if (e == null || nanoClock.getAsLong() - e.expiresAtNanos() > 0) {
            return Optional.empty();
        }
        return Optional.of(e.request());
    }

    private void dropExpired(long now) {
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            if (now - it.next().getValue().expiresAtNanos() <= 0) {
                return;
            }
            it.remove();
        }
    }
}
