package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;

import java.time.Duration;

/**
 * Docker's restart-policy decisions, as pure functions (moby's restartmanager): whether an exit is followed by a
 * restart, and how long to wait before it.
 */
final class RestartPolicies {
    static final Duration FIRST_DELAY = Duration.ofMillis(100);
    static final Duration MAX_DELAY = Duration.ofMinutes(1);
    /** A run at least this long resets the back-off to {@link #FIRST_DELAY}. */
    static final Duration RESET_AFTER = Duration.ofSeconds(10);

    private RestartPolicies() {
    }

    /** Docker's create/update validation, with its messages. */
    static void validate(HostConfig.RestartPolicy p, boolean autoRemove) {
        String name = p == null || p.name() == null ? "" : p.name();
        int max = p == null ? 0 : p.maximumRetryCount();
        switch (name) {
            case "", "no", "always", "unless-stopped" -> {
                if (max != 0) {
                    throw PouchException.invalidArgument("invalid restart policy: maximum retry count can only be used"
                            + " with 'on-failure'");
                }
            }
            case "on-failure" -> {
                if (max < 0) {
                    throw PouchException.invalidArgument("invalid restart policy: maximum retry count cannot be"
                            + " negative");
                }
            }
            default -> throw PouchException.invalidArgument("invalid restart policy: unknown policy '" + name
                    + "'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
        }
        if (autoRemove && !name.isEmpty() && !name.equals("no")) {
            throw PouchException.invalidArgument("Conflicting options: --restart and --rm");
        }
    }

    /**
     * Whether a container that just exited is started again.
     *
     * @param restartCount    restarts done by the policy since the user last started the container
     * @param manuallyStopped the user stopped or killed it (docker stop/kill): never undone by the policy
     */
    static boolean shouldRestart(HostConfig.RestartPolicy p, int exitCode, int restartCount, boolean manuallyStopped) {
        if (p == null || p.name() == null || manuallyStopped) {
            return false;
        }
        return switch (p.name()) {
            case "always", "unless-stopped" -> true;
            case "on-failure" -> exitCode != 0 && (p.maximumRetryCount() == 0 || restartCount < p.maximumRetryCount());
            default -> false;
        };
    }

    /**
     * Whether pouchd starts the container when it starts itself (after a host reboot the tasks are gone): always
     * containers come back even when the user had stopped them, unless-stopped ones only when he had not,
     * on-failure ones when they died with a failure and have retries left.
     */
    static boolean restartAtDaemonStart(HostConfig.RestartPolicy p, int exitCode, int restartCount,
                                        boolean manuallyStopped) {
        if (p == null || p.name() == null) {
            return false;
        }
        return switch (p.name()) {
            case "always" -> true;
            case "unless-stopped" -> !manuallyStopped;
            case "on-failure" -> !manuallyStopped && shouldRestart(p, exitCode, restartCount, false);
            default -> false;
        };
    }

    /**
     * The wait before the next restart: 100 ms after the first exit, doubling at each further one, at most a
     * minute; a run of at least 10 s starts over at 100 ms.
     *
     * @param previous the wait used last time, or null
     */
    static Duration nextDelay(Duration previous, Duration ranFor) {
        if (previous == null || ranFor.compareTo(RESET_AFTER) >= 0) {
            return FIRST_DELAY;
        }
        Duration d = previous.multipliedBy(2);
        return d.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : d;
    }
}
