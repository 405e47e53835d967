package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerState;
import io.pouch.api.container.Health;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.image.LocalImage;
import io.pouch.daemon.query.Filters;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The health in ps's Status column and the {@code health} filter of {@code GET /containers/json}. */
class HealthViewsTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:10Z");
    private static final ContainerState RUNNING = new ContainerState("running", true, false, false, false, false, 1,
            0, "", "2026-01-01T00:00:07Z", ContainerState.ZERO_TIME);

    private static Health health(String status) {
        return new Health(status, 0, List.of());
    }

    @Test
    void psShowsTheHealthOfARunningContainerAsDocker() {
        assertEquals("Up 3 seconds (health: starting)", StatusText.of(RUNNING, false, NOW, health("starting")));
        assertEquals("Up 3 seconds (healthy)", StatusText.of(RUNNING, false, NOW, health("healthy")));
        assertEquals("Up 3 seconds (unhealthy)", StatusText.of(RUNNING, false, NOW, health("unhealthy")));
        assertEquals("Up 3 seconds", StatusText.of(RUNNING, false, NOW, null));
        ContainerState paused = new ContainerState("paused", true, true, false, false, false, 1, 0, "",
                "2026-01-01T00:00:07Z", ContainerState.ZERO_TIME);
        assertEquals("Up 3 seconds (Paused)", StatusText.of(paused, false, NOW, health("unhealthy")));
        ContainerState exited = new ContainerState("exited", false, false, false, false, false, 0, 137, "",
                "2026-01-01T00:00:01Z", "2026-01-01T00:00:07Z");
        assertEquals("Exited (137) 3 seconds ago", StatusText.of(exited, false, NOW, health("unhealthy")));
    }

    @Test
    void createMergesTheImagesHealthcheckFieldByField() {
        ContainerConfig.HealthConfig image = new ContainerConfig.HealthConfig(List.of("CMD-SHELL", "exit 0"),
                2_000_000_000L, 0, 3_000_000_000L, 0, 7);
        LocalImage.RunConfig ic = new LocalImage.RunConfig(null, null, null, List.of("sh"), null, null, null, null,
                null, image);
        ContainerConfig user = ContainerConfig.builder().image("x")
                .healthcheck(new ContainerConfig.HealthConfig(List.of(), 1_000_000_000L, 0, 0, 0, 0)).build();
        assertEquals(new ContainerConfig.HealthConfig(List.of("CMD-SHELL", "exit 0"), 1_000_000_000L, 0,
                3_000_000_000L, 0, 7), ConfigMerge.merge(user, ic, "h", List.of("sh")).healthcheck());
        assertEquals(image, ConfigMerge.merge(ContainerConfig.builder().image("x").build(), ic, "h", List.of("sh"))
                .healthcheck());
    }

    @Test
    void theHealthFilterMatchesTheStatusOrNone() {
        ContainerStore store = new ContainerStore();
        ContainerMeta m = new ContainerMeta("abc", "web", "2026-01-01T00:00:00Z", "sh", List.of(),
                ContainerConfig.empty(), HostConfig.empty(), "sha256:1", "busybox", "c", RUNNING, 0);
        ContainerFilters healthy = new ContainerFilters(Filters.parse("{\"health\":[\"healthy\"]}"), store, null);
        assertTrue(healthy.matches(m, false, health("healthy")));
        assertFalse(healthy.matches(m, false, health("starting")));
        assertFalse(healthy.matches(m, false, null));
        ContainerFilters none = new ContainerFilters(Filters.parse("{\"health\":[\"none\"]}"), store, null);
        assertTrue(none.matches(m, false, null));
        assertFalse(none.matches(m, false, health("unhealthy")));
        ContainerFilters either = new ContainerFilters(Filters.parse("{\"health\":[\"starting\",\"unhealthy\"]}"),
                store, null);
        assertTrue(either.matches(m, false, health("unhealthy")));
        assertTrue(either.matches(m, false, health("starting")));
        PouchException bad = assertThrows(PouchException.class,
                () -> new ContainerFilters(Filters.parse("{\"health\":[\"x\"]}"), store, null));
        assertEquals(400, bad.status());
        assertEquals("Unrecognised filter value for health: x", bad.getMessage());
    }
}
