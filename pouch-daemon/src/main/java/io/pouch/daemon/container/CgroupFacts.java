package io.pouch.daemon.container;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which cgroup controls this host has, read once from the cgroup mounts: a setting whose file is missing is
 * refused at create with dockerd's words rather than left for runc to fail on (or to skip) at start.
 *
 * @param unified          cgroup v2 only (no v1 controllers)
 * @param swappiness       memory.swappiness (v1 only; v2 has no such control)
 * @param blkioWeight      blkio.weight or blkio.bfq.weight (v1), io.weight or io.bfq.weight (v2)
 * @param blkioThrottle    blkio.throttle.*_device (v1) or io.max (v2)
 * @param cpuRealtime      cpu.rt_runtime_us and cpu.rt_period_us (v1 with CONFIG_RT_GROUP_SCHED)
 * @param cpus             the CPUs containers may be pinned to ({@code 0-1}), null when unknown
 * @param mems             the memory nodes containers may be pinned to ({@code 0}), null when unknown
 */
record CgroupFacts(boolean unified, boolean swappiness, boolean blkioWeight, boolean blkioThrottle,
                   boolean cpuRealtime, String cpus, String mems) {
    /** A v1 host with every control and no cpuset bounds known (for tests of the pure spec code). */
    static final CgroupFacts V1_FULL = new CgroupFacts(false, true, true, true, true, null, null);

    CgroupFacts(boolean unified, boolean swappiness, boolean blkioWeight, boolean blkioThrottle, boolean cpuRealtime) {
        this(unified, swappiness, blkioWeight, blkioThrottle, cpuRealtime, null, null);
    }

    static CgroupFacts read(Path root) {
        if (Files.exists(root.resolve("cgroup.controllers"))) {
            // runc writes io.bfq.weight or io.weight and io.max of the container's cgroup when io is enabled
            return new CgroupFacts(true, false, controller(root, "io"), controller(root, "io"), false,
                    text(root.resolve("cpuset.cpus.effective")), text(root.resolve("cpuset.mems.effective")));
        }
        Path blkio = root.resolve("blkio");
        return new CgroupFacts(false, Files.exists(root.resolve("memory/memory.swappiness")),
                Files.exists(blkio.resolve("blkio.weight")) || Files.exists(blkio.resolve("blkio.bfq.weight")),
                Files.exists(blkio.resolve("blkio.throttle.read_bps_device")),
                Files.exists(root.resolve("cpu/cpu.rt_runtime_us")),
                text(root.resolve("cpuset/cpuset.cpus")), text(root.resolve("cpuset/cpuset.mems")));
    }

    private static String text(Path f) {
        try {
            return Files.readString(f).trim();
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static boolean controller(Path root, String name) {
        try {
            return (" " + Files.readString(root.resolve("cgroup.controllers")).trim() + " ").contains(" " + name + " ");
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
