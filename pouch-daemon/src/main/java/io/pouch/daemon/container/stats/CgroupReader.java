package io.pouch.daemon.container.stats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a process's cgroup counters from the cgroup filesystem, v1 (one hierarchy per controller) or v2 (one
 * unified hierarchy). The cgroup of the process comes from {@code /proc/<pid>/cgroup}, so any cgroup parent works.
 * Missing files read as 0: a controller may be absent (no pids controller) without failing the whole reading.
 */
public final class CgroupReader {
    /** USER_HZ: cpuacct.stat counts in ticks of 1/100 s. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final Path mountRoot;

    /** @param mountRoot where the cgroup filesystems are mounted, normally {@code /sys/fs/cgroup} */
    public CgroupReader(Path mountRoot) {
        this.mountRoot = mountRoot;
    }

    /** v2-only host ("unified" mode): the root has cgroup.controllers. Hybrid hosts (v1 controllers) read v1. */
    public boolean unified() {
        return Files.exists(mountRoot.resolve("cgroup.controllers"));
    }

    /** @param procCgroup contents of {@code /proc/<pid>/cgroup} */
    public CgroupSample read(String procCgroup) {
        Map<String, String> paths = parseProcCgroup(procCgroup);
        return unified() ? readV2(mountRoot.resolve(rel(paths.getOrDefault("", "/")))) : readV1(paths);
    }

    /** controller name → path; the v2 entry ("0::/path") under the key "". Combined lines ("cpu,cpuacct") split. */
    static Map<String, String> parseProcCgroup(String content) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : content.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            for (String c : f[1].split(",")) {
                m.put(c, f[2]);
            }
        }
        return m;
    }

    private CgroupSample readV1(Map<String, String> paths) {
        Path cpuacct = dir(v1Dir("cpuacct"), paths.get("cpuacct"));
        Path cpu = dir(v1Dir("cpu"), paths.get("cpu"));
        Path mem = dir(mountRoot.resolve("memory"), paths.get("memory"));
        Path pids = dir(mountRoot.resolve("pids"), paths.get("pids"));
        Path blkio = dir(mountRoot.resolve("blkio"), paths.get("blkio"));
        Map<String, Long> acct = keyValues(read(cpuacct, "cpuacct.stat"));
        Map<String, Long> cpuStat = keyValues(read(cpu, "cpu.stat"));
        Map<String, Long> memStat = keyValues(read(mem, "memory.stat"));
        return new CgroupSample(
                num(read(cpuacct, "cpuacct.usage")), longs(read(cpuacct, "cpuacct.usage_percpu")),
                acct.getOrDefault("system", 0L) * NANOS_PER_TICK, acct.getOrDefault("user", 0L) * NANOS_PER_TICK,
                cpuStat.getOrDefault("nr_periods", 0L), cpuStat.getOrDefault("nr_throttled", 0L),
                cpuStat.getOrDefault("throttled_time", 0L),
                num(read(mem, "memory.usage_in_bytes")), num(read(mem, "memory.max_usage_in_bytes")),
                num(read(mem, "memory.limit_in_bytes")), memStat,
                num(read(pids, "pids.current")), num(read(pids, "pids.max")),
                blkioV1(read(blkio, "blkio.throttle.io_service_bytes")),
                blkioV1(read(blkio, "blkio.throttle.io_serviced")));
    }

    private Path v1Dir(String controller) {
        Path p = mountRoot.resolve(controller);
        return Files.isDirectory(p) ? p : mountRoot.resolve("cpu,cpuacct");
    }

    static CgroupSample readV2(Path dir) {
        Map<String, Long> cpu = keyValues(read(dir, "cpu.stat"));
        Map<String, Long> memStat = keyValues(read(dir, "memory.stat"));
        List<CgroupSample.BlkioEntry> bytes = new ArrayList<>();
        List<CgroupSample.BlkioEntry> ios = new ArrayList<>();
        for (String line : read(dir, "io.stat").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 2 || !f[0].contains(":")) {
                continue;
            }
            String[] mm = f[0].split(":");
            long major = parse(mm[0]);
            long minor = parse(mm[1]);
            for (int i = 1; i < f.length; i++) {
                String[] kv = f[i].split("=", 2);
                if (kv.length != 2) {
                    continue;
                }
                long v = parse(kv[1]);
                switch (kv[0]) {
                    case "rbytes" -> bytes.add(new CgroupSample.BlkioEntry(major, minor, "read", v));
                    case "wbytes" -> bytes.add(new CgroupSample.BlkioEntry(major, minor, "write", v));
                    case "rios" -> ios.add(new CgroupSample.BlkioEntry(major, minor, "read", v));
                    case "wios" -> ios.add(new CgroupSample.BlkioEntry(major, minor, "write", v));
                    default -> {
                        // dbytes, dios: docker does not show them
                    }
                }
            }
        }
        String max = read(dir, "memory.max").trim();
        return new CgroupSample(
                cpu.getOrDefault("usage_usec", 0L) * 1000, List.of(), cpu.getOrDefault("system_usec", 0L) * 1000,
                cpu.getOrDefault("user_usec", 0L) * 1000, cpu.getOrDefault("nr_periods", 0L),
                cpu.getOrDefault("nr_throttled", 0L), cpu.getOrDefault("throttled_usec", 0L) * 1000,
                num(read(dir, "memory.current")), num(read(dir, "memory.peak")),
                max.equals("max") || max.isEmpty() ? Long.MAX_VALUE : parse(max), memStat,
                num(read(dir, "pids.current")), pidsMax(read(dir, "pids.max")), bytes, ios);
    }

    private static long pidsMax(String s) {
        s = s.trim();
        return s.equals("max") ? 0 : parse(s);
    }

    static List<CgroupSample.BlkioEntry> blkioV1(String content) {
        List<CgroupSample.BlkioEntry> out = new ArrayList<>();
        for (String line : content.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3 || !f[0].contains(":")) {
                continue; // the "Total N" line
            }
            String[] mm = f[0].split(":");
            out.add(new CgroupSample.BlkioEntry(parse(mm[0]), parse(mm[1]), f[1], parse(f[2])));
        }
        return out;
    }

    static Map<String, Long> keyValues(String content) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : content.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2) {
                m.put(f[0], parse(f[1]));
            }
        }
        return m;
    }

    private static List<Long> longs(String content) {
        List<Long> out = new ArrayList<>();
        for (String s : content.trim().split("\\s+")) {
            if (!s.isEmpty()) {
                out.add(parse(s));
            }
        }
        return out;
    }

    private static Path dir(Path controllerRoot, String path) {
        return path == null ? null : controllerRoot.resolve(rel(path));
    }

    private static String rel(String p) {
        return p.startsWith("/") ? p.substring(1) : p;
    }

    private static String read(Path dir, String file) {
        if (dir == null) {
            return "";
        }
        try {
            return Files.readString(dir.resolve(file));
        } catch (IOException e) {
            return "";
        }
    }

    private static long num(String s) {
        return parse(s.trim());
    }

    private static long parse(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
