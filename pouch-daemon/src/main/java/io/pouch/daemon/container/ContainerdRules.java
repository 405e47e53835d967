package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Leases;

import java.time.Duration;

/** The container lifecycle's own rules on top of containerd's role adapters. */
final class ContainerdRules {
    private ContainerdRules() {
    }

    /**
     * A lease that keeps new snapshots from containerd's garbage collector until something references them. It
     * expires after an hour by itself, so a pouchd that dies while holding it leaves nothing behind for good.
     */
    static String createLease(Leases leases, String name) {
        return leases.create("pouch-create-" + name, Duration.ofHours(1));
    }

    /**
     * A failed task create/start as Docker words it. The docker CLI maps "executable file not found" and "no
     * such file or directory" to exit 127 and "permission denied" to 126, so those stay in the message.
     */
    static PouchException startError(ContainerdException e) {
        String msg = e.description();
        if (msg.contains("executable file not found") || msg.contains("no such file or directory")
                || msg.contains("permission denied") || msg.contains("not a directory")) {
            return PouchException.invalidArgument(msg);
        }
        if (msg.contains("can't get final child's PID from pipe")) {
            return PouchException.internal(msg + " (on this host this usually means a limit the host cannot grant:"
                    + " a hard ulimit above the current one or a negative OomScoreAdj)", e);
        }
        return PouchException.internal(msg, e);
    }
}
