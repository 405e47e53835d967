package io.pouch.daemon.container.stats;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's stats JSON (the shape {@code docker stats} reads), from cgroup samples and host counters. */
public final class StatsJson {
    private static final long NANOS_PER_TICK = 10_000_000L;

    private StatsJson() {
    }

    /** A point in time: the container's cgroup sample plus the host's CPU time, both read together. */
    public record Reading(Instant read, CgroupSample cgroup, long systemCpuNanos, int onlineCpus,
                          Map<String, long[]> networks) {
    }

    /**
     * @param prev the reading before (for precpu_stats/preread), or null: zeros, as dockerd's first one-shot sample
     * @param machineMemory the host's memory: an unlimited container reports it as its limit, as dockerd does
     */
    public static ObjectNode build(String id, String name, Reading now, Reading prev, long machineMemory) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("name", "/" + name);
        o.put("id", id);
        o.put("read", now.read().toString());
        o.put("preread", prev == null ? "0001-01-01T00:00:00Z" : prev.read().toString());
        ObjectNode pids = o.putObject("pids_stats");
        pids.put("current", now.cgroup().pidsCurrent());
        if (now.cgroup().pidsLimit() > 0) {
            pids.put("limit", now.cgroup().pidsLimit());
        }
        ObjectNode blk = o.putObject("blkio_stats");
        blkio(blk.putArray("io_service_bytes_recursive"), now.cgroup().ioServiceBytes());
        blkio(blk.putArray("io_serviced_recursive"), now.cgroup().ioServiced());
        for (String k : new String[] {"io_queue_recursive", "io_service_time_recursive", "io_wait_time_recursive",
            "io_merged_recursive", "io_time_recursive", "sectors_recursive"}) {
            blk.putNull(k);
        }
        o.put("num_procs", 0);
        o.putObject("storage_stats");
        cpu(o.putObject("cpu_stats"), now);
        if (prev == null) {
            ObjectNode pre = o.putObject("precpu_stats");
            ObjectNode u = pre.putObject("cpu_usage");
            u.put("total_usage", 0);
            u.put("usage_in_kernelmode", 0);
            u.put("usage_in_usermode", 0);
            ObjectNode t = pre.putObject("throttling_data");
            t.put("periods", 0);
            t.put("throttled_periods", 0);
            t.put("throttled_time", 0);
        } else {
            cpu(o.putObject("precpu_stats"), prev);
        }
        CgroupSample c = now.cgroup();
        ObjectNode mem = o.putObject("memory_stats");
        mem.put("usage", c.memUsage());
        if (c.memMaxUsage() > 0) {
            mem.put("max_usage", c.memMaxUsage());
        }
        ObjectNode ms = mem.putObject("stats");
        c.memStats().forEach(ms::put);
        long limit = c.memLimit();
        mem.put("limit", machineMemory > 0 && (limit <= 0 || limit > machineMemory) ? machineMemory : limit);
        if (!now.networks().isEmpty()) {
            ObjectNode nets = o.putObject("networks");
            now.networks().forEach((iface, v) -> {
                ObjectNode n = nets.putObject(iface);
                n.put("rx_bytes", v[0]);
                n.put("rx_packets", v[1]);
                n.put("rx_errors", v[2]);
                n.put("rx_dropped", v[3]);
                n.put("tx_bytes", v[4]);
                n.put("tx_packets", v[5]);
                n.put("tx_errors", v[6]);
                n.put("tx_dropped", v[7]);
            });
        }
        return o;
    }

    private static void cpu(ObjectNode cpu, Reading r) {
        CgroupSample c = r.cgroup();
        ObjectNode u = cpu.putObject("cpu_usage");
        u.put("total_usage", c.cpuTotalNanos());
        if (!c.perCpuNanos().isEmpty()) {
            ArrayNode per = u.putArray("percpu_usage");
            c.perCpuNanos().forEach(per::add);
        }
        u.put("usage_in_kernelmode", c.cpuKernelNanos());
        u.put("usage_in_usermode", c.cpuUserNanos());
        cpu.put("system_cpu_usage", r.systemCpuNanos());
        cpu.put("online_cpus", r.onlineCpus());
        ObjectNode t = cpu.putObject("throttling_data");
        t.put("periods", c.throttlePeriods());
        t.put("throttled_periods", c.throttledPeriods());
        t.put("throttled_time", c.throttledNanos());
    }

    private static void blkio(ArrayNode a, List<CgroupSample.BlkioEntry> entries) {
        for (CgroupSample.BlkioEntry e : entries) {
            ObjectNode n = a.addObject();
            n.put("major", e.major());
            n.put("minor", e.minor());
            n.put("op", e.op());
            n.put("value", e.value());
        }
    }

    /** The CPU % docker stats shows: container delta / system delta * online cpus * 100. */
    public static double cpuPercent(Reading now, Reading prev) {
        if (prev == null) {
            return 0;
        }
        double cpuDelta = now.cgroup().cpuTotalNanos() - prev.cgroup().cpuTotalNanos();
        double sysDelta = now.systemCpuNanos() - prev.systemCpuNanos();
        return sysDelta > 0 && cpuDelta > 0 ? cpuDelta / sysDelta * now.onlineCpus() * 100.0 : 0;
    }

    /** Host CPU time in ns from the "cpu" line of /proc/stat (user..steal), and the number of cpuN lines. */
    static long[] systemCpu(String procStat) {
        long total = 0;
        int cpus = 0;
        for (String line : procStat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                for (int i = 1; i < Math.min(f.length, 9); i++) {
                    total += Long.parseLong(f[i]);
                }
            } else if (line.startsWith("cpu")) {
                cpus++;
            }
        }
        return new long[] {total * NANOS_PER_TICK, cpus};
    }

    /** Interfaces of /proc/<pid>/net/dev (the container's netns) except lo: rx bytes/packets/errs/drop, tx same. */
    static Map<String, long[]> netDev(String content) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String line : content.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || line.contains("|")) {
                continue;
            }
            String iface = line.substring(0, colon).trim();
            if (iface.equals("lo")) {
                continue;
            }
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (f.length < 12) {
                continue;
            }
            out.put(iface, new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                Long.parseLong(f[3]), Long.parseLong(f[8]), Long.parseLong(f[9]), Long.parseLong(f[10]),
                Long.parseLong(f[11])});
        }
        return out;
    }

    /** Reads the container (pid 0: not running, zeros) and the host at this instant. */
    public static Reading take(CgroupReader reader, int pid) {
        long[] sys = systemCpu(readOr(Path.of("/proc/stat")));
        CgroupSample s = CgroupSample.EMPTY;
        Map<String, long[]> nets = Map.of();
        if (pid > 0) {
            String cg = readOr(Path.of("/proc", Integer.toString(pid), "cgroup"));
            if (!cg.isEmpty()) {
                s = reader.read(cg);
            }
            nets = netDev(readOr(Path.of("/proc", Integer.toString(pid), "net", "dev")));
        }
        return new Reading(Instant.now(), s, sys[0], (int) sys[1], nets);
    }

    static long machineMemory() {
        for (String line : readOr(Path.of("/proc/meminfo")).split("\n")) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return 0;
    }

    private static String readOr(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
