package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig.HealthConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A create request's healthcheck: dockerd's validation and its merge with the image's. */
class HealthConfigsTest {
    private static final long S = 1_000_000_000L;

    private static HealthConfig hc(List<String> test, long interval, long timeout, long startPeriod,
                                   long startInterval, int retries) {
        return new HealthConfig(test, interval, timeout, startPeriod, startInterval, retries);
    }

    private static String refused(HealthConfig c) {
        PouchException e = assertThrows(PouchException.class, () -> HealthConfigs.validate(c));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void validationUsesDockerdsWords() {
        List<String> t = List.of("CMD", "true");
        assertEquals("Interval in Healthcheck cannot be less than 1ms", refused(hc(t, 999_999, 0, 0, 0, 0)));
        assertEquals("Interval in Healthcheck cannot be less than 1ms", refused(hc(t, -S, 0, 0, 0, 0)));
        assertEquals("Timeout in Healthcheck cannot be less than 1ms", refused(hc(t, 0, 5, 0, 0, 0)));
        assertEquals("StartPeriod in Healthcheck cannot be less than 1ms", refused(hc(t, 0, 0, -1, 0, 0)));
        assertEquals("StartInterval in Healthcheck cannot be less than 1ms", refused(hc(t, 0, 0, 0, 9, 0)));
        assertEquals("Retries in Healthcheck cannot be negative", refused(hc(t, 0, 0, 0, 0, -1)));
        HealthConfigs.validate(hc(t, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 0)); // 1ms exactly is fine
        HealthConfigs.validate(null);
    }

    @Test
    void theContainersFieldsOverrideTheImagesOneByOne() {
        HealthConfig image = hc(List.of("CMD-SHELL", "exit 0"), 2 * S, 3 * S, 4 * S, 5 * S, 7);
        assertEquals(image, HealthConfigs.merge(image, null));
        assertEquals(image, HealthConfigs.merge(image, hc(List.of(), 0, 0, 0, 0, 0)), "[] inherits");
        assertEquals(hc(List.of("CMD-SHELL", "exit 0"), S, 3 * S, 4 * S, 5 * S, 7),
                HealthConfigs.merge(image, hc(null, S, 0, 0, 0, 0)));
        assertEquals(hc(List.of("NONE"), 2 * S, 3 * S, 4 * S, 5 * S, 7),
                HealthConfigs.merge(image, hc(List.of("NONE"), 0, 0, 0, 0, 0)));
        assertEquals(hc(List.of("CMD", "true"), 2 * S, 9 * S, 4 * S, 6 * S, 1),
                HealthConfigs.merge(image, hc(List.of("CMD", "true"), 0, 9 * S, 0, 6 * S, 1)));
        HealthConfig user = hc(List.of("CMD", "x"), 0, 0, 0, 0, 0);
        assertEquals(user, HealthConfigs.merge(null, user));
    }

}
