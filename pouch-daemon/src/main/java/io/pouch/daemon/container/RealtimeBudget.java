package io.pouch.daemon.container;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A cgroup v1 real-time CPU budget for a container's parent cgroups. The kernel lets a cgroup give its tasks
 * real-time time only out of its parent's {@code cpu.rt_runtime_us}, and a new cgroup has none; runc writes the
 * container's own budget but not its parents'. dockerd leaves that to its {@code --cpu-rt-runtime} flag and fails
 * otherwise; here each parent is raised, top down, to what its children hold plus the container's runtime.
 */
final class RealtimeBudget {
    private RealtimeBudget() {
    }

    /**
     * @param cpuRoot the cpu hierarchy's mount ({@code /sys/fs/cgroup/cpu})
     * @param parent  the container's parent cgroup ({@code /pouch})
     */
    static void ensure(Path cpuRoot, String parent, long runtime) {
        if (runtime <= 0) {
            return;
        }
        java.util.List<Path> chain = new java.util.ArrayList<>();
        Path dir = cpuRoot;
        for (String seg : parent.split("/")) {
            if (!seg.isEmpty()) {
                dir = dir.resolve(seg);
                chain.add(dir);
            }
        }
        Path at = cpuRoot;
        try {
            for (Path d : chain) {
                at = d;
                Files.createDirectories(d);
            }
            // bottom up: a level needs what its other children hold plus what the level below it needs
            long[] need = new long[chain.size()];
            for (int i = chain.size() - 1; i >= 0; i--) {
                Path below = i + 1 < chain.size() ? chain.get(i + 1) : null;
                need[i] = childrenRuntime(chain.get(i), below) + (below == null ? runtime : need[i + 1]);
            }
            // top down: a parent is raised before its child may be
            for (int i = 0; i < chain.size(); i++) {
                at = chain.get(i);
                Path f = at.resolve("cpu.rt_runtime_us");
                if (Long.parseLong(Files.readString(f).trim()) < need[i]) {
                    Files.writeString(f, Long.toString(need[i]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw PouchException.invalidArgument("CpuRealtimeRuntime " + runtime + ": cannot give the cgroup /"
                    + cpuRoot.relativize(at) + " a real-time budget for it (" + e.getMessage()
                    + "); ask for less or free some of the host's budget (" + cpuRoot.resolve("cpu.rt_runtime_us")
                    + ")");
        }
    }

    private static long childrenRuntime(Path dir, Path except) throws IOException {
        long sum = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path child : ds) {
                if (child.equals(except)) {
                    continue;
                }
                Path f = child.resolve("cpu.rt_runtime_us");
                if (Files.exists(f)) {
                    sum += Math.max(0, Long.parseLong(Files.readString(f).trim()));
                }
            }
        }
        return sum;
    }
}
