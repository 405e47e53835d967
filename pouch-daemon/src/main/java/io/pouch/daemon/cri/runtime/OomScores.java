package io.pouch.daemon.cri.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lowering a process's OOM score below the daemon's own needs CAP_SYS_RESOURCE. Where pouchd lacks it (some VMs
 * and nested containers drop it from the bounding set), kubelet's scores for critical pods (-997, -998) would make
 * runc fail; as containerd's {@code restrict_oom_score_adj} does, they are raised to pouchd's own score there.
 */
final class OomScores {
    private static final int CAP_SYS_RESOURCE = 24;
    private static final Restriction HOST = read();

    record Restriction(boolean restricted, int floor) {
        int apply(int requested) {
            return restricted ? Math.max(requested, floor) : requested;
        }
    }

    private OomScores() {
    }

    static int restrict(int requested) {
        return HOST.apply(requested);
    }

    private static Restriction read() {
        try {
            int own = Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).trim());
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return new Restriction((caps & (1L << CAP_SYS_RESOURCE)) == 0, own);
                }
            }
            return new Restriction(false, own);
        } catch (IOException | NumberFormatException e) {
            return new Restriction(false, 0);
        }
    }
}
