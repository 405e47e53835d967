package io.pouch.daemon.container.stats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CgroupReaderTest {
    @TempDir
    Path tmp;

    private static void write(Path dir, String file, String content) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(file), content);
    }

    @Test
    void v1() throws Exception {
        String cg = "/pouch/abc";
        write(tmp.resolve("cpuacct/pouch/abc"), "cpuacct.usage", "5000000000\n");
        write(tmp.resolve("cpuacct/pouch/abc"), "cpuacct.usage_percpu", "3000000000 2000000000 \n");
        write(tmp.resolve("cpuacct/pouch/abc"), "cpuacct.stat", "user 300\nsystem 100\n");
        write(tmp.resolve("cpu/pouch/abc"), "cpu.stat", "nr_periods 10\nnr_throttled 2\nthrottled_time 7000\n");
        write(tmp.resolve("memory/pouch/abc"), "memory.usage_in_bytes", "1048576\n");
        write(tmp.resolve("memory/pouch/abc"), "memory.max_usage_in_bytes", "2097152\n");
        write(tmp.resolve("memory/pouch/abc"), "memory.limit_in_bytes", "9223372036854771712\n");
        write(tmp.resolve("memory/pouch/abc"), "memory.stat", "cache 4096\nrss 8192\ntotal_inactive_file 4096\n");
        write(tmp.resolve("pids/pouch/abc"), "pids.current", "3\n");
        write(tmp.resolve("pids/pouch/abc"), "pids.max", "max\n");
        write(tmp.resolve("blkio/pouch/abc"), "blkio.throttle.io_service_bytes",
                "8:0 Read 100\n8:0 Write 200\n8:0 Total 300\nTotal 300\n");
        String proc = "9:name=systemd:" + cg + "\n8:pids:" + cg + "\n7:blkio:" + cg + "\n4:memory:" + cg
                + "\n2:cpuacct:" + cg + "\n1:cpu:" + cg + "\n0::" + cg + "\n";
        CgroupReader r = new CgroupReader(tmp);
        assertFalse(r.unified());
        CgroupSample s = r.read(proc);
        assertEquals(5_000_000_000L, s.cpuTotalNanos());
        assertEquals(List.of(3_000_000_000L, 2_000_000_000L), s.perCpuNanos());
        assertEquals(3_000_000_000L, s.cpuUserNanos());
        assertEquals(1_000_000_000L, s.cpuKernelNanos());
        assertEquals(10, s.throttlePeriods());
        assertEquals(2, s.throttledPeriods());
        assertEquals(7000, s.throttledNanos());
        assertEquals(1048576, s.memUsage());
        assertEquals(2097152, s.memMaxUsage());
        assertEquals(4096L, s.memStats().get("total_inactive_file"));
        assertEquals(3, s.pidsCurrent());
        assertEquals(0, s.pidsLimit());
        assertEquals(3, s.ioServiceBytes().size());
        assertEquals(new CgroupSample.BlkioEntry(8, 0, "Read", 100), s.ioServiceBytes().get(0));
    }

    @Test
    void v1CombinedCpuCpuacctMount() {
        Map<String, String> m = CgroupReader.parseProcCgroup("3:cpu,cpuacct:/x\n0::/y\n");
        assertEquals("/x", m.get("cpu"));
        assertEquals("/x", m.get("cpuacct"));
        assertEquals("/y", m.get(""));
    }

    @Test
    void v2() throws Exception {
        Path d = tmp.resolve("pouch/abc");
        write(tmp, "cgroup.controllers", "cpu io memory pids\n");
        write(d, "cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\nnr_periods 4\nnr_throttled 1\n"
                + "throttled_usec 30\n");
        write(d, "memory.current", "65536\n");
        write(d, "memory.max", "max\n");
        write(d, "memory.stat", "anon 4096\nfile 8192\ninactive_file 1024\n");
        write(d, "pids.current", "2\n");
        write(d, "pids.max", "100\n");
        write(d, "io.stat", "8:16 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n");
        CgroupReader r = new CgroupReader(tmp);
        assertTrue(r.unified());
        CgroupSample s = r.read("0::/pouch/abc\n");
        assertEquals(2_500_000, s.cpuTotalNanos());
        assertEquals(2_000_000, s.cpuUserNanos());
        assertEquals(500_000, s.cpuKernelNanos());
        assertEquals(30_000, s.throttledNanos());
        assertEquals(65536, s.memUsage());
        assertEquals(Long.MAX_VALUE, s.memLimit());
        assertEquals(1024L, s.memStats().get("inactive_file"));
        assertEquals(100, s.pidsLimit());
        assertEquals(List.of(new CgroupSample.BlkioEntry(8, 16, "read", 10),
                new CgroupSample.BlkioEntry(8, 16, "write", 20)), s.ioServiceBytes());
        assertEquals(2, s.ioServiced().size());
    }

    @Test
    void statsMaths() {
        CgroupSample a = new CgroupSample(1_000_000_000L, List.of(), 0, 0, 0, 0, 0, 100, 0, Long.MAX_VALUE, Map.of(),
                1, 0, List.of(), List.of());
        CgroupSample b = new CgroupSample(1_500_000_000L, List.of(), 0, 0, 0, 0, 0, 100, 0, Long.MAX_VALUE, Map.of(),
                1, 0, List.of(), List.of());
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        StatsJson.Reading r0 = new StatsJson.Reading(t, a, 10_000_000_000L, 2, Map.of());
        StatsJson.Reading r1 = new StatsJson.Reading(t.plusSeconds(1), b, 12_000_000_000L, 2, Map.of());
        // half a CPU second over two CPU-seconds of host time, times 2 CPUs: 50 %
        assertEquals(50.0, StatsJson.cpuPercent(r1, r0), 1e-9);
        assertEquals(0.0, StatsJson.cpuPercent(r1, null), 1e-9);
        var json = StatsJson.build("id", "n", r1, r0, 1 << 30);
        assertEquals(1 << 30, json.path("memory_stats").path("limit").asLong());
        assertEquals("/n", json.path("name").asText());
        assertEquals(1_000_000_000L, json.path("precpu_stats").path("cpu_usage").path("total_usage").asLong());
        assertEquals(2, json.path("cpu_stats").path("online_cpus").asInt());
    }

    @Test
    void procFiles() {
        long[] sys = StatsJson.systemCpu("cpu  100 0 50 1000 10 0 5 0 0 0\ncpu0 50 0 25 500 5 0 2 0 0 0\n"
                + "cpu1 50 0 25 500 5 0 3 0 0 0\nintr 1\n");
        assertEquals(1165L * 10_000_000L, sys[0]);
        assertEquals(2, sys[1]);
        Map<String, long[]> net = StatsJson.netDev("Inter-|   Receive |  Transmit\n face |bytes packets|bytes\n"
                + "    lo: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n  eth0: 1000 10 1 2 0 0 0 0 2000 20 3 4 0 0 0 0\n");
        assertEquals(1, net.size());
        assertEquals(List.of(1000L, 10L, 1L, 2L, 2000L, 20L, 3L, 4L),
                Arrays.stream(net.get("eth0")).boxed().toList());
    }

    @Test
    void topKeepsTheContainersRows() {
        Top t = Top.parse("UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 10:00 ? 00:00:01 /sbin/init splash\n"
                + "root 42 1 0 10:00 ? 00:00:00 sleep 1000\n", Set.of(42L));
        assertEquals(8, t.titles().size());
        assertEquals(1, t.processes().size());
        assertEquals("sleep 1000", t.processes().get(0).get(7));
    }
}
