package io.pouch.daemon.cri.runtime;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PodSandboxesMatchesTest {
    private static final Map<String, String> LABELS = Map.of("app", "web", "tier", "front");

    @Test
    void everySelectorEntryMustBeALabelWithThatValue() {
        assertTrue(PodSandboxes.matches(Map.of(), LABELS));
        assertTrue(PodSandboxes.matches(Map.of(), Map.of()));
        assertTrue(PodSandboxes.matches(Map.of("app", "web"), LABELS));
        assertTrue(PodSandboxes.matches(LABELS, LABELS));
        assertFalse(PodSandboxes.matches(Map.of("app", "db"), LABELS));
        assertFalse(PodSandboxes.matches(Map.of("app", "web", "zone", "a"), LABELS));
        assertFalse(PodSandboxes.matches(Map.of("app", ""), LABELS));
        assertFalse(PodSandboxes.matches(Map.of("app", "web"), Map.of()));
    }
}
