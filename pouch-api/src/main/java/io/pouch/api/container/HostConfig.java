package io.pouch.api.container;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * Docker's {@code HostConfig}: what a container needs from the host, every field of Engine API 1.47 (a field
 * the engine cannot apply is refused at create, never dropped). Numbers are boxed where Docker's JSON can be null and
 * a null means "the daemon default" ({@code Init}, {@code OomKillDisable}, {@code PidsLimit}).
 *
 * <p>A changed copy is made with {@link #toBuilder()} (or one of the {@code with...} methods), never by
 * calling the canonical constructor field by field: the record has too many components for positional copies
 * to stay correct when one is added.
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
        @JsonProperty("Mounts") List<Mount> mounts,
        @JsonProperty("Tmpfs") Map<String, String> tmpfs,
        @JsonProperty("CgroupnsMode") String cgroupnsMode,
        @JsonProperty("UsernsMode") String usernsMode,
        @JsonProperty("Cgroup") String cgroup,
        @JsonProperty("Sysctls") Map<String, String> sysctls,
        @JsonProperty("Annotations") Map<String, String> annotations,
        @JsonProperty("StorageOpt") Map<String, String> storageOpt,
        @JsonProperty("Isolation") String isolation,
        @JsonProperty("ConsoleSize") List<Integer> consoleSize,
        @JsonProperty("Devices") List<DeviceMapping> devices,
        @JsonProperty("DeviceCgroupRules") List<String> deviceCgroupRules,
        @JsonProperty("DeviceRequests") List<DeviceRequest> deviceRequests,
        @JsonProperty("BlkioWeight") int blkioWeight,
        @JsonProperty("BlkioWeightDevice") List<WeightDevice> blkioWeightDevice,
        @JsonProperty("BlkioDeviceReadBps") List<ThrottleDevice> blkioDeviceReadBps,
        @JsonProperty("BlkioDeviceWriteBps") List<ThrottleDevice> blkioDeviceWriteBps,
        @JsonProperty("BlkioDeviceReadIOps") List<ThrottleDevice> blkioDeviceReadIOps,
        @JsonProperty("BlkioDeviceWriteIOps") List<ThrottleDevice> blkioDeviceWriteIOps,
        @JsonProperty("CpuRealtimePeriod") long cpuRealtimePeriod,
        @JsonProperty("CpuRealtimeRuntime") long cpuRealtimeRuntime,
        @JsonProperty("MemorySwappiness") Long memorySwappiness,
        @JsonProperty("KernelMemory") long kernelMemory,
        @JsonProperty("KernelMemoryTCP") long kernelMemoryTcp,
        @JsonProperty("CpuCount") long cpuCount,
        @JsonProperty("CpuPercent") long cpuPercent,
        @JsonProperty("IOMaximumIOps") long ioMaximumIops,
        @JsonProperty("IOMaximumBandwidth") long ioMaximumBandwidth,
        // Pouch's own: the Intel RDT/CAT L3 cache schema and the NVIDIA GPUs of the container
        @JsonProperty("IntelRdtL3Cbm") @JsonInclude(JsonInclude.Include.NON_EMPTY) String intelRdtL3Cbm,
        @JsonProperty("NvidiaConfig") @JsonInclude(JsonInclude.Include.NON_NULL) NvidiaConfig nvidiaConfig,
        // Pouch's own: /proc and /sys/devices/system/cpu/online files from the host's LXCFS mount
        @JsonProperty("EnableLxcfs") boolean enableLxcfs) {

    /** A host config with every field unset (Docker's zero values). */
    public static HostConfig empty() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this value's fields: change some, then {@link Builder#build()}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** This value with another network mode. */
    public HostConfig withNetworkMode(String mode) {
        return toBuilder().networkMode(mode).build();
    }

    /** This value with another log configuration. */
    public HostConfig withLogConfig(LogConfig config) {
        return toBuilder().logConfig(config).build();
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

    /** One {@code Devices} entry ({@code --device /dev/x:/dev/y:rwm}). */
    public record DeviceMapping(@JsonProperty("PathOnHost") String pathOnHost,
                                @JsonProperty("PathInContainer") String pathInContainer,
                                @JsonProperty("CgroupPermissions") String cgroupPermissions) {
    }

    /** One {@code DeviceRequests} entry ({@code --gpus}). */
    public record DeviceRequest(@JsonProperty("Driver") String driver, @JsonProperty("Count") int count,
                                @JsonProperty("DeviceIDs") List<String> deviceIds,
                                @JsonProperty("Capabilities") List<List<String>> capabilities,
                                @JsonProperty("Options") Map<String, String> options) {
    }

    /** A block device weight ({@code --blkio-weight-device}). */
    public record WeightDevice(@JsonProperty("Path") String path, @JsonProperty("Weight") int weight) {
    }

    /** A block device rate limit ({@code --device-read-bps} and friends). */
    /**
     * Pouch's GPU request: {@code NvidiaVisibleDevices} is {@code all}, {@code none}, {@code void} or a
     * comma-separated list of GPU indexes or UUIDs; {@code NvidiaDriverCapabilities} a comma-separated list of the
     * driver's capabilities or {@code all}.
     */
    public record NvidiaConfig(@JsonProperty("NvidiaVisibleDevices") String visibleDevices,
                               @JsonProperty("NvidiaDriverCapabilities") String driverCapabilities) {
    }

    public record ThrottleDevice(@JsonProperty("Path") String path, @JsonProperty("Rate") long rate) {
    }

    /** Builds a {@link HostConfig}; unset fields keep Docker's zero values (null, false, 0). */
    public static final class Builder {
        private List<String> binds;
        private String containerIdFile;
        private LogConfig logConfig;
        private String networkMode;
        private Map<String, Object> portBindings;
        private RestartPolicy restartPolicy;
        private boolean autoRemove;
        private String volumeDriver;
        private List<String> volumesFrom;
        private List<String> capAdd;
        private List<String> capDrop;
        private List<String> dns;
        private List<String> dnsOptions;
        private List<String> dnsSearch;
        private List<String> extraHosts;
        private List<String> groupAdd;
        private String ipcMode;
        private int oomScoreAdj;
        private String pidMode;
        private boolean privileged;
        private boolean publishAllPorts;
        private boolean readonlyRootfs;
        private List<String> securityOpt;
        private String utsMode;
        private long shmSize;
        private String runtime;
        private long cpuShares;
        private long memory;
        private long nanoCpus;
        private String cgroupParent;
        private long cpuPeriod;
        private long cpuQuota;
        private String cpusetCpus;
        private String cpusetMems;
        private long memoryReservation;
        private long memorySwap;
        private Boolean oomKillDisable;
        private Long pidsLimit;
        private List<Ulimit> ulimits;
        private Boolean init;
        private List<String> maskedPaths;
        private List<String> readonlyPaths;
        private List<Mount> mounts;
        private Map<String, String> tmpfs;
        private String cgroupnsMode;
        private String usernsMode;
        private String cgroup;
        private Map<String, String> sysctls;
        private Map<String, String> annotations;
        private Map<String, String> storageOpt;
        private String isolation;
        private List<Integer> consoleSize;
        private List<DeviceMapping> devices;
        private List<String> deviceCgroupRules;
        private List<DeviceRequest> deviceRequests;
        private int blkioWeight;
        private List<WeightDevice> blkioWeightDevice;
        private List<ThrottleDevice> blkioDeviceReadBps;
        private List<ThrottleDevice> blkioDeviceWriteBps;
        private List<ThrottleDevice> blkioDeviceReadIOps;
        private List<ThrottleDevice> blkioDeviceWriteIOps;
        private long cpuRealtimePeriod;
        private long cpuRealtimeRuntime;
        private Long memorySwappiness;
        private long kernelMemory;
        private long kernelMemoryTcp;
        private long cpuCount;
        private long cpuPercent;
        private long ioMaximumIops;
        private long ioMaximumBandwidth;
        private String intelRdtL3Cbm;
        private NvidiaConfig nvidiaConfig;
        private boolean enableLxcfs;

        private Builder() {
        }

        private Builder(HostConfig v) {
            binds = v.binds;
            containerIdFile = v.containerIdFile;
            logConfig = v.logConfig;
            networkMode = v.networkMode;
            portBindings = v.portBindings;
            restartPolicy = v.restartPolicy;
            autoRemove = v.autoRemove;
            volumeDriver = v.volumeDriver;
            volumesFrom = v.volumesFrom;
            capAdd = v.capAdd;
            capDrop = v.capDrop;
            dns = v.dns;
            dnsOptions = v.dnsOptions;
            dnsSearch = v.dnsSearch;
            extraHosts = v.extraHosts;
            groupAdd = v.groupAdd;
            ipcMode = v.ipcMode;
            oomScoreAdj = v.oomScoreAdj;
            pidMode = v.pidMode;
            privileged = v.privileged;
            publishAllPorts = v.publishAllPorts;
            readonlyRootfs = v.readonlyRootfs;
            securityOpt = v.securityOpt;
            utsMode = v.utsMode;
            shmSize = v.shmSize;
            runtime = v.runtime;
            cpuShares = v.cpuShares;
            memory = v.memory;
            nanoCpus = v.nanoCpus;
            cgroupParent = v.cgroupParent;
            cpuPeriod = v.cpuPeriod;
            cpuQuota = v.cpuQuota;
            cpusetCpus = v.cpusetCpus;
            cpusetMems = v.cpusetMems;
            memoryReservation = v.memoryReservation;
            memorySwap = v.memorySwap;
            oomKillDisable = v.oomKillDisable;
            pidsLimit = v.pidsLimit;
            ulimits = v.ulimits;
            init = v.init;
            maskedPaths = v.maskedPaths;
            readonlyPaths = v.readonlyPaths;
            mounts = v.mounts;
            tmpfs = v.tmpfs;
            cgroupnsMode = v.cgroupnsMode;
            usernsMode = v.usernsMode;
            cgroup = v.cgroup;
            sysctls = v.sysctls;
            annotations = v.annotations;
            storageOpt = v.storageOpt;
            isolation = v.isolation;
            consoleSize = v.consoleSize;
            devices = v.devices;
            deviceCgroupRules = v.deviceCgroupRules;
            deviceRequests = v.deviceRequests;
            blkioWeight = v.blkioWeight;
            blkioWeightDevice = v.blkioWeightDevice;
            blkioDeviceReadBps = v.blkioDeviceReadBps;
            blkioDeviceWriteBps = v.blkioDeviceWriteBps;
            blkioDeviceReadIOps = v.blkioDeviceReadIOps;
            blkioDeviceWriteIOps = v.blkioDeviceWriteIOps;
            cpuRealtimePeriod = v.cpuRealtimePeriod;
            cpuRealtimeRuntime = v.cpuRealtimeRuntime;
            memorySwappiness = v.memorySwappiness;
            kernelMemory = v.kernelMemory;
            kernelMemoryTcp = v.kernelMemoryTcp;
            cpuCount = v.cpuCount;
            cpuPercent = v.cpuPercent;
            ioMaximumIops = v.ioMaximumIops;
            ioMaximumBandwidth = v.ioMaximumBandwidth;
            intelRdtL3Cbm = v.intelRdtL3Cbm;
            nvidiaConfig = v.nvidiaConfig;
            enableLxcfs = v.enableLxcfs;
        }

        public Builder binds(List<String> value) { binds = value; return this; }
        public Builder containerIdFile(String value) { containerIdFile = value; return this; }
        public Builder logConfig(LogConfig value) { logConfig = value; return this; }
        public Builder networkMode(String value) { networkMode = value; return this; }
        public Builder portBindings(Map<String, Object> value) { portBindings = value; return this; }
        public Builder restartPolicy(RestartPolicy value) { restartPolicy = value; return this; }
        public Builder autoRemove(boolean value) { autoRemove = value; return this; }
        public Builder volumeDriver(String value) { volumeDriver = value; return this; }
        public Builder volumesFrom(List<String> value) { volumesFrom = value; return this; }
        public Builder capAdd(List<String> value) { capAdd = value; return this; }
        public Builder capDrop(List<String> value) { capDrop = value; return this; }
        public Builder dns(List<String> value) { dns = value; return this; }
        public Builder dnsOptions(List<String> value) { dnsOptions = value; return this; }
        public Builder dnsSearch(List<String> value) { dnsSearch = value; return this; }
        public Builder extraHosts(List<String> value) { extraHosts = value; return this; }
        public Builder groupAdd(List<String> value) { groupAdd = value; return this; }
        public Builder ipcMode(String value) { ipcMode = value; return this; }
        public Builder oomScoreAdj(int value) { oomScoreAdj = value; return this; }
        public Builder pidMode(String value) { pidMode = value; return this; }
        public Builder privileged(boolean value) { privileged = value; return this; }
        public Builder publishAllPorts(boolean value) { publishAllPorts = value; return this; }
        public Builder readonlyRootfs(boolean value) { readonlyRootfs = value; return this; }
        public Builder securityOpt(List<String> value) { securityOpt = value; return this; }
        public Builder utsMode(String value) { utsMode = value; return this; }
        public Builder shmSize(long value) { shmSize = value; return this; }
        public Builder runtime(String value) { runtime = value; return this; }
        public Builder cpuShares(long value) { cpuShares = value; return this; }
        public Builder memory(long value) { memory = value; return this; }
        public Builder nanoCpus(long value) { nanoCpus = value; return this; }
        public Builder cgroupParent(String value) { cgroupParent = value; return this; }
        public Builder cpuPeriod(long value) { cpuPeriod = value; return this; }
        public Builder cpuQuota(long value) { cpuQuota = value; return this; }
        public Builder cpusetCpus(String value) { cpusetCpus = value; return this; }
        public Builder cpusetMems(String value) { cpusetMems = value; return this; }
        public Builder memoryReservation(long value) { memoryReservation = value; return this; }
        public Builder memorySwap(long value) { memorySwap = value; return this; }
        public Builder oomKillDisable(Boolean value) { oomKillDisable = value; return this; }
        public Builder pidsLimit(Long value) { pidsLimit = value; return this; }
        public Builder ulimits(List<Ulimit> value) { ulimits = value; return this; }
        public Builder init(Boolean value) { init = value; return this; }
        public Builder maskedPaths(List<String> value) { maskedPaths = value; return this; }
        public Builder readonlyPaths(List<String> value) { readonlyPaths = value; return this; }
        public Builder mounts(List<Mount> value) { mounts = value; return this; }
        public Builder tmpfs(Map<String, String> value) { tmpfs = value; return this; }
        public Builder cgroupnsMode(String value) { cgroupnsMode = value; return this; }
        public Builder usernsMode(String value) { usernsMode = value; return this; }
        public Builder cgroup(String value) { cgroup = value; return this; }
        public Builder sysctls(Map<String, String> value) { sysctls = value; return this; }
        public Builder annotations(Map<String, String> value) { annotations = value; return this; }
        public Builder storageOpt(Map<String, String> value) { storageOpt = value; return this; }
        public Builder isolation(String value) { isolation = value; return this; }
        public Builder consoleSize(List<Integer> value) { consoleSize = value; return this; }
        public Builder devices(List<DeviceMapping> value) { devices = value; return this; }
        public Builder deviceCgroupRules(List<String> value) { deviceCgroupRules = value; return this; }
        public Builder deviceRequests(List<DeviceRequest> value) { deviceRequests = value; return this; }
        public Builder blkioWeight(int value) { blkioWeight = value; return this; }
        public Builder blkioWeightDevice(List<WeightDevice> value) { blkioWeightDevice = value; return this; }
        public Builder blkioDeviceReadBps(List<ThrottleDevice> value) { blkioDeviceReadBps = value; return this; }
        public Builder blkioDeviceWriteBps(List<ThrottleDevice> value) { blkioDeviceWriteBps = value; return this; }
        public Builder blkioDeviceReadIOps(List<ThrottleDevice> value) { blkioDeviceReadIOps = value; return this; }
        public Builder blkioDeviceWriteIOps(List<ThrottleDevice> value) { blkioDeviceWriteIOps = value; return this; }
        public Builder cpuRealtimePeriod(long value) { cpuRealtimePeriod = value; return this; }
        public Builder cpuRealtimeRuntime(long value) { cpuRealtimeRuntime = value; return this; }
        public Builder memorySwappiness(Long value) { memorySwappiness = value; return this; }
        public Builder kernelMemory(long value) { kernelMemory = value; return this; }
        public Builder kernelMemoryTcp(long value) { kernelMemoryTcp = value; return this; }
        public Builder cpuCount(long value) { cpuCount = value; return this; }
        public Builder cpuPercent(long value) { cpuPercent = value; return this; }
        public Builder ioMaximumIops(long value) { ioMaximumIops = value; return this; }
        public Builder ioMaximumBandwidth(long value) { ioMaximumBandwidth = value; return this; }
        public Builder intelRdtL3Cbm(String value) { intelRdtL3Cbm = value; return this; }
        public Builder nvidiaConfig(NvidiaConfig value) { nvidiaConfig = value; return this; }
        public Builder enableLxcfs(boolean value) { enableLxcfs = value; return this; }

        public HostConfig build() {
            return new HostConfig(
                binds, containerIdFile, logConfig, networkMode, portBindings, restartPolicy, autoRemove,
                volumeDriver, volumesFrom, capAdd, capDrop, dns, dnsOptions, dnsSearch, extraHosts, groupAdd,
                ipcMode, oomScoreAdj, pidMode, privileged, publishAllPorts, readonlyRootfs, securityOpt, utsMode,
                shmSize, runtime, cpuShares, memory, nanoCpus, cgroupParent, cpuPeriod, cpuQuota, cpusetCpus,
                cpusetMems, memoryReservation, memorySwap, oomKillDisable, pidsLimit, ulimits, init, maskedPaths,
                readonlyPaths, mounts, tmpfs, cgroupnsMode, usernsMode, cgroup, sysctls, annotations, storageOpt,
                isolation, consoleSize, devices, deviceCgroupRules, deviceRequests, blkioWeight, blkioWeightDevice,
                blkioDeviceReadBps, blkioDeviceWriteBps, blkioDeviceReadIOps, blkioDeviceWriteIOps,
                cpuRealtimePeriod, cpuRealtimeRuntime, memorySwappiness, kernelMemory, kernelMemoryTcp, cpuCount,
                cpuPercent, ioMaximumIops, ioMaximumBandwidth, intelRdtL3Cbm, nvidiaConfig, enableLxcfs);
        }
    }
}
