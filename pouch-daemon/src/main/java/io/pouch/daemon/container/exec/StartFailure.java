package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.ContainerdException;

/**
 * A start that containerd refused, as dockerd reports it: exit code 127 when the command was not found, 126
 * otherwise (not executable, or any other runtime failure), and the OCI runtime's message.
 */
record StartFailure(int exitCode, PouchException error) {
    static StartFailure of(String containerId, ContainerdException e) {
        String msg = e.description();
        int code = msg.contains("executable file not found") || msg.contains("no such file or directory") ? 127 : 126;
        PouchException error = e.isNotFound()
                ? PouchException.conflict("Container " + containerId + " is not running")
                : PouchException.invalidArgument(msg.startsWith("OCI runtime") ? msg
                : "OCI runtime exec failed: " + msg);
        return new StartFailure(code, error);
    }
}
