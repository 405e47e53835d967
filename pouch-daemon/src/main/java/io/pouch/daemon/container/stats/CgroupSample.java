package io.pouch.daemon.container.stats;

import java.util.List;
import java.util.Map;

/**
 * One reading of a container's cgroup, in Docker's units (nanoseconds of CPU, bytes). Fields a cgroup version
 * does not have are 0 / empty.
 */
public record CgroupSample(
        long cpuTotalNanos, List<Long> perCpuNanos, long cpuKernelNanos, long cpuUserNanos,
        long throttlePeriods, long throttledPeriods, long throttledNanos,
        long memUsage, long memMaxUsage, long memLimit, Map<String, Long> memStats,
        long pidsCurrent, long pidsLimit,
        List<BlkioEntry> ioServiceBytes, List<BlkioEntry> ioServiced) {

    /** One {@code blkio_stats} entry: major, minor, op (Read, Write, ...), value. */
    public record BlkioEntry(long major, long minor, String op, long value) {
    }

    public static final CgroupSample EMPTY = new CgroupSample(0, List.of(), 0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0,
            List.of(), List.of());
}
