package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;

import java.util.Map;
import java.util.Set;

/**
 * {@code HostConfig.Sysctls}: only the kernel parameters that belong to a namespace the container has of its own
 * can be set (the docker CLI's list, with its message); an IPC one needs the container's own IPC namespace, a
 * network one its own network namespace (runc's rules, checked here so the create fails, not the start).
 */
final class Sysctls {
    private static final Set<String> IPC = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
            "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

    private Sysctls() {
    }

    static void validate(Map<String, String> sysctls, HostConfig hc) {
        if (sysctls == null) {
            return;
        }
        for (Map.Entry<String, String> e : sysctls.entrySet()) {
            String k = e.getKey();
            if (k == null || k.isEmpty() || e.getValue() == null) {
                throw PouchException.invalidArgument("sysctl '" + k + "=" + e.getValue() + "' is not allowed");
            }
            if (IPC.contains(k) || k.startsWith("fs.mqueue.")) {
                if (NamespaceModes.isHost(hc.ipcMode())) {
                    throw PouchException.invalidArgument("sysctl \"" + k + "\" is not allowed in the hosts ipc"
                            + " namespace: it needs the container's own IPC namespace (--ipc private or shareable)");
                }
            } else if (k.startsWith("net.")) {
                if ("host".equals(hc.networkMode())) {
                    throw PouchException.invalidArgument("sysctl \"" + k + "\" not allowed in host network"
                            + " namespace: it needs the container's own network namespace");
                }
            } else {
                throw PouchException.invalidArgument("sysctl '" + k + "=" + e.getValue() + "' is not allowed");
            }
        }
    }
}
