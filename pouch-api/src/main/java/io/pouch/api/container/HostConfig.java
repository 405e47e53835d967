package io.pouch.api.container;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * Docker's {@code HostConfig}: what a container needs from the host. Only the fields pouchd acts on or echoes
 * back are declared; the shared mapper ignores the rest. Numbers are boxed where Docker's JSON can be null and
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
        @JsonProperty("Tmpfs") Map<String, String> tmpfs) {

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

        private Builder() {
        }

        private Builder(HostConfig h) {
            binds = h.binds;
            containerIdFile = h.containerIdFile;
            logConfig = h.logConfig;
            networkMode = h.networkMode;
            portBindings = h.portBindings;
            restartPolicy = h.restartPolicy;
            autoRemove = h.autoRemove;
            volumeDriver = h.volumeDriver;
            volumesFrom = h.volumesFrom;
            capAdd = h.capAdd;
            capDrop = h.capDrop;
            dns = h.dns;
            dnsOptions = h.dnsOptions;
            dnsSearch = h.dnsSearch;
            extraHosts = h.extraHosts;
            groupAdd = h.groupAdd;
            ipcMode = h.ipcMode;
            oomScoreAdj = h.oomScoreAdj;
            pidMode = h.pidMode;
            privileged = h.privileged;
            publishAllPorts = h.publishAllPorts;
            readonlyRootfs = h.readonlyRootfs;
            securityOpt = h.securityOpt;
            utsMode = h.utsMode;
            shmSize = h.shmSize;
            runtime = h.runtime;
            cpuShares = h.cpuShares;
            memory = h.memory;
            nanoCpus = h.nanoCpus;
            cgroupParent = h.cgroupParent;
            cpuPeriod = h.cpuPeriod;
            cpuQuota = h.cpuQuota;
            cpusetCpus = h.cpusetCpus;
            cpusetMems = h.cpusetMems;
            memoryReservation = h.memoryReservation;
            memorySwap = h.memorySwap;
            oomKillDisable = h.oomKillDisable;
            pidsLimit = h.pidsLimit;
            ulimits = h.ulimits;
            init = h.init;
            maskedPaths = h.maskedPaths;
            readonlyPaths = h.readonlyPaths;
            mounts = h.mounts;
            tmpfs = h.tmpfs;
        }

        public Builder binds(List<String> value) {
            binds = value;
            return this;
        }

        public Builder containerIdFile(String value) {
            containerIdFile = value;
            return this;
        }

        public Builder logConfig(LogConfig value) {
            logConfig = value;
            return this;
        }

        public Builder networkMode(String value) {
            networkMode = value;
            return this;
        }

        public Builder portBindings(Map<String, Object> value) {
            portBindings = value;
            return this;
        }

        public Builder restartPolicy(RestartPolicy value) {
            restartPolicy = value;
            return this;
        }

        public Builder autoRemove(boolean value) {
            autoRemove = value;
            return this;
        }

        public Builder volumeDriver(String value) {
            volumeDriver = value;
            return this;
        }

        public Builder volumesFrom(List<String> value) {
            volumesFrom = value;
            return this;
        }

        public Builder capAdd(List<String> value) {
            capAdd = value;
            return this;
        }

        public Builder capDrop(List<String> value) {
            capDrop = value;
            return this;
        }

        public Builder dns(List<String> value) {
            dns = value;
            return this;
        }

        public Builder dnsOptions(List<String> value) {
            dnsOptions = value;
            return this;
        }

        public Builder dnsSearch(List<String> value) {
            dnsSearch = value;
            return this;
        }

        public Builder extraHosts(List<String> value) {
            extraHosts = value;
            return this;
        }

        public Builder groupAdd(List<String> value) {
            groupAdd = value;
            return this;
        }

        public Builder ipcMode(String value) {
            ipcMode = value;
            return this;
        }

        public Builder oomScoreAdj(int value) {
            oomScoreAdj = value;
            return this;
        }

        public Builder pidMode(String value) {
            pidMode = value;
            return this;
        }

        public Builder privileged(boolean value) {
            privileged = value;
            return this;
        }

        public Builder publishAllPorts(boolean value) {
            publishAllPorts = value;
            return this;
        }

        public Builder readonlyRootfs(boolean value) {
            readonlyRootfs = value;
            return this;
        }

        public Builder securityOpt(List<String> value) {
            securityOpt = value;
            return this;
        }

        public Builder utsMode(String value) {
            utsMode = value;
            return this;
        }

        public Builder shmSize(long value) {
            shmSize = value;
            return this;
        }

        public Builder runtime(String value) {
            runtime = value;
            return this;
        }

        public Builder cpuShares(long value) {
            cpuShares = value;
            return this;
        }

        public Builder memory(long value) {
            memory = value;
            return this;
        }

        public Builder nanoCpus(long value) {
            nanoCpus = value;
            return this;
        }

        public Builder cgroupParent(String value) {
            cgroupParent = value;
            return this;
        }

        public Builder cpuPeriod(long value) {
            cpuPeriod = value;
            return this;
        }

        public Builder cpuQuota(long value) {
            cpuQuota = value;
            return this;
        }

        public Builder cpusetCpus(String value) {
            cpusetCpus = value;
            return this;
        }

        public Builder cpusetMems(String value) {
            cpusetMems = value;
            return this;
        }

        public Builder memoryReservation(long value) {
            memoryReservation = value;
            return this;
        }

        public Builder memorySwap(long value) {
            memorySwap = value;
            return this;
        }

        public Builder oomKillDisable(Boolean value) {
            oomKillDisable = value;
            return this;
        }

        public Builder pidsLimit(Long value) {
            pidsLimit = value;
            return this;
        }

        public Builder ulimits(List<Ulimit> value) {
            ulimits = value;
            return this;
        }

        public Builder init(Boolean value) {
            init = value;
            return this;
        }

        public Builder maskedPaths(List<String> value) {
            maskedPaths = value;
            return this;
        }

        public Builder readonlyPaths(List<String> value) {
            readonlyPaths = value;
            return this;
        }

        public Builder mounts(List<Mount> value) {
            mounts = value;
            return this;
        }

        public Builder tmpfs(Map<String, String> value) {
            tmpfs = value;
            return this;
        }

        public HostConfig build() {
            return new HostConfig(
                    binds, containerIdFile, logConfig, networkMode, portBindings, restartPolicy, autoRemove,
                    volumeDriver, volumesFrom, capAdd, capDrop, dns, dnsOptions, dnsSearch, extraHosts, groupAdd,
                    ipcMode, oomScoreAdj, pidMode, privileged, publishAllPorts, readonlyRootfs, securityOpt,
                    utsMode, shmSize, runtime, cpuShares, memory, nanoCpus, cgroupParent, cpuPeriod, cpuQuota,
                    cpusetCpus, cpusetMems, memoryReservation, memorySwap, oomKillDisable, pidsLimit, ulimits, init,
                    maskedPaths, readonlyPaths, mounts, tmpfs);
        }
    }
}
