package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.container.devices.DeviceNode;
import io.pouch.daemon.container.devices.HostDevices;

import java.util.List;
import java.util.function.BiFunction;

/**
 * The {@code linux.resources} part of a container's OCI spec: the device cgroup and the memory, CPU and pids
 * limits, block IO weights and throttles, checked with dockerd's rules and messages. Pure, like
 * {@link OciSpecBuilder}: which cgroup controls the host has comes in as {@link CgroupFacts}, and block devices
 * are resolved to their numbers by the function given.
 */
final class OciResources {
    static final long CPU_PERIOD = 100_000;
    private static final long MIN_MEMORY = 6 * 1024 * 1024;

    private OciResources() {
    }

    /** With every cgroup control present, block devices read from the host. */
    static ObjectNode of(HostConfig hc, boolean privileged, OciSpecBuilder.Host host) {
        return of(hc, privileged, host, CgroupFacts.V1_FULL, HostDevices::block);
    }

    /**
     * @param blockDevice the block device a setting names (field name, host path), refused when it is not one
     */
    static ObjectNode of(HostConfig hc, boolean privileged, OciSpecBuilder.Host host, CgroupFacts facts,
                         BiFunction<String, String, DeviceNode> blockDevice) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        ArrayNode devices = r.putArray("devices");
        if (privileged) {
            devices.addObject().put("allow", true).put("access", "rwm");
        } else {
            devices.addObject().put("allow", false).put("access", "rwm");
            // Docker's default allow list: mknod of anything, and use of the standard character devices.
            device(devices, "c", null, null, "m");
            device(devices, "b", null, null, "m");
            device(devices, "c", 1L, 3L, "rwm");   // null
            device(devices, "c", 1L, 8L, "rwm");   // random
            device(devices, "c", 1L, 7L, "rwm");   // full
            device(devices, "c", 5L, 0L, "rwm");   // tty
            device(devices, "c", 1L, 5L, "rwm");   // zero
            device(devices, "c", 1L, 9L, "rwm");   // urandom
            device(devices, "c", 136L, null, "rwm"); // pts
            device(devices, "c", 5L, 1L, "rwm");   // console
            device(devices, "c", 5L, 2L, "rwm");   // ptmx
            device(devices, "c", 10L, 200L, "rwm"); // tun
        }
        long mem = hc.memory();
        long swap = hc.memorySwap();
        if (mem < 0) {
            throw PouchException.invalidArgument("invalid Memory: it cannot be negative");
        }
        if (mem > 0 && mem < MIN_MEMORY) {
            throw PouchException.invalidArgument("Minimum memory limit allowed is 6MB");
        }
        if (swap != 0 && swap != -1 && mem == 0) {
            throw PouchException.invalidArgument("You should always set the Memory limit when using Memoryswap limit, see usage");
        }
        if (swap > 0 && swap < mem) {
            throw PouchException.invalidArgument("Minimum memoryswap limit should be larger than memory limit, see usage");
        }
        if (hc.memoryReservation() < 0) {
            throw PouchException.invalidArgument("invalid MemoryReservation: it cannot be negative");
        }
        if (hc.memoryReservation() > 0 && hc.memoryReservation() < MIN_MEMORY) {
            throw PouchException.invalidArgument("Minimum memory reservation allowed is 6MB");
        }
        if (mem > 0 && hc.memoryReservation() > 0 && mem < hc.memoryReservation()) {
            throw PouchException.invalidArgument(
                    "Minimum memory limit can not be less than memory reservation limit, see usage");
        }
        Long swappiness = hc.memorySwappiness();
        if (swappiness != null && swappiness != -1) {
            if (swappiness < 0 || swappiness > 100) {
                throw PouchException.invalidArgument("Invalid value: " + swappiness
                        + ", valid memory swappiness range is 0-100");
            }
            if (!facts.swappiness()) {
                throw PouchException.invalidArgument("MemorySwappiness " + swappiness + ": " + (facts.unified()
                        ? "cgroup v2 has no memory swappiness control" : "Your kernel does not support memory"
                        + " swappiness capabilities or the cgroup is not mounted") + "; remove it (or give -1)");
            }
        }
        boolean oomKillDisable = Boolean.TRUE.equals(hc.oomKillDisable());
        boolean hasSwappiness = swappiness != null && swappiness != -1;
        if (mem > 0 || hc.memoryReservation() > 0 || oomKillDisable || hasSwappiness) {
            ObjectNode m = r.putObject("memory");
            if (hasSwappiness) {
                m.put("swappiness", swappiness);
            }
            if (mem > 0) {
                m.put("limit", mem);
                if (swap != 0) {
                    m.put("swap", swap);
                }
            }
            if (hc.memoryReservation() > 0) {
                m.put("reservation", hc.memoryReservation());
            }
            if (oomKillDisable) {
                // applied without a memory limit too, as dockerd does (it warns, see warnings)
                m.put("disableOOMKiller", true);
            }
        }
        ObjectNode cpu = Json.MAPPER.createObjectNode();
        if (hc.nanoCpus() != 0) {
            if (hc.cpuQuota() != 0) {
                throw PouchException.invalidArgument("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
            }
            if (hc.cpuPeriod() != 0) {
                throw PouchException.invalidArgument("Conflicting options: Nano CPUs and CPU Period cannot both be set");
            }
            if (hc.nanoCpus() < 0 || hc.nanoCpus() > (long) host.cpus() * 1_000_000_000L) {
                throw PouchException.invalidArgument("Range of CPUs is from 0.01 to " + host.cpus() + ".00, as there are only "
                        + host.cpus() + " CPUs available");
            }
            cpu.put("period", CPU_PERIOD);
            cpu.put("quota", cpuQuota(hc.nanoCpus()));
        } else {
            if (hc.cpuPeriod() != 0) {
                if (hc.cpuPeriod() < 1000 || hc.cpuPeriod() > 1_000_000) {
                    throw PouchException.invalidArgument("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
                }
                cpu.put("period", hc.cpuPeriod());
            }
            if (hc.cpuQuota() != 0) {
                if (hc.cpuQuota() > 0 && hc.cpuQuota() < 1000) {
                    throw PouchException.invalidArgument("CPU cfs quota can not be less than 1ms (i.e. 1000)");
                }
                cpu.put("quota", hc.cpuQuota());
            }
        }
        if (hc.cpuShares() < 0) {
            throw PouchException.invalidArgument("invalid CpuShares: it cannot be negative");
        }
        if (hc.cpuShares() > 0) {
            cpu.put("shares", hc.cpuShares());
        }
        if (hc.cpusetCpus() != null && !hc.cpusetCpus().isEmpty()) {
            cpu.put("cpus", validCpuset(hc.cpusetCpus(), "cpus", facts.cpus()));
        }
        if (hc.cpusetMems() != null && !hc.cpusetMems().isEmpty()) {
            cpu.put("mems", validCpuset(hc.cpusetMems(), "mems", facts.mems()));
        }
        realtime(hc, facts, cpu);
        if (!cpu.isEmpty()) {
            r.set("cpu", cpu);
        }
        ObjectNode blockIo = BlockIoResources.of(hc, facts, blockDevice);
        if (!blockIo.isEmpty()) {
            r.set("blockIO", blockIo);
        }
        if (hc.pidsLimit() != null && hc.pidsLimit() != 0) {
            r.putObject("pids").put("limit", hc.pidsLimit() < 0 ? -1 : hc.pidsLimit());
        }
        return r;
    }

    /** dockerd's checks of CpuRealtimePeriod/Runtime (cgroup v1 with real-time group scheduling only). */
    private static void realtime(HostConfig hc, CgroupFacts facts, ObjectNode cpu) {
        long period = hc.cpuRealtimePeriod();
        long runtime = hc.cpuRealtimeRuntime();
        if (period < 0 || runtime < 0) {
            throw PouchException.invalidArgument("invalid CpuRealtime" + (period < 0 ? "Period" : "Runtime")
                    + ": it cannot be negative");
        }
        if (period != 0 && !facts.cpuRealtime()) {
            throw PouchException.invalidArgument("Your kernel does not support cgroup cpu real-time period");
        }
        if (runtime != 0 && !facts.cpuRealtime()) {
            throw PouchException.invalidArgument("Your kernel does not support cgroup cpu real-time runtime");
        }
        if (period != 0 && runtime != 0 && runtime > period) {
            throw PouchException.invalidArgument("cpu real-time runtime cannot be higher than cpu real-time period");
        }
        if (period != 0) {
            cpu.put("realtimePeriod", period);
        }
        if (runtime != 0) {
            cpu.put("realtimeRuntime", runtime);
        }
    }

    /** Docker's warnings for settings that are applied but may surprise. */
    static List<String> warnings(HostConfig hc) {
        if (Boolean.TRUE.equals(hc.oomKillDisable()) && hc.memory() == 0) {
            return List.of("OOM killer is disabled for the container, but no memory limit is set, this can result in"
                    + " the system running out of resources.");
        }
        return List.of();
    }

    /** NanoCpus to a CFS quota over Docker's fixed 100 ms period: 1.5 CPUs = 150000. */
    static long cpuQuota(long nanoCpus) {
        return nanoCpus * CPU_PERIOD / 1_000_000_000L;
    }

    /** dockerd's checks: the list's format, then that the host has every CPU (memory node) it names. */
    private static String validCpuset(String s, String what, String available) {
        java.util.Set<Integer> wanted = cpuList(s);
        if (wanted == null) {
            throw PouchException.invalidArgument("Invalid value " + s + " for cpuset " + what + ": invalid format: " + s);
        }
        java.util.Set<Integer> have = available == null || available.isEmpty() ? null : cpuList(available);
        if (have != null && !have.containsAll(wanted)) {
            throw PouchException.invalidArgument("Requested " + (what.equals("cpus") ? "CPUs" : "memory nodes")
                    + " are not available - requested " + s + ", available: " + available);
        }
        return s;
    }

    /** A Linux CPU list ({@code 0-2,4}) as a set, or null when malformed. */
    static java.util.Set<Integer> cpuList(String s) {
        if (!s.matches("\\d+(-\\d+)?(,\\d+(-\\d+)?)*")) {
            return null;
        }
        java.util.Set<Integer> out = new java.util.TreeSet<>();
        for (String part : s.split(",")) {
            String[] r = part.split("-");
            int from;
            int to;
            try {
                from = Integer.parseInt(r[0]);
                to = r.length > 1 ? Integer.parseInt(r[1]) : from;
            } catch (NumberFormatException e) {
                return null;
            }
            if (to < from || to - from > 65536) {
                return null;
            }
            for (int c = from; c <= to; c++) {
                out.add(c);
            }
        }
        return out;
    }

    private static void device(ArrayNode devices, String type, Long major, Long minor, String access) {
        ObjectNode d = devices.addObject();
        d.put("allow", true);
        d.put("type", type);
        if (major != null) {
            d.put("major", major);
        }
        if (minor != null) {
            d.put("minor", minor);
        }
        d.put("access", access);
    }
}
