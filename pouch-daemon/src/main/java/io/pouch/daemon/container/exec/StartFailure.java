package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.ContainerdException;

/**
 * An exec start that containerd refused, as dockerd reports it: exit code 126 whatever the cause (a command not
 * found too: only {@code docker run}'s CLI turns that into 127, from the create's error), and the OCI runtime's
 * message.
 */
record StartFailure(int exitCode, PouchException error) {
    static StartFailure of(String containerId, ContainerdException e) {
        String msg = e.description();
        PouchException error = e.isNotFound()
                ? PouchException.conflict("Container " + containerId + " is not running")
                : PouchException.invalidArgument(msg.startsWith("OCI runtime") ? msg
                : "OCI runtime exec failed: " + msg);
        return new StartFailure(126, error);
    }
}
