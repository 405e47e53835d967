package io.pouch.api.container;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * Docker's {@code HostConfig}: what a container needs from the host. Only the fields pouchd acts on or echoes
 * back are declared; the shared mapper ignores the rest. Numbers are boxed where Docker's JSON can be null and
 * a null means "the daemon default" ({@code Init}, {@code OomKillDisable}, {@code PidsLimit}).
 */
public record HostConfig(
        @JsonProperty("Binds") List<String> binds,
        @JsonProperty("ContainerIDFile") String containerIdFile,
        @JsonProperty("LogConfig") LogConfig logConfig,
        @JsonProperty("NetworkMode") String networkMode,
        @JsonProperty("PortBindings") Map<String, Object> portBindings,
        @JsonProperty("RestartPolicy") RestartPolicy restartPolicy,
        @JsonProperty("AutoRemove") boolean autoRemove,
        @JsonProperty("VolumeDriver") String volumeDriver,
        @JsonProperty("VolumesFrom") List<String> volumesFrom,
        @JsonProperty("CapAdd") List<String> capAdd,
        @JsonProperty("CapDrop") List<String> capDrop,
        @JsonProperty("Dns") List<String> dns,
        @JsonProperty("DnsOptions") List<String> dnsOptions,
        @JsonProperty("DnsSearch") List<String> dnsSearch,
        @JsonProperty("ExtraHosts") List<String> extraHosts,
        @JsonProperty("GroupAdd") List<String> groupAdd,
        @JsonProperty("IpcMode") String ipcMode,
        @JsonProperty("OomScoreAdj") int oomScoreAdj,
        @JsonProperty("PidMode") String pidMode,
        @JsonProperty("Privileged") boolean privileged,
        @JsonProperty("PublishAllPorts") boolean publishAllPorts,
        @JsonProperty("ReadonlyRootfs") boolean readonlyRootfs,
        @JsonProperty("SecurityOpt") List<String> securityOpt,
        @JsonProperty("UTSMode") String utsMode,
        @JsonProperty("ShmSize") long shmSize,
        @JsonProperty("Runtime") String runtime,
        @JsonProperty("CpuShares") long cpuShares,
        @JsonProperty("Memory") long memory,
        @JsonProperty("NanoCpus") long nanoCpus,
        @JsonProperty("CgroupParent") String cgroupParent,
        @JsonProperty("CpuPeriod") long cpuPeriod,
        @JsonProperty("CpuQuota") long cpuQuota,
        @JsonProperty("CpusetCpus") String cpusetCpus,
        @JsonProperty("CpusetMems") String cpusetMems,
        @JsonProperty("MemoryReservation") long memoryReservation,
        @JsonProperty("MemorySwap") long memorySwap,
        @JsonProperty("OomKillDisable") Boolean oomKillDisable,
        @JsonProperty("PidsLimit") Long pidsLimit,
        @JsonProperty("Ulimits") List<Ulimit> ulimits,
        @JsonProperty("Init") Boolean init,
        @JsonProperty("MaskedPaths") List<String> maskedPaths,
        @JsonProperty("ReadonlyPaths") List<String> readonlyPaths,
        // volumes (issue 6): --mount and --tmpfs
        @JsonProperty("Mounts") List<Mount> mounts,
        @JsonProperty("Tmpfs") Map<String, String> tmpfs) {

    /** The constructor before Mounts and Tmpfs were declared (kept so existing callers compile unchanged). */
    public HostConfig(List<String> binds, String containerIdFile, LogConfig logConfig, String networkMode,
                      Map<String, Object> portBindings, RestartPolicy restartPolicy, boolean autoRemove,
                      String volumeDriver, List<String> volumesFrom, List<String> capAdd, List<String> capDrop,
                      List<String> dns, List<String> dnsOptions, List<String> dnsSearch, List<String> extraHosts,
                      List<String> groupAdd, String ipcMode, int oomScoreAdj, String pidMode, boolean privileged,
                      boolean publishAllPorts, boolean readonlyRootfs, List<String> securityOpt, String utsMode,
                      long shmSize, String runtime, long cpuShares, long memory, long nanoCpus, String cgroupParent,
                      long cpuPeriod, long cpuQuota, String cpusetCpus, String cpusetMems, long memoryReservation,
                      long memorySwap, Boolean oomKillDisable, Long pidsLimit, List<Ulimit> ulimits, Boolean init,
                      List<String> maskedPaths, List<String> readonlyPaths) {
        this(binds, containerIdFile, logConfig, networkMode, portBindings, restartPolicy, autoRemove, volumeDriver,
                volumesFrom, capAdd, capDrop, dns, dnsOptions, dnsSearch, extraHosts, groupAdd, ipcMode, oomScoreAdj,
                pidMode, privileged, publishAllPorts, readonlyRootfs, securityOpt, utsMode, shmSize, runtime,
                cpuShares, memory, nanoCpus, cgroupParent, cpuPeriod, cpuQuota, cpusetCpus, cpusetMems,
                memoryReservation, memorySwap, oomKillDisable, pidsLimit, ulimits, init, maskedPaths, readonlyPaths,
                null, null);
    }

    /** This value with the volume fields of {@code from} (the old constructor drops them). */
    public HostConfig withVolumeFields(HostConfig from) {
        return new HostConfig(binds, containerIdFile, logConfig, networkMode, portBindings, restartPolicy, autoRemove,
                volumeDriver, volumesFrom, capAdd, capDrop, dns, dnsOptions, dnsSearch, extraHosts, groupAdd, ipcMode,
                oomScoreAdj, pidMode, privileged, publishAllPorts, readonlyRootfs, securityOpt, utsMode, shmSize,
                runtime, cpuShares, memory, nanoCpus, cgroupParent, cpuPeriod, cpuQuota, cpusetCpus, cpusetMems,
                memoryReservation, memorySwap, oomKillDisable, pidsLimit, ulimits, init, maskedPaths, readonlyPaths,
                from.mounts(), from.tmpfs());
    }

    /** This value with another network mode (network manager: {@code container:<name>} is stored by full id). */
    public HostConfig withNetworkMode(String mode) {
        return new HostConfig(binds, containerIdFile, logConfig, mode, portBindings, restartPolicy, autoRemove,
                volumeDriver, volumesFrom, capAdd, capDrop, dns, dnsOptions, dnsSearch, extraHosts, groupAdd, ipcMode,
                oomScoreAdj, pidMode, privileged, publishAllPorts, readonlyRootfs, securityOpt, utsMode, shmSize,
                runtime, cpuShares, memory, nanoCpus, cgroupParent, cpuPeriod, cpuQuota, cpusetCpus, cpusetMems,
                memoryReservation, memorySwap, oomKillDisable, pidsLimit, ulimits, init, maskedPaths, readonlyPaths,
                mounts, tmpfs);
    }

    /** One {@code HostConfig.Mounts} entry ({@code --mount}); unknown fields are ignored. */
    public record Mount(@JsonProperty("Type") String type, @JsonProperty("Source") String source,
                        @JsonProperty("Target") String target, @JsonProperty("ReadOnly") boolean readOnly,
                        @JsonProperty("BindOptions") BindOptions bindOptions,
                        @JsonProperty("VolumeOptions") VolumeOptions volumeOptions,
                        @JsonProperty("TmpfsOptions") TmpfsOptions tmpfsOptions) {
    }

    public record BindOptions(@JsonProperty("Propagation") String propagation) {
    }

    public record VolumeOptions(@JsonProperty("NoCopy") boolean noCopy,
                                @JsonProperty("Labels") Map<String, String> labels,
                                @JsonProperty("DriverConfig") DriverConfig driverConfig) {
    }

    public record DriverConfig(@JsonProperty("Name") String name,
                               @JsonProperty("Options") Map<String, String> options) {
    }

    public record TmpfsOptions(@JsonProperty("SizeBytes") long sizeBytes, @JsonProperty("Mode") int mode) {
    }

    public record LogConfig(@JsonProperty("Type") String type, @JsonProperty("Config") Map<String, String> config) {
    }

    public record RestartPolicy(@JsonProperty("Name") String name,
                                @JsonProperty("MaximumRetryCount") int maximumRetryCount) {
    }

    public record Ulimit(@JsonProperty("Name") String name, @JsonProperty("Soft") long soft,
                         @JsonProperty("Hard") long hard) {
    }

    public static HostConfig empty() {
        return new HostConfig(null, null, null, null, null, null, false, null, null, null, null, null, null, null,
                null, null, null, 0, null, false, false, false, null, null, 0, null, 0, 0, 0, null, 0, 0, null, null,
                0, 0, null, null, null, null, null, null);
    }
}
