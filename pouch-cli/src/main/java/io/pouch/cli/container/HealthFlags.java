package io.pouch.cli.container;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.cli.CliException;
import picocli.CommandLine.Option;

/**
 * The health-check flags of run/create, into Config.Healthcheck as the docker CLI builds it: the command as
 * ["CMD-SHELL", cmd], durations in nanoseconds, {@code --no-healthcheck} as ["NONE"].
 */
public final class HealthFlags {
    @Option(names = "--health-cmd", description = "Command to run to check health")
    String cmd;

    @Option(names = "--health-interval", paramLabel = "duration",
            description = "Time between running the check (ms|s|m|h) (default 0s)")
    String interval;

    @Option(names = "--health-timeout", paramLabel = "duration",
            description = "Maximum time to allow one check to run (ms|s|m|h) (default 0s)")
    String timeout;

    @Option(names = "--health-start-period", paramLabel = "duration",
            description = "Start period for the container to initialize before starting health-retries countdown"
                    + " (ms|s|m|h) (default 0s)")
    String startPeriod;

    @Option(names = "--health-start-interval", paramLabel = "duration",
            description = "Time between running the check during the start period (ms|s|m|h) (default 0s)")
    String startInterval;

    @Option(names = "--health-retries", description = "Consecutive failures needed to report unhealthy")
    int retries;

    @Option(names = "--no-healthcheck", description = "Disable any container-specified HEALTHCHECK")
    boolean none;

    void apply(ObjectNode body) {
        long intervalNs = nanos("--health-interval", interval);
        long timeoutNs = nanos("--health-timeout", timeout);
        long startPeriodNs = nanos("--health-start-period", startPeriod);
        long startIntervalNs = nanos("--health-start-interval", startInterval);
        boolean any = (cmd != null && !cmd.isEmpty()) || intervalNs != 0 || timeoutNs != 0 || startPeriodNs != 0
                || startIntervalNs != 0 || retries != 0;
        if (none) {
            if (any) {
                throw new CliException("--no-healthcheck conflicts with --health-* options", 125);
            }
            body.putObject("Healthcheck").putArray("Test").add("NONE");
            return;
        }
        if (!any) {
            return;
        }
        negative("--health-interval", intervalNs);
        negative("--health-timeout", timeoutNs);
        negative("--health-retries", retries);
        negative("--health-start-period", startPeriodNs);
        negative("--health-start-interval", startIntervalNs);
        ObjectNode h = body.putObject("Healthcheck");
        if (cmd != null && !cmd.isEmpty()) {
            h.putArray("Test").add("CMD-SHELL").add(cmd);
        }
        put(h, "Interval", intervalNs);
        put(h, "Timeout", timeoutNs);
        put(h, "StartPeriod", startPeriodNs);
        put(h, "StartInterval", startIntervalNs);
        put(h, "Retries", retries);
    }

    private static long nanos(String flag, String value) {
        Long n = FlagValues.duration(flag, value);
        return n == null ? 0 : n;
    }

    private static void negative(String flag, long value) {
        if (value < 0) {
            throw new CliException(flag + " cannot be negative", 125);
        }
    }

    private static void put(ObjectNode h, String field, long value) {
        if (value != 0) {
            h.put(field, value);
        }
    }
}
