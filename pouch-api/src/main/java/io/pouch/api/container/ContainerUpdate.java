package io.pouch.api.container;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /containers/{id}/update}: Docker's resource fields, where a missing or zero value means
 * "leave as is" (the docker CLI sends zeros for what the user did not give), plus Pouch's {@code Env} and
 * {@code Label} ("KEY=VALUE" items merged into the container's config) and {@code DiskQuota} (path to size,
 * merged into the container's rules).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerUpdate(
        @JsonProperty("Memory") Long memory,
        @JsonProperty("MemorySwap") Long memorySwap,
        @JsonProperty("MemoryReservation") Long memoryReservation,
        @JsonProperty("NanoCpus") Long nanoCpus,
        @JsonProperty("CpuShares") Long cpuShares,
        @JsonProperty("CpuQuota") Long cpuQuota,
        @JsonProperty("CpuPeriod") Long cpuPeriod,
        @JsonProperty("CpusetCpus") String cpusetCpus,
        @JsonProperty("CpusetMems") String cpusetMems,
        @JsonProperty("PidsLimit") Long pidsLimit,
        @JsonProperty("BlkioWeight") Integer blkioWeight,
        @JsonProperty("CpuRealtimePeriod") Long cpuRealtimePeriod,
        @JsonProperty("CpuRealtimeRuntime") Long cpuRealtimeRuntime,
        @JsonProperty("RestartPolicy") HostConfig.RestartPolicy restartPolicy,
        @JsonProperty("Env") List<String> env,
        @JsonProperty("Label") List<String> label,
        @JsonProperty("DiskQuota") Map<String, String> diskQuota) {

    /** Docker's fields and Pouch's Env and Label, without a disk quota change. */
    public ContainerUpdate(Long memory, Long memorySwap, Long memoryReservation, Long nanoCpus, Long cpuShares,
                           Long cpuQuota, Long cpuPeriod, String cpusetCpus, String cpusetMems, Long pidsLimit,
                           Integer blkioWeight, Long cpuRealtimePeriod, Long cpuRealtimeRuntime,
                           HostConfig.RestartPolicy restartPolicy, List<String> env, List<String> label) {
        this(memory, memorySwap, memoryReservation, nanoCpus, cpuShares, cpuQuota, cpuPeriod, cpusetCpus, cpusetMems,
                pidsLimit, blkioWeight, cpuRealtimePeriod, cpuRealtimeRuntime, restartPolicy, env, label, null);
    }

    /** {@code {"Warnings": [...]}}. */
    public record Response(@JsonProperty("Warnings") List<String> warnings) {
    }
}
