package io.pouch.daemon.cri.runtime;

import io.pouch.cri.v1.MemoryUsage;
import io.pouch.daemon.container.stats.CgroupSample;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CriStatsTest {
    private static CgroupSample sample(long cpu, long usage, long limit, Map<String, Long> stats) {
        return new CgroupSample(cpu, List.of(), 0, 0, 0, 0, 0, usage, 0, limit, stats, 0, 0, List.of(), List.of());
    }

    @Test
    void cpuIsTheCumulativeNanoseconds() {
        var c = CriStats.cpu(sample(123_456_789L, 0, 0, Map.of()), 42);
        assertEquals(42, c.getTimestamp());
        assertEquals(123_456_789L, c.getUsageCoreNanoSeconds().getValue());
    }

    @Test
    void workingSetIsUsageLessInactiveFileOnCgroupV1() {
        MemoryUsage m = CriStats.memory(sample(0, 1000, 4000, Map.of("total_inactive_file", 300L,
                "inactive_file", 100L, "total_rss", 500L, "rss", 50L, "total_pgfault", 7L, "total_pgmajfault", 2L)), 9);
        assertEquals(9, m.getTimestamp());
        assertEquals(700, m.getWorkingSetBytes().getValue());
        assertEquals(1000, m.getUsageBytes().getValue());
        assertEquals(500, m.getRssBytes().getValue());
        assertEquals(7, m.getPageFaults().getValue());
        assertEquals(2, m.getMajorPageFaults().getValue());
        assertEquals(3300, m.getAvailableBytes().getValue());
    }

    @Test
    void workingSetIsUsageLessInactiveFileOnCgroupV2() {
        MemoryUsage m = CriStats.memory(sample(0, 1000, 0, Map.of("inactive_file", 400L, "anon", 450L,
                "pgfault", 11L, "pgmajfault", 3L)), 1);
        assertEquals(600, m.getWorkingSetBytes().getValue());
        assertEquals(450, m.getRssBytes().getValue());
        assertEquals(11, m.getPageFaults().getValue());
        assertEquals(3, m.getMajorPageFaults().getValue());
    }

    @Test
    void workingSetIsNeverNegative() {
        assertEquals(0, CriStats.memory(sample(0, 100, 0, Map.of("inactive_file", 400L)), 1)
                .getWorkingSetBytes().getValue());
        assertEquals(100, CriStats.memory(sample(0, 100, 0, Map.of()), 1).getWorkingSetBytes().getValue());
        // a negative working set would make more memory available than the limit
        assertEquals(1000, CriStats.memory(sample(0, 100, 1000, Map.of("inactive_file", 400L)), 1)
                .getAvailableBytes().getValue());
    }

    @Test
    void availableOnlyWithARealLimit() {
        assertFalse(CriStats.memory(sample(0, 100, 0, Map.of()), 1).hasAvailableBytes());
        assertFalse(CriStats.memory(sample(0, 100, Long.MAX_VALUE, Map.of()), 1).hasAvailableBytes());
        // cgroup v1's "unlimited": the largest page-aligned long
        assertFalse(CriStats.memory(sample(0, 100, 9223372036854771712L, Map.of()), 1).hasAvailableBytes());
        assertTrue(CriStats.memory(sample(0, 100, 1000, Map.of()), 1).hasAvailableBytes());
        assertEquals(0, CriStats.memory(sample(0, 5000, 1000, Map.of()), 1).getAvailableBytes().getValue());
    }

    @Test
    void anEmptySampleIsAllZeros() {
        MemoryUsage m = CriStats.memory(CgroupSample.EMPTY, 1);
        assertEquals(0, m.getWorkingSetBytes().getValue());
        assertEquals(0, m.getUsageBytes().getValue());
        assertTrue(m.hasUsageBytes());
        assertEquals(0, CriStats.u64(-5).getValue());
    }
}
