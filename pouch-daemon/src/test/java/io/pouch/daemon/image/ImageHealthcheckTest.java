package io.pouch.daemon.image;

import io.pouch.api.container.ContainerConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** An image config's HEALTHCHECK is read into its run settings (containers inherit it). */
class ImageHealthcheckTest {
    private static final String D1 = "sha256:" + "1".repeat(64);

    private static LocalImage.RunConfig run(String config) {
        byte[] cfg = ("{\"config\":" + config + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + D1 + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        return ImageConfigs.parse("sha256:" + "f".repeat(64), cfg).run();
    }

    @Test
    void theHealthcheckIsRead() {
        LocalImage.RunConfig r = run("{\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"exit 0\"],\"Interval\":2000000000,"
                + "\"Timeout\":3,\"StartPeriod\":4,\"StartInterval\":5,\"Retries\":7}}");
        assertEquals(new ContainerConfig.HealthConfig(List.of("CMD-SHELL", "exit 0"), 2_000_000_000L, 3, 4, 5, 7),
                r.healthcheck());
    }

    @Test
    void noneOrAnUnreadableOneIsNull() {
        assertNull(run("{}").healthcheck());
        assertNull(run("{\"Healthcheck\":null}").healthcheck());
        assertNull(run("{\"Healthcheck\":{\"Test\":\"not a list\",\"Interval\":\"x\"}}").healthcheck());
    }
}
