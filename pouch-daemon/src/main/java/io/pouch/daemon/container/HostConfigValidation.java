package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.logs.LogDrivers;

import java.util.Set;

/**
 * The checks of a normalised host config at create that need no other container and no network: the runtime,
 * the log driver and its options, the restart policy (dockerd's messages).
 */
final class HostConfigValidation {
    static final Set<String> RUNTIMES = Set.of("runc", "crun");

    private final String defaultRuntime;
    private final LogDrivers logDrivers;

    HostConfigValidation(String defaultRuntime, LogDrivers logDrivers) {
        this.defaultRuntime = defaultRuntime;
        this.logDrivers = logDrivers;
    }

    void validate(HostConfig hc) {
        validate(hc, false);
    }

    /** @param criAllowed the CRI server's create path: the cri log driver is admitted (see LogDrivers) */
    void validate(HostConfig hc, boolean criAllowed) {
        String rt = runtimeOf(hc);
        if (!RUNTIMES.contains(rt)) {
            throw PouchException.invalidArgument("Unknown runtime specified " + rt);
        }
        logDrivers.validate(hc.logConfig(), criAllowed);
        RestartPolicies.validate(hc.restartPolicy(), hc.autoRemove());
    }

    /** The runtime the container runs with: its own, or the daemon's default. */
    String runtimeOf(HostConfig hc) {
        return hc.runtime() == null ? defaultRuntime : hc.runtime();
    }
}
