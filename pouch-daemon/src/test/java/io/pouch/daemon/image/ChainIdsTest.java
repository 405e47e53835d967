package io.pouch.daemon.image;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ChainIdsTest {
    @Test
    void chainOfLayers() {
        String a = "sha256:" + "a".repeat(64);
        String b = "sha256:" + "b".repeat(64);
        String c = "sha256:" + "c".repeat(64);
        List<String> chain = ChainIds.of(List.of(a, b, c));
        assertEquals(a, chain.get(0));
        assertEquals(ChainIds.sha256(a + " " + b), chain.get(1));
        assertEquals(ChainIds.sha256(chain.get(1) + " " + c), chain.get(2));
        assertEquals(chain.get(2), ChainIds.top(List.of(a, b, c)));
        assertNull(ChainIds.top(List.of()));
    }

    @Test
    void knownValue() {
        // sha256("sha256:aaa... sha256:bbb...") computed with coreutils: printf '%s' ... | sha256sum
        String a = "sha256:" + "a".repeat(64);
        String b = "sha256:" + "b".repeat(64);
        assertEquals(KNOWN, ChainIds.of(List.of(a, b)).get(1));
    }

    static final String KNOWN = "sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c";
}
