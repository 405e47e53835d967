package io.pouch.daemon.container.health;

import io.pouch.api.container.ContainerConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The probe a container's healthcheck runs, with dockerd's defaults filled in.
 *
 * @param command       what is exec'd: {@code CMD}'s arguments, or {@code CMD-SHELL}'s string after the shell
 * @param startInterval the interval between probes during the start period, until the first success
 */
public record HealthCheck(List<String> command, Duration interval, Duration timeout, Duration startPeriod,
                          Duration startInterval, int retries) {
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_START_PERIOD = Duration.ZERO;
    static final Duration DEFAULT_START_INTERVAL = Duration.ofSeconds(5);
    static final int DEFAULT_RETRIES = 3;
    static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");

    /**
     * The probe of a container's (merged) healthcheck, or null when it has none: no healthcheck, an empty test,
     * {@code NONE}, or a test type dockerd does not know (dockerd runs nothing then, and shows no Health).
     *
     * @param shell the container's {@code Shell} (null or empty: {@code /bin/sh -c})
     */
    public static HealthCheck of(ContainerConfig.HealthConfig hc, List<String> shell) {
        if (hc == null || hc.test() == null || hc.test().isEmpty()) {
            return null;
        }
        List<String> args = hc.test().subList(1, hc.test().size());
        List<String> command = new ArrayList<>();
        switch (hc.test().get(0)) {
            case "CMD" -> command.addAll(args);
            case "CMD-SHELL" -> {
                command.addAll(shell == null || shell.isEmpty() ? DEFAULT_SHELL : shell);
                // dockerd passes the rest as it is: one string, as the shell wants it
                command.addAll(args);
            }
            default -> {
                return null;
            }
        }
        if (command.isEmpty()) {
            return null;
        }
        return new HealthCheck(List.copyOf(command), orDefault(hc.interval(), DEFAULT_INTERVAL),
                orDefault(hc.timeout(), DEFAULT_TIMEOUT), orDefault(hc.startPeriod(), DEFAULT_START_PERIOD),
                orDefault(hc.startInterval(), DEFAULT_START_INTERVAL),
                hc.retries() <= 0 ? DEFAULT_RETRIES : hc.retries());
    }

    /** dockerd's {@code timeoutWithDefault}: 0 (or less) means the default. */
    private static Duration orDefault(long nanos, Duration dflt) {
        return nanos <= 0 ? dflt : Duration.ofNanos(nanos);
    }
}
