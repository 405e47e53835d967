package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What runc writes on a cgroup v2 host for an OCI {@code linux.resources}: file of the container's cgroup →
 * value, with runc's conversions (cpu.weight from shares, io.weight from the blkio weight, memory.swap.max as
 * swap minus memory). Settings v2 has no file for (memory swappiness, the OOM-killer switch, real-time CPU
 * periods) are refused, as runc would fail or skip them. Device rules become an eBPF program, not a file, so
 * they are not listed. Pure; runc does the writing, this checks a spec before it is handed over and tells what
 * {@code update} changed.
 */
final class CgroupV2Files {
    private CgroupV2Files() {
    }

    static Map<String, String> of(JsonNode resources) {
        Map<String, String> f = new LinkedHashMap<>();
        JsonNode mem = resources.path("memory");
        if (mem.has("swappiness") && mem.path("swappiness").asLong() != -1) {
            throw refused("MemorySwappiness", "cgroup v2 has no memory swappiness control");
        }
        if (mem.path("disableOOMKiller").asBoolean(false)) {
            throw refused("OomKillDisable", "cgroup v2 cannot disable the OOM killer");
        }
        if (mem.has("kernel") || mem.has("kernelTCP")) {
            throw refused("KernelMemory", "cgroup v2 has no kernel memory limit");
        }
        long limit = mem.path("limit").asLong(0);
        if (limit != 0) {
            f.put("memory.max", max(limit));
        }
        if (mem.has("reservation")) {
            f.put("memory.low", max(mem.path("reservation").asLong()));
        }
        if (mem.has("swap")) {
            f.put("memory.swap.max", swapMax(mem.path("swap").asLong(), limit));
        }
        JsonNode cpu = resources.path("cpu");
        if (cpu.has("realtimePeriod") || cpu.has("realtimeRuntime")) {
            throw refused("CpuRealtimePeriod/CpuRealtimeRuntime", "cgroup v2 has no real-time CPU controls");
        }
        if (cpu.path("shares").asLong(0) != 0) {
            f.put("cpu.weight", Long.toString(cpuWeight(cpu.path("shares").asLong())));
        }
        if (cpu.has("quota") || cpu.has("period")) {
            long quota = cpu.path("quota").asLong(0);
            long period = cpu.path("period").asLong(0);
            f.put("cpu.max", (quota > 0 ? Long.toString(quota) : "max") + " "
                    + (period > 0 ? period : OciResources.CPU_PERIOD));
        }
        if (cpu.hasNonNull("cpus")) {
            f.put("cpuset.cpus", cpu.path("cpus").asText());
        }
        if (cpu.hasNonNull("mems")) {
            f.put("cpuset.mems", cpu.path("mems").asText());
        }
        JsonNode pids = resources.path("pids");
        if (pids.has("limit")) {
            f.put("pids.max", max(pids.path("limit").asLong()));
        }
        JsonNode io = resources.path("blockIO");
        if (io.path("weight").asInt(0) != 0) {
            // runc prefers io.bfq.weight (the blkio weight as it is) and falls back to io.weight
            f.put("io.weight", Long.toString(ioWeight(io.path("weight").asInt())));
        }
        if (io.has("weightDevice")) {
            List<String> lines = new ArrayList<>();
            io.path("weightDevice").forEach(d -> lines.add(d.path("major").asLong() + ":" + d.path("minor").asLong()
                    + " " + ioWeight(d.path("weight").asInt())));
            f.put("io.weight", String.join("\n", lines));
        }
        Map<String, StringBuilder> max = new LinkedHashMap<>();
        throttle(io, "throttleReadBpsDevice", "rbps", max);
        throttle(io, "throttleWriteBpsDevice", "wbps", max);
        throttle(io, "throttleReadIOPSDevice", "riops", max);
        throttle(io, "throttleWriteIOPSDevice", "wiops", max);
        if (!max.isEmpty()) {
            List<String> lines = new ArrayList<>();
            max.forEach((dev, kv) -> lines.add(dev + kv));
            f.put("io.max", String.join("\n", lines));
        }
        return f;
    }

    /** runc's ConvertCPUSharesToCgroupV2Value: shares 2..262144 onto weight 1..10000. */
    static long cpuWeight(long shares) {
        return shares == 0 ? 0 : 1 + ((shares - 2) * 9999) / 262142;
    }

    /** runc's ConvertBlkIOToIOWeightValue: weight 10..1000 onto 1..10000. */
    static long ioWeight(int weight) {
        return weight == 0 ? 0 : 1 + ((long) weight - 10) * 9999 / 990;
    }

    /** runc's ConvertMemorySwapToCgroupV2Value: v1's memory+swap total to v2's swap alone. */
    static String swapMax(long swap, long limit) {
        if (swap == -1) {
            return "max";
        }
        if (limit == -1 || limit == 0) {
            throw refused("MemorySwap", "on cgroup v2 a swap limit needs a memory limit");
        }
        if (swap < limit) {
            throw refused("MemorySwap", "the memory+swap limit cannot be below the memory limit");
        }
        return Long.toString(swap - limit);
    }

    private static void throttle(JsonNode io, String field, String key, Map<String, StringBuilder> max) {
        for (JsonNode d : io.path(field)) {
            String dev = d.path("major").asLong() + ":" + d.path("minor").asLong();
            max.computeIfAbsent(dev, k -> new StringBuilder()).append(' ').append(key).append('=')
                    .append(d.path("rate").asLong());
        }
    }

    private static String max(long v) {
        return v < 0 ? "max" : Long.toString(v);
    }

    private static PouchException refused(String field, String why) {
        return PouchException.invalidArgument(field + ": " + why + "; remove it to create the container");
    }
}
