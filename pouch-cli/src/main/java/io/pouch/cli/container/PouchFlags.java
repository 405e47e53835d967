package io.pouch.cli.container;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.cli.CliException;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pouch's own container flags (rich containers, lxcfs, disk quota, AliKernel memory/scheduler knobs, NVIDIA and
 * Intel RDT settings), sent under Pouch's JSON names where Pouch's CLI puts them: the Config part at the top of the
 * body, the HostConfig part in HostConfig. The daemon applies them or refuses them naming the field.
 */
public final class PouchFlags {
    @Option(names = "--rich", description = "Start container in rich container mode. (default false)")
    boolean rich;

    @Option(names = "--rich-mode", description = "Choose one rich container mode. dumb-init(default), systemd, sbin-init")
    String richMode;

    @Option(names = "--initscript", description = "Initial script executed in container")
    String initScript;

    @Option(names = "--enableLxcfs", description = "Enable lxcfs for the container")
    boolean enableLxcfs;

    @Option(names = "--disk-quota", description = "Set disk quota for container ([PATH=]SIZE)")
    List<String> diskQuota = new ArrayList<>();

    @Option(names = "--quota-id", description = "Specified quota id, if id < 0, it means pouchd alloc a unique quota id")
    String quotaId;

    @Option(names = "--specific-id", description = "Specify id of container: 64 characters of [0-9a-f]")
    String specificId;

    @Option(names = "--spec-annotation", paramLabel = "KEY=VALUE", description = "Additional annotation for runtime")
    List<String> specAnnotations = new ArrayList<>();

    @Option(names = "--net-priority", description = "net priority")
    Long netPriority;

    @Option(names = "--disable-network-files",
            description = "Disable the generation of network files (/etc/hostname, /etc/hosts and /etc/resolv.conf)")
    boolean disableNetworkFiles;

    @Option(names = "--nvidia-capabilities",
            description = "Which driver libraries/binaries will be mounted inside the container")
    String nvidiaCapabilities;

    @Option(names = "--nvidia-visible-devs", description = "Which GPUs will be made accessible inside the container")
    String nvidiaVisibleDevices;

    @Option(names = "--intel-rdt-l3-cbm",
            description = "Limit container resource for Intel RDT/CAT which introduced in Linux 4.10 kernel")
    String intelRdtL3Cbm;

    @Option(names = "--memory-wmark-ratio",
            description = "Memory low water mark in percent of the memory limit (AliKernel)")
    Long memoryWmarkRatio;

    @Option(names = "--memory-extra", description = "Memory extra in bytes (AliKernel)")
    Long memoryExtra;

    @Option(names = "--memory-force-empty-ctl",
            description = "Whether to reclaim the page cache when deleting cgroup (AliKernel)")
    Long memoryForceEmptyCtl;

    @Option(names = "--sche-lat-switch", description = "Enable scheduler latency count in cpuacct (AliKernel)")
    Long scheLatSwitch;

    /** Config part into {@code body}, HostConfig part into {@code hc}; flags not given stay out of both. */
    void apply(ObjectNode body, ObjectNode hc) {
        if (rich) {
            body.put("Rich", true);
        }
        FlagValues.putString(body, "RichMode", richMode);
        FlagValues.putString(body, "InitScript", initScript);
        if (!diskQuota.isEmpty()) {
            ObjectNode q = body.putObject("DiskQuota");
            diskQuota(diskQuota).forEach(q::put);
        }
        String id = quotaId(quotaId, diskQuota);
        FlagValues.putString(body, "QuotaID", id);
        FlagValues.putString(body, "SpecificID", specificId);
        if (!specAnnotations.isEmpty()) {
            ObjectNode a = body.putObject("SpecAnnotation");
            for (String s : specAnnotations) {
                int eq = s.indexOf('=');
                if (eq <= 0 || eq == s.length() - 1) {
                    throw new CliException("invalid format for spec annotation: " + s
                            + ", correct format should be key=value, neither should be nil", 125);
                }
                a.put(s.substring(0, eq), s.substring(eq + 1));
            }
        }
        FlagValues.putLong(body, "NetPriority", netPriority);
        if (disableNetworkFiles) {
            body.put("DisableNetworkFiles", true);
        }
        if (enableLxcfs) {
            hc.put("EnableLxcfs", true);
        }
        if (nvidiaCapabilities != null || nvidiaVisibleDevices != null) {
            ObjectNode n = hc.putObject("NvidiaConfig");
            FlagValues.putString(n, "NvidiaDriverCapabilities", nvidiaCapabilities);
            FlagValues.putString(n, "NvidiaVisibleDevices", nvidiaVisibleDevices);
        }
        FlagValues.putString(hc, "IntelRdtL3Cbm", intelRdtL3Cbm);
        FlagValues.putLong(hc, "MemoryWmarkRatio", memoryWmarkRatio);
        FlagValues.putLong(hc, "MemoryExtra", memoryExtra);
        FlagValues.putLong(hc, "MemoryForceEmptyCtl", memoryForceEmptyCtl);
        FlagValues.putLong(hc, "ScheLatSwitch", scheLatSwitch);
    }

    /** Pouch's ParseDiskQuota: PATH=SIZE, or SIZE alone for every dir (".*"). */
    static Map<String, String> diskQuota(List<String> quotas) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String q : quotas) {
            if (q.isEmpty()) {
                throw new CliException("invalid format for disk quota: quota cannot be empty string", 125);
            }
            String[] parts = q.split("=", -1);
            switch (parts.length) {
                case 1 -> out.put(".*", parts[0]);
                case 2 -> out.put(parts[0], parts[1]);
                default -> throw new CliException("invalid format for disk quota: " + q, 125);
            }
        }
        return out;
    }

    /** Pouch's ParseQuotaID: a quota id needs exactly one --disk-quota; one SIZE alone asks for a new id (-1). */
    static String quotaId(String id, List<String> quotas) {
        boolean set = id != null && !id.isEmpty() && !id.equals("0");
        if (quotas.isEmpty()) {
            if (set) {
                throw new CliException("invalid to set quota id(" + id + ") without disk-quota", 125);
            }
        } else if (quotas.size() == 1) {
            if (set) {
                return id;
            }
            if (!quotas.get(0).contains("=")) {
                return "-1";
            }
        } else if (set) {
            throw new CliException("invalid to set quota id(" + id + ") for multi disk-quota", 125);
        }
        return id;
    }
}
