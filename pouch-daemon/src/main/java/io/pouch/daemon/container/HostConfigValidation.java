package io.pouch.daemon.container;

import io.pouch.api.container.HostConfig;
import io.pouch.daemon.containerd.RuncOptions;
import io.pouch.daemon.logs.LogDrivers;
import io.pouch.daemon.runtime.Runtimes;

/**
 * The checks of a normalised host config at create that need no other container and no network: the runtime,
 * the log driver and its options, the restart policy (dockerd's messages).
 */
final class HostConfigValidation {
    private final Runtimes runtimes;
    private final LogDrivers logDrivers;

    HostConfigValidation(Runtimes runtimes, LogDrivers logDrivers) {
        this.runtimes = runtimes;
        this.logDrivers = logDrivers;
    }

    void validate(HostConfig hc) {
        validate(hc, false);
    }

    /** @param criAllowed the CRI server's create path: the cri log driver is admitted (see LogDrivers) */
    void validate(HostConfig hc, boolean criAllowed) {
        runtimes.check(hc);
        logDrivers.validate(hc.logConfig(), criAllowed);
        RestartPolicies.validate(hc.restartPolicy(), hc.autoRemove());
    }

    /** The runtime the container runs with: its own, or the daemon's default. */
    String runtimeOf(HostConfig hc) {
        return runtimes.resolve(hc.runtime()).name();
    }

    /** What containerd's runc shim is told to run the container with. */
    RuncOptions shimOptions(HostConfig hc) {
        return runtimes.resolve(hc.runtime()).shim();
    }
}
