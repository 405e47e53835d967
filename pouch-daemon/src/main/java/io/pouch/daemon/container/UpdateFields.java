package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;

import java.util.List;

/**
 * The fields of Docker's update body ({@code Resources} and {@code RestartPolicy}) that cannot change on an
 * existing container. dockerd takes them and does nothing; a user who sent one would believe it changed, so the
 * update is refused naming it. What can change is the list of {@code docker update}'s flags: blkio weight,
 * CPU period/quota/real-time/shares, cpus, cpuset, memory, memory reservation, memory+swap, pids limit and the
 * restart policy (and Pouch's env and labels).
 */
final class UpdateFields {
    static final List<String> FIXED = List.of("CgroupParent", "BlkioWeightDevice", "BlkioDeviceReadBps",
            "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps", "Devices", "DeviceCgroupRules",
            "DeviceRequests", "KernelMemoryTCP", "MemorySwappiness", "OomKillDisable", "Ulimits", "CpuCount",
            "CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth");

    private UpdateFields() {
    }

    static void refuse(JsonNode body) {
        if (body == null || !body.isObject()) {
            return;
        }
        JsonNode km = body.path("KernelMemory");
        if (!UnsupportedFields.unset(km)) {
            throw PouchException.invalidArgument("KernelMemory " + km + " cannot be updated: kernel memory limits"
                    + " are deprecated by the kernel and ignored by runc");
        }
        JsonNode ann = body.path("SpecAnnotation"); // Pouch's update takes it; the spec here is fixed at create
        if (!UnsupportedFields.unset(ann)) {
            throw PouchException.invalidArgument("SpecAnnotation cannot be updated on an existing container; it is"
                    + " set at create (pouch run --spec-annotation)");
        }
        for (String f : FIXED) {
            JsonNode v = body.path(f);
            boolean neutral = UnsupportedFields.unset(v) || (f.equals("MemorySwappiness") && v.asLong() == -1);
            if (!neutral) {
                throw PouchException.invalidArgument(f + " " + v + " cannot be updated on an existing container;"
                        + " it is set at create (docker run --" + flag(f) + ")");
            }
        }
    }

    private static String flag(String field) {
        return switch (field) {
            case "CgroupParent" -> "cgroup-parent";
            case "BlkioWeightDevice" -> "blkio-weight-device";
            case "BlkioDeviceReadBps" -> "device-read-bps";
            case "BlkioDeviceWriteBps" -> "device-write-bps";
            case "BlkioDeviceReadIOps" -> "device-read-iops";
            case "BlkioDeviceWriteIOps" -> "device-write-iops";
            case "Devices" -> "device";
            case "DeviceCgroupRules" -> "device-cgroup-rule";
            case "DeviceRequests" -> "gpus";
            case "KernelMemoryTCP" -> "kernel-memory-tcp";
            case "MemorySwappiness" -> "memory-swappiness";
            case "OomKillDisable" -> "oom-kill-disable";
            case "Ulimits" -> "ulimit";
            case "CpuCount" -> "cpu-count";
            case "CpuPercent" -> "cpu-percent";
            case "IOMaximumIOps" -> "io-maxiops";
            default -> "io-maxbandwidth";
        };
    }
}
