package io.pouch.daemon.cri.runtime;

import io.pouch.cri.v1.UInt64Value;
import io.pouch.daemon.container.ContainerBrief;
import io.pouch.cri.v1.CpuUsage;
import io.pouch.cri.v1.MemoryUsage;
import io.pouch.daemon.container.stats.CgroupReader;
import io.pouch.daemon.container.stats.CgroupSample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU and memory readings of a running container's cgroup, in the CRI's terms: cumulative CPU nanoseconds and the
 * memory working set (usage less inactive file pages, as kubelet's eviction counts it).
 */
final class CriStats {
    private final CgroupReader cgroups;

    CriStats(CgroupReader cgroups) {
        this.cgroups = cgroups;
    }

    /** A reading of the process {@code pid}'s cgroup; an empty one when it is gone. */
    CgroupSample sample(int pid) {
        if (pid <= 0) {
            return CgroupSample.EMPTY;
        }
        try {
            return cgroups.read(Files.readString(Path.of("/proc/" + pid + "/cgroup")));
        } catch (IOException e) {
            return CgroupSample.EMPTY;
        }
    }

    CgroupSample sample(ContainerBrief i) {
        return i.state().running() ? sample(i.state().pid()) : CgroupSample.EMPTY;
    }

    static CpuUsage cpu(CgroupSample s, long now) {
        return CpuUsage.newBuilder().setTimestamp(now)
                .setUsageCoreNanoSeconds(u64(s.cpuTotalNanos())).build();
    }

    static MemoryUsage memory(CgroupSample s, long now) {
        long inactive = s.memStats().getOrDefault("total_inactive_file", s.memStats().getOrDefault("inactive_file", 0L));
        long workingSet = Math.max(0, s.memUsage() - inactive);
        long rss = s.memStats().getOrDefault("total_rss", s.memStats().getOrDefault("anon", 0L));
        MemoryUsage.Builder b = MemoryUsage.newBuilder().setTimestamp(now)
                .setWorkingSetBytes(u64(workingSet))
                .setUsageBytes(u64(s.memUsage()))
                .setRssBytes(u64(rss))
                .setPageFaults(u64(s.memStats().getOrDefault("total_pgfault",
                        s.memStats().getOrDefault("pgfault", 0L))))
                .setMajorPageFaults(u64(s.memStats().getOrDefault("total_pgmajfault",
                        s.memStats().getOrDefault("pgmajfault", 0L))));
        if (s.memLimit() > 0 && s.memLimit() < Long.MAX_VALUE / 2) {
            b.setAvailableBytes(u64(Math.max(0, s.memLimit() - workingSet)));
        }
        return b.build();
    }

    static UInt64Value u64(long v) {
        return UInt64Value.newBuilder().setValue(Math.max(0, v)).build();
    }
}
