package io.pouch.api.system;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /info}, with Docker's field names. Fields Docker has but we have nothing to say about are still sent
 * (empty or zero) so that {@code docker info} prints its usual layout.
 */
public record SystemInfo(
        @JsonProperty("ID") String id,
        @JsonProperty("Containers") int containers,
        @JsonProperty("ContainersRunning") int containersRunning,
        @JsonProperty("ContainersPaused") int containersPaused,
        @JsonProperty("ContainersStopped") int containersStopped,
        @JsonProperty("Images") int images,
        @JsonProperty("Driver") String driver,
        @JsonProperty("DriverStatus") List<List<String>> driverStatus,
        // dockerd's pairs about the engine as a whole, printed by docker info; here P2P's totals, absent without P2P
        @JsonProperty("SystemStatus") @JsonInclude(JsonInclude.Include.NON_NULL) List<List<String>> systemStatus,
        @JsonProperty("Plugins") Plugins plugins,
        @JsonProperty("MemoryLimit") boolean memoryLimit,
        @JsonProperty("SwapLimit") boolean swapLimit,
        @JsonProperty("CpuCfsPeriod") boolean cpuCfsPeriod,
        @JsonProperty("CpuCfsQuota") boolean cpuCfsQuota,
        @JsonProperty("CPUShares") boolean cpuShares,
        @JsonProperty("CPUSet") boolean cpuSet,
        @JsonProperty("PidsLimit") boolean pidsLimit,
        @JsonProperty("IPv4Forwarding") boolean ipv4Forwarding,
        @JsonProperty("BridgeNfIptables") boolean bridgeNfIptables,
        @JsonProperty("BridgeNfIp6tables") boolean bridgeNfIp6tables,
        @JsonProperty("Debug") boolean debug,
        @JsonProperty("NFd") int nfd,
        @JsonProperty("OomKillDisable") boolean oomKillDisable,
        @JsonProperty("NGoroutines") int nGoroutines,
        @JsonProperty("SystemTime") String systemTime,
        @JsonProperty("LoggingDriver") String loggingDriver,
        @JsonProperty("CgroupDriver") String cgroupDriver,
        @JsonProperty("CgroupVersion") String cgroupVersion,
        @JsonProperty("NEventsListener") int nEventsListener,
        @JsonProperty("KernelVersion") String kernelVersion,
        @JsonProperty("OperatingSystem") String operatingSystem,
        @JsonProperty("OSVersion") String osVersion,
        @JsonProperty("OSType") String osType,
        @JsonProperty("Architecture") String architecture,
        @JsonProperty("IndexServerAddress") String indexServerAddress,
        @JsonProperty("RegistryConfig") RegistryConfig registryConfig,
        @JsonProperty("NCPU") int ncpu,
        @JsonProperty("MemTotal") long memTotal,
        @JsonProperty("GenericResources") List<Object> genericResources,
        @JsonProperty("DockerRootDir") String dockerRootDir,
        @JsonProperty("HttpProxy") String httpProxy,
        @JsonProperty("HttpsProxy") String httpsProxy,
        @JsonProperty("NoProxy") String noProxy,
        @JsonProperty("Name") String name,
        @JsonProperty("Labels") List<String> labels,
        @JsonProperty("ExperimentalBuild") boolean experimentalBuild,
        @JsonProperty("ServerVersion") String serverVersion,
        @JsonProperty("Runtimes") Map<String, Runtime> runtimes,
        @JsonProperty("DefaultRuntime") String defaultRuntime,
        @JsonProperty("Swarm") Swarm swarm,
        @JsonProperty("LiveRestoreEnabled") boolean liveRestoreEnabled,
        @JsonProperty("Isolation") String isolation,
        @JsonProperty("InitBinary") String initBinary,
        @JsonProperty("ContainerdCommit") Commit containerdCommit,
        @JsonProperty("RuncCommit") Commit runcCommit,
        @JsonProperty("InitCommit") Commit initCommit,
        @JsonProperty("SecurityOptions") List<String> securityOptions,
        @JsonProperty("DefaultAddressPools") List<Object> defaultAddressPools,
        @JsonProperty("CDISpecDirs") List<String> cdiSpecDirs,
        @JsonProperty("Warnings") List<String> warnings) {

    public record Plugins(@JsonProperty("Volume") List<String> volume,
                          @JsonProperty("Network") List<String> network,
                          @JsonProperty("Authorization") List<String> authorization,
                          @JsonProperty("Log") List<String> log) {
    }

    public record RegistryConfig(@JsonProperty("InsecureRegistryCIDRs") List<String> insecureRegistryCidrs,
                                 @JsonProperty("IndexConfigs") Map<String, Object> indexConfigs,
                                 @JsonProperty("Mirrors") List<String> mirrors) {
    }

    /** An OCI runtime as dockerd shows it: its binary and the arguments given before every command. */
    public record Runtime(@JsonProperty("path") String path,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY)
                          @JsonProperty("runtimeArgs") List<String> runtimeArgs) {
        public Runtime(String path) {
            this(path, List.of());
        }
    }

    public record Swarm(@JsonProperty("NodeID") String nodeId,
                        @JsonProperty("NodeAddr") String nodeAddr,
                        @JsonProperty("LocalNodeState") String localNodeState,
                        @JsonProperty("ControlAvailable") boolean controlAvailable,
                        @JsonProperty("Error") String error,
                        @JsonProperty("RemoteManagers") List<Object> remoteManagers) {
        public static final Swarm INACTIVE = new Swarm("", "", "inactive", false, "", null);
    }

    public record Commit(@JsonProperty("ID") String id, @JsonProperty("Expected") String expected) {
    }
}
