package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.io.DetachKeys;

/** The checks an exec passes before it is created and before it starts, with dockerd's messages. */
final class ExecChecks {
    private ExecChecks() {
    }

    /** 400 when there is no command or the detach keys do not parse. */
    static void validate(ExecConfig cfg) {
        if (cfg == null || cfg.cmd() == null || cfg.cmd().isEmpty()) {
            throw PouchException.invalidArgument("No exec command specified");
        }
        if (cfg.detachKeys() != null && !cfg.detachKeys().isEmpty()) {
            DetachKeys.parse(cfg.detachKeys());
        }
    }

    /** 409 unless the container runs and is not paused. */
    static void requireRunning(ContainerManager.ProcessView c) {
        if (!c.running()) {
            throw PouchException.conflict("Container " + c.id() + " is not running");
        }
        if (c.paused()) {
            throw PouchException.conflict("Container " + c.id() + " is paused, unpause the container before exec");
        }
    }
}
