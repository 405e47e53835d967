package io.pouch.cli.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import io.pouch.cli.format.Units;
import picocli.CommandLine.Option;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import static io.pouch.cli.container.FlagValues.bytes;
import static io.pouch.cli.container.FlagValues.invalid;
import static io.pouch.cli.container.FlagValues.putLong;
import static io.pouch.cli.container.FlagValues.putString;

/**
 * The cgroup resource flags of run/create (memory, CPU, block IO, pids, ulimits, /dev/shm) and where the docker
 * CLI puts them: the resource fields of HostConfig, sizes in bytes, rates per device as {Path, Rate|Weight}.
 */
public final class ResourceFlags {
    @Option(names = {"-m", "--memory"}, paramLabel = "bytes", description = "Memory limit")
    String memory;

    @Option(names = "--memory-reservation", paramLabel = "bytes", description = "Memory soft limit")
    String memoryReservation;

    @Option(names = "--memory-swap", paramLabel = "bytes",
            description = "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
    String memorySwap;

    @Option(names = "--memory-swappiness", description = "Tune container memory swappiness (0 to 100) (default -1)")
    long memorySwappiness = -1;

    @Option(names = "--kernel-memory", paramLabel = "bytes", description = "Kernel memory limit")
    String kernelMemory;

    @Option(names = "--oom-kill-disable", description = "Disable OOM Killer")
    boolean oomKillDisable;

    @Option(names = "--oom-score-adj", description = "Tune host's OOM preferences (-1000 to 1000)")
    int oomScoreAdj;

    @Option(names = "--shm-size", paramLabel = "bytes", description = "Size of /dev/shm")
    String shmSize;

    @Option(names = "--cpus", paramLabel = "decimal", description = "Number of CPUs")
    String cpus;

    @Option(names = {"-c", "--cpu-shares"}, description = "CPU shares (relative weight)")
    long cpuShares;

    @Option(names = "--cpu-period", description = "Limit CPU CFS (Completely Fair Scheduler) period")
    long cpuPeriod;

    @Option(names = "--cpu-quota", description = "Limit CPU CFS (Completely Fair Scheduler) quota")
    long cpuQuota;

    @Option(names = "--cpu-rt-period", description = "Limit CPU real-time period in microseconds")
    long cpuRtPeriod;

    @Option(names = "--cpu-rt-runtime", description = "Limit CPU real-time runtime in microseconds")
    long cpuRtRuntime;

    @Option(names = "--cpuset-cpus", description = "CPUs in which to allow execution (0-3, 0,1)")
    String cpusetCpus;

    @Option(names = "--cpuset-mems", description = "MEMs in which to allow execution (0-3, 0,1)")
    String cpusetMems;

    @Option(names = "--cpu-count", description = "CPU count (Windows only)")
    long cpuCount;

    @Option(names = "--cpu-percent", description = "CPU percent (Windows only)")
    long cpuPercent;

    @Option(names = "--io-maxbandwidth", paramLabel = "bytes",
            description = "Maximum IO bandwidth limit for the system drive (Windows only)")
    String ioMaxBandwidth;

    @Option(names = "--io-maxiops", description = "Maximum IOps limit for the system drive (Windows only)")
    long ioMaxIops;

    @Option(names = "--blkio-weight", paramLabel = "uint16",
            description = "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)")
    String blkioWeight;

    @Option(names = "--blkio-weight-device", paramLabel = "DEVICE:WEIGHT",
            description = "Block IO weight (relative device weight)")
    List<String> blkioWeightDevice = new ArrayList<>();

    @Option(names = "--device-read-bps", paramLabel = "DEVICE:RATE",
            description = "Limit read rate (bytes per second) from a device")
    List<String> deviceReadBps = new ArrayList<>();

    @Option(names = "--device-write-bps", paramLabel = "DEVICE:RATE",
            description = "Limit write rate (bytes per second) to a device")
    List<String> deviceWriteBps = new ArrayList<>();

    @Option(names = "--device-read-iops", paramLabel = "DEVICE:RATE",
            description = "Limit read rate (IO per second) from a device")
    List<String> deviceReadIops = new ArrayList<>();

    @Option(names = "--device-write-iops", paramLabel = "DEVICE:RATE",
            description = "Limit write rate (IO per second) to a device")
    List<String> deviceWriteIops = new ArrayList<>();

    @Option(names = "--pids-limit", description = "Tune container pids limit (set -1 for unlimited)")
    Long pidsLimit;

    @Option(names = "--ulimit", paramLabel = "NAME=SOFT[:HARD]", description = "Ulimit options")
    List<String> ulimits = new ArrayList<>();

    /** Adds the resource fields to the HostConfig {@code hc}; zero values stay out, as docker leaves them zero. */
    void apply(ObjectNode hc) {
        putLong(hc, "Memory", bytes("-m, --memory", memory));
        putLong(hc, "MemoryReservation", bytes("--memory-reservation", memoryReservation));
        putLong(hc, "MemorySwap", FlagValues.memSwap("--memory-swap", memorySwap));
        if (memorySwappiness != -1) {
            if (memorySwappiness < 0 || memorySwappiness > 100) {
                throw new CliException("invalid value: " + memorySwappiness
                        + ". Valid memory swappiness range is 0-100", 125);
            }
            hc.put("MemorySwappiness", memorySwappiness);
        }
        // the docker CLI 28 still takes --kernel-memory but no longer sends it; it goes in under the field's API
        // name so that the daemon applies or refuses it instead of it vanishing
        putLong(hc, "KernelMemory", bytes("--kernel-memory", kernelMemory));
        if (oomKillDisable) {
            hc.put("OomKillDisable", true);
        }
        nonZero(hc, "OomScoreAdj", oomScoreAdj);
        putLong(hc, "ShmSize", bytes("--shm-size", shmSize));
        if (cpus != null) {
            hc.put("NanoCpus", nanoCpus(cpus));
        }
        nonZero(hc, "CpuShares", cpuShares);
        nonZero(hc, "CpuPeriod", cpuPeriod);
        nonZero(hc, "CpuQuota", cpuQuota);
        nonZero(hc, "CpuRealtimePeriod", cpuRtPeriod);
        nonZero(hc, "CpuRealtimeRuntime", cpuRtRuntime);
        putString(hc, "CpusetCpus", cpusetCpus);
        putString(hc, "CpusetMems", cpusetMems);
        windowsOnly();
        if (blkioWeight != null) {
            hc.put("BlkioWeight", uint16("--blkio-weight", blkioWeight));
        }
        devices(hc, "BlkioWeightDevice", "--blkio-weight-device", blkioWeightDevice, Rate.WEIGHT);
        devices(hc, "BlkioDeviceReadBps", "--device-read-bps", deviceReadBps, Rate.BYTES);
        devices(hc, "BlkioDeviceWriteBps", "--device-write-bps", deviceWriteBps, Rate.BYTES);
        devices(hc, "BlkioDeviceReadIOps", "--device-read-iops", deviceReadIops, Rate.IOPS);
        devices(hc, "BlkioDeviceWriteIOps", "--device-write-iops", deviceWriteIops, Rate.IOPS);
        putLong(hc, "PidsLimit", pidsLimit);
        if (!ulimits.isEmpty()) {
            ArrayNode u = hc.putArray("Ulimits");
            for (String spec : ulimits) {
                u.add(ulimit(spec));
            }
        }
    }

    /** The Windows-only flags are refused as the docker CLI refuses them for a Linux daemon (exit 1). */
    private void windowsOnly() {
        List<String> given = new ArrayList<>();
        if (cpuCount != 0) {
            given.add("--cpu-count");
        }
        if (cpuPercent != 0) {
            given.add("--cpu-percent");
        }
        if (ioMaxBandwidth != null) {
            given.add("--io-maxbandwidth");
        }
        if (ioMaxIops != 0) {
            given.add("--io-maxiops");
        }
        if (!given.isEmpty()) {
            StringBuilder b = new StringBuilder();
            for (String f : given) {
                b.append(b.isEmpty() ? "" : "\n").append('"').append(f).append("\" is only supported on a Docker"
                        + " daemon running on windows, but the Docker daemon is running on linux");
            }
            throw new CliException(b.toString(), 1);
        }
    }

    private static void nonZero(ObjectNode hc, String field, long value) {
        if (value != 0) {
            hc.put(field, value);
        }
    }

    private static int uint16(String flag, String value) {
        try {
            int v = Integer.parseInt(value);
            if (v < 0 || v > 65535) {
                throw invalid(flag, value, "strconv.ParseUint: parsing \"" + value + "\": value out of range");
            }
            return v;
        } catch (NumberFormatException e) {
            throw invalid(flag, value, "strconv.ParseUint: parsing \"" + value + "\": invalid syntax");
        }
    }

    private enum Rate { WEIGHT, BYTES, IOPS }

    /** {@code /dev/x:N} values as docker's WeightDevice / ThrottleDevice options read and word them. */
    private static void devices(ObjectNode hc, String field, String flag, List<String> specs, Rate kind) {
        if (specs.isEmpty()) {
            return;
        }
        ArrayNode a = hc.putArray(field);
        for (String spec : specs) {
            int colon = spec.indexOf(':');
            if (colon <= 0) {
                throw invalid(flag, spec, "bad format: " + spec);
            }
            String path = spec.substring(0, colon);
            String v = spec.substring(colon + 1);
            if (!path.startsWith("/dev/")) {
                throw invalid(flag, spec, "bad format for device path: " + spec);
            }
            ObjectNode d = a.addObject();
            d.put("Path", path);
            switch (kind) {
                case WEIGHT -> {
                    int w;
                    try {
                        w = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        w = -1;
                    }
                    if (w < 0 || w > 65535 || (w > 0 && (w < 10 || w > 1000))) {
                        throw invalid(flag, spec, "invalid weight for device: " + spec);
                    }
                    d.put("Weight", w);
                }
                case BYTES -> {
                    long rate;
                    try {
                        rate = Units.ramInBytes(v);
                    } catch (IllegalArgumentException e) {
                        rate = -1;
                    }
                    if (rate < 0) {
                        throw invalid(flag, spec, "invalid rate for device: " + spec + ". The correct format is"
                                + " <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is"
                                + " optional and can be kb, mb, or gb");
                    }
                    d.put("Rate", rate);
                }
                case IOPS -> {
                    long rate;
                    try {
                        rate = v.startsWith("+") || v.startsWith("-") ? -1 : Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        rate = -1;
                    }
                    if (rate < 0) {
                        throw invalid(flag, spec, "invalid rate for device: " + spec + ". The correct format is"
                                + " <device-path>:<number>. Number must be a positive integer");
                    }
                    d.put("Rate", rate);
                }
            }
        }
    }

    static long nanoCpus(String cpus) {
        try {
            BigDecimal n = new BigDecimal(cpus).movePointRight(9);
            if (n.signum() < 0 || n.stripTrailingZeros().scale() > 0) {
                throw new NumberFormatException();
            }
            return n.longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new CliException("invalid argument \"" + cpus + "\" for \"--cpus\" flag: failed to parse "
                    + cpus + " as a rational number", 125);
        }
    }

    static ObjectNode ulimit(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new CliException("invalid ulimit argument: " + spec, 125);
        }
        String name = spec.substring(0, eq);
        String[] limits = spec.substring(eq + 1).split(":", -1);
        if (limits.length > 2) {
            throw new CliException("too many limit value arguments - " + spec.substring(eq + 1)
                    + ", can only have up to two, `soft[:hard]`", 125);
        }
        try {
            long soft = Long.parseLong(limits[0]);
            long hard = limits.length == 2 ? Long.parseLong(limits[1]) : soft;
            if (soft > hard) {
                throw new CliException("ulimit soft limit must be less than or equal to hard limit: " + soft
                        + " > " + hard, 125);
            }
            ObjectNode u = Json.MAPPER.createObjectNode();
            u.put("Name", name);
            u.put("Hard", hard);
            u.put("Soft", soft);
            return u;
        } catch (NumberFormatException e) {
            throw new CliException("invalid ulimit argument: " + spec, 125);
        }
    }
}
