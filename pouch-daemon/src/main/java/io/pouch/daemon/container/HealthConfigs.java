package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig.HealthConfig;

import java.util.List;

/**
 * Checks a create request's healthcheck and merges it with its image's, as dockerd does; the probes themselves
 * are the health package's.
 */
final class HealthConfigs {
    /** dockerd's {@code MinimumDuration}, 1 ms. */
    private static final long MINIMUM_NANOS = 1_000_000;

    private HealthConfigs() {
    }

    /** dockerd's {@code validateHealthCheck}: a 400 with its words for a duration under 1 ms or negative retries. */
    static void validate(HealthConfig hc) {
        if (hc == null) {
            return;
        }
        requireMinimum("Interval", hc.interval());
        requireMinimum("Timeout", hc.timeout());
        if (hc.retries() < 0) {
            throw PouchException.invalidArgument("Retries in Healthcheck cannot be negative");
        }
        requireMinimum("StartPeriod", hc.startPeriod());
        requireMinimum("StartInterval", hc.startInterval());
    }

    private static void requireMinimum(String field, long nanos) {
        if (nanos != 0 && nanos < MINIMUM_NANOS) {
            throw PouchException.invalidArgument(field + " in Healthcheck cannot be less than 1ms");
        }
    }

    /**
     * The container's healthcheck: the user's, each field it leaves at zero (an empty Test included) taken from the
     * image's; the user's alone when the image has none.
     */
    static HealthConfig merge(HealthConfig image, HealthConfig user) {
        if (image == null) {
            return user;
        }
        if (user == null) {
            return image;
        }
        List<String> test = user.test() == null || user.test().isEmpty() ? image.test() : user.test();
        return new HealthConfig(test, user.interval() != 0 ? user.interval() : image.interval(),
                user.timeout() != 0 ? user.timeout() : image.timeout(),
                user.startPeriod() != 0 ? user.startPeriod() : image.startPeriod(),
                user.startInterval() != 0 ? user.startInterval() : image.startInterval(),
                user.retries() != 0 ? user.retries() : image.retries());
    }
}
