package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;

/**
 * The PID, IPC, UTS and cgroup namespace modes of a host config, checked with dockerd's rules and messages, and
 * the {@code container:<id>} references they hold. {@code UsernsMode} is not here: only the host's user
 * namespace exists for containers of this engine ({@link UnsupportedFields}).
 */
final class NamespaceModes {
    static final String CONTAINER = "container:";

    private NamespaceModes() {
    }

    /**
     * Checks the modes at create.
     *
     * @param userHostname the Hostname the request gave (before any default)
     */
    static void validate(HostConfig hc, String userHostname, String userDomainname) {
        String pid = orEmpty(hc.pidMode());
        if (!(pid.isEmpty() || pid.equals("host") || joined(pid) != null)) {
            throw PouchException.invalidArgument("invalid PID mode: " + pid);
        }
        String ipc = orEmpty(hc.ipcMode());
        if (!(ipc.isEmpty() || ipc.equals("host") || ipc.equals("private") || ipc.equals("shareable")
                || ipc.equals("none") || joined(ipc) != null)) {
            throw PouchException.invalidArgument("invalid IPC mode: " + ipc);
        }
        String uts = orEmpty(hc.utsMode());
        if (!(uts.isEmpty() || uts.equals("host"))) {
            throw PouchException.invalidArgument("invalid UTS mode: " + uts);
        }
        if (uts.equals("host") && userHostname != null && !userHostname.isEmpty()) {
            throw PouchException.invalidArgument("conflicting options: hostname and the UTS mode");
        }
        if (uts.equals("host") && userDomainname != null && !userDomainname.isEmpty()) {
            // the domain name is set inside the container's own UTS namespace; with the host's it would be the host's
            throw PouchException.invalidArgument("conflicting options: domainname and the UTS mode");
        }
        String cgroupns = orEmpty(hc.cgroupnsMode());
        if (!(cgroupns.isEmpty() || cgroupns.equals("host") || cgroupns.equals("private"))) {
            throw PouchException.invalidArgument("invalid cgroup namespace mode: " + cgroupns);
        }
        Sysctls.validate(hc.sysctls(), hc);
    }

    /**
     * The modes as inspect shows them: a {@code container:<name|id>} reference becomes {@code container:<full id>}
     * (an unknown container is a 400, as dockerd's create), an empty cgroup namespace mode is this host's
     * default, {@code host} (cgroup v1: containers share the host's cgroup namespace).
     */
    static HostConfig normalize(HostConfig hc, java.util.function.Function<String, String> fullId) {
        HostConfig.Builder b = hc.toBuilder();
        String pid = joined(hc.pidMode());
        if (pid != null) {
            b.pidMode(CONTAINER + resolve(pid, fullId));
        }
        String ipc = joined(hc.ipcMode());
        if (ipc != null) {
            b.ipcMode(CONTAINER + resolve(ipc, fullId));
        }
        if (hc.cgroupnsMode() == null || hc.cgroupnsMode().isEmpty()) {
            b.cgroupnsMode("host");
        }
        return b.build();
    }

    private static String resolve(String ref, java.util.function.Function<String, String> fullId) {
        try {
            return fullId.apply(ref);
        } catch (PouchException e) {
            throw PouchException.invalidArgument("No such container: " + ref);
        }
    }

    /** The container a {@code container:<ref>} mode names, or null for any other mode. */
    static String joined(String mode) {
        if (mode == null || !mode.startsWith(CONTAINER) || mode.length() == CONTAINER.length()) {
            return null;
        }
        return mode.substring(CONTAINER.length());
    }

    static boolean isHost(String mode) {
        return "host".equals(mode);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
