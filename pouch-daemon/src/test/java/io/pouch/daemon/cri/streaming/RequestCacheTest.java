package io.pouch.daemon.cri.streaming;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestCacheTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final RequestCache cache = new RequestCache(now::get);
    private final StreamRequest request = new StreamRequest.PortForward("pod", List.of(80));

    @Test
    void aTokenIsSingleUse() {
        String token = cache.insert(request);
        assertTrue(token.matches("[A-Za-z0-9_-]{22}"), token);
        assertEquals(Optional.of(request), cache.consume(token));
        assertEquals(Optional.empty(), cache.consume(token));
        assertEquals(Optional.empty(), cache.consume("never-issued"));
    }

    @Test
    void aTokenExpiresAfterOneMinute() {
        String early = cache.insert(request);
        String late = cache.insert(request);
        now.addAndGet(RequestCache.TTL.toNanos());
        assertEquals(Optional.of(request), cache.consume(early), "valid up to the minute");
        now.addAndGet(1);
        assertEquals(Optional.empty(), cache.consume(late));
    }

    @Test
    void unclaimedGrantsAreBoundedAndExpiredOnesMakeRoom() {
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < RequestCache.MAX_IN_FLIGHT; i++) {
            tokens.add(cache.insert(request));
        }
        assertEquals(RequestCache.MAX_IN_FLIGHT, tokens.size(), "tokens are distinct");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.insert(request));
        assertTrue(e.getMessage().contains("too many streaming requests"), e.getMessage());
        now.addAndGet(RequestCache.TTL.toNanos() + 1);
        cache.insert(request);
    }
}
