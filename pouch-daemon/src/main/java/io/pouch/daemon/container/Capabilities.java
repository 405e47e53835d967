package io.pouch.daemon.container;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Linux capabilities: Docker's default set, {@code --cap-add/--cap-drop} arithmetic, and the host's bounding set. */
public final class Capabilities {
    /** Every capability, in kernel bit order (bit n = index n), up to CAP_CHECKPOINT_RESTORE (40). */
    public static final List<String> ALL = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
            "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
            "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    /** Docker's default capability set. */
    public static final List<String> DEFAULT = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID",
            "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    private Capabilities() {
    }

    /** {@code net_admin}, {@code CAP_NET_ADMIN} and {@code ALL} are all accepted, as Docker does. */
    static String normalize(String cap) {
        String c = cap.trim().toUpperCase(Locale.ROOT);
        if (c.equals("ALL")) {
            return c;
        }
        if (!c.startsWith("CAP_")) {
            c = "CAP_" + c;
        }
        if (!ALL.contains(c)) {
            throw PouchException.invalidArgument("invalid CapAdd: unknown capability: \"" + cap + "\"");
        }
        return c;
    }

    /**
     * The container's capability set, with moby's rules: add ALL = everything but the drops; drop ALL = only the
     * adds; otherwise defaults minus drops plus adds. Capabilities the host's bounding set lacks cannot be
     * granted: ALL and privileged quietly get what the host has; an explicit add of a missing one is refused,
     * since the start would fail anyway with runc's much less readable error.
     */
    public static List<String> compute(boolean privileged, List<String> add, List<String> drop, Set<String> host) {
        if (privileged) {
            return ALL.stream().filter(host::contains).toList();
        }
        List<String> adds = add == null ? List.of() : add.stream().map(Capabilities::normalize).toList();
        List<String> drops = drop == null ? List.of() : drop.stream().map(Capabilities::normalize).toList();
        LinkedHashSet<String> caps = new LinkedHashSet<>();
        if (adds.contains("ALL")) {
            ALL.stream().filter(host::contains).filter(c -> !drops.contains(c)).forEach(caps::add);
            return List.copyOf(caps);
        }
        for (String a : adds) {
            if (!host.contains(a)) {
                throw PouchException.invalidArgument("cannot add capability " + a
                        + ": it is not in this host's bounding set, so no process here can hold it");
            }
        }
        if (!drops.contains("ALL")) {
            DEFAULT.stream().filter(c -> !drops.contains(c)).forEach(caps::add);
        }
        caps.addAll(adds);
        return List.copyOf(caps.stream().filter(host::contains).toList());
    }

    /** The bounding set of this process (pouchd), read from /proc/self/status; every capability when unreadable. */
    public static Set<String> hostBoundingSet() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapBnd:")) {
                    long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    Set<String> out = new LinkedHashSet<>();
                    for (int i = 0; i < ALL.size(); i++) {
                        if ((mask & (1L << i)) != 0) {
                            out.add(ALL.get(i));
                        }
                    }
                    return Set.copyOf(out);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux or /proc missing: assume everything, runc will say what fails
        }
        return Set.copyOf(ALL);
    }
}
