package io.pouch.daemon.container;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the host offers for Pouch's {@code NetPriority} (a mounted cgroup v1 hierarchy with the net_prio
 * controller) and {@code IntelRdtL3Cbm} (a CPU with L3 cache allocation and the resctrl filesystem mounted at
 * {@code /sys/fs/resctrl}, where runc looks). Read from the files given on every question: a controller or
 * resctrl may be mounted while pouchd runs.
 */
record PouchHostFeatures(Path mountinfo, Path cpuinfo, Path filesystems) {
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    static PouchHostFeatures system() {
        return new PouchHostFeatures(Path.of("/proc/self/mountinfo"), Path.of("/proc/cpuinfo"),
                Path.of("/proc/filesystems"));
    }

    /**
     * The mount point of the net_prio hierarchy, or null. Only one directly under {@code /sys/fs/cgroup} counts:
     * runc looks for cgroup v1 hierarchies only there and silently leaves out any mounted elsewhere.
     */
    Path netPrioMount() {
        for (String line : lines(mountinfo)) {
            Mount m = Mount.parse(line);
            if (m != null && m.type().equals("cgroup") && List.of(m.superOptions().split(",")).contains("net_prio")
                    && CGROUP_ROOT.equals(Path.of(m.point()).getParent())) {
                return Path.of(m.point());
            }
        }
        return null;
    }

    /** The net_prio hierarchy; refused, naming what the host lacks, when it is not mounted. */
    Path requireNetPrio() {
        Path p = netPrioMount();
        if (p == null) {
            throw PouchException.invalidArgument("NetPriority cannot be applied: this host has no net_prio cgroup"
                    + " hierarchy mounted (no cgroup v1 mount with the net_prio controller under /sys/fs/cgroup, where"
                    + " runc looks, such as /sys/fs/cgroup/net_prio or /sys/fs/cgroup/net_cls,net_prio)");
        }
        return p;
    }

    /** Refuses, naming what is missing, unless runc can apply an L3 cache schema here. */
    void requireResctrl() {
        List<String> missing = new ArrayList<>();
        if (lines(cpuinfo).stream().noneMatch(l -> l.startsWith("flags") && List.of(l.split("\\s+")).contains("cat_l3"))) {
            missing.add("the CPU has no L3 cache allocation (no cat_l3 flag in /proc/cpuinfo)");
        }
        if (lines(filesystems).stream().noneMatch(l -> l.trim().endsWith("resctrl"))) {
            missing.add("the kernel has no resctrl filesystem (none in /proc/filesystems)");
        }
        boolean mounted = lines(mountinfo).stream().map(Mount::parse)
                .anyMatch(m -> m != null && m.type().equals("resctrl") && m.point().equals("/sys/fs/resctrl"));
        if (!mounted) {
            missing.add("resctrl is not mounted at /sys/fs/resctrl");
        }
        if (!missing.isEmpty()) {
            throw PouchException.invalidArgument("HostConfig.IntelRdtL3Cbm cannot be applied: Intel RDT/CAT is not"
                    + " available on this host: " + String.join("; ", missing));
        }
    }

    private static List<String> lines(Path f) {
        try {
            return Files.readAllLines(f);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** One line of mountinfo: the mount point, the filesystem type and its super options. */
    record Mount(String point, String type, String superOptions) {
        static Mount parse(String line) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (dash < 5 || f.length < dash + 4) {
                return null;
            }
            return new Mount(f[4].replace("\\040", " "), f[dash + 1], f[dash + 3]);
        }
    }
}
