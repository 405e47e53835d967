package io.pouch.api.container;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/** {@code GET /containers/{id}/json}, in Docker's shape (clients read Config.Tty, State, Name, NetworkSettings). */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ContainerInspect(
        @JsonProperty("Id") String id,
        @JsonProperty("Created") String created,
        @JsonProperty("Path") String path,
        @JsonProperty("Args") List<String> args,
        @JsonProperty("State") ContainerState state,
        @JsonProperty("Image") String image,
        @JsonProperty("ResolvConfPath") String resolvConfPath,
        @JsonProperty("HostnamePath") String hostnamePath,
        @JsonProperty("HostsPath") String hostsPath,
        @JsonProperty("LogPath") String logPath,
        @JsonProperty("Name") String name,
        @JsonProperty("RestartCount") int restartCount,
        @JsonProperty("Driver") String driver,
        @JsonProperty("Platform") String platform,
        @JsonProperty("MountLabel") String mountLabel,
        @JsonProperty("ProcessLabel") String processLabel,
        @JsonProperty("AppArmorProfile") String appArmorProfile,
        @JsonProperty("ExecIDs") List<String> execIds,
        @JsonProperty("HostConfig") HostConfig hostConfig,
        @JsonProperty("GraphDriver") GraphDriver graphDriver,
        @JsonProperty("SizeRw") @JsonInclude(JsonInclude.Include.NON_NULL) Long sizeRw,
        @JsonProperty("SizeRootFs") @JsonInclude(JsonInclude.Include.NON_NULL) Long sizeRootFs,
        @JsonProperty("Mounts") List<MountPoint> mounts,
        @JsonProperty("Config") ContainerConfig config,
        @JsonProperty("NetworkSettings") NetworkSettings networkSettings) {

    public record GraphDriver(@JsonProperty("Name") String name, @JsonProperty("Data") Map<String, String> data) {
    }

    /** One entry of {@code Mounts} (inspect and list). */
    public record MountPoint(@JsonProperty("Type") String type,
                             @JsonProperty("Name") @JsonInclude(JsonInclude.Include.NON_NULL) String name,
                             @JsonProperty("Source") String source,
                             @JsonProperty("Destination") String destination,
                             @JsonProperty("Driver") @JsonInclude(JsonInclude.Include.NON_NULL) String driver,
                             @JsonProperty("Mode") String mode,
                             @JsonProperty("RW") boolean rw, @JsonProperty("Propagation") String propagation) {

        /** A bind mount (no volume name or driver): the constructor before volumes existed. */
        public MountPoint(String type, String source, String destination, String mode, boolean rw,
                          String propagation) {
            this(type, null, source, destination, null, mode, rw, propagation);
        }
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record NetworkSettings(
            @JsonProperty("Bridge") String bridge,
            @JsonProperty("SandboxID") String sandboxId,
            @JsonProperty("HairpinMode") boolean hairpinMode,
            @JsonProperty("LinkLocalIPv6Address") String linkLocalIpv6Address,
            @JsonProperty("LinkLocalIPv6PrefixLen") int linkLocalIpv6PrefixLen,
            @JsonProperty("Ports") Map<String, Object> ports,
            @JsonProperty("SandboxKey") String sandboxKey,
            @JsonProperty("SecondaryIPAddresses") Object secondaryIpAddresses,
            @JsonProperty("SecondaryIPv6Addresses") Object secondaryIpv6Addresses,
            @JsonProperty("EndpointID") String endpointId,
            @JsonProperty("Gateway") String gateway,
            @JsonProperty("GlobalIPv6Address") String globalIpv6Address,
            @JsonProperty("GlobalIPv6PrefixLen") int globalIpv6PrefixLen,
            @JsonProperty("IPAddress") String ipAddress,
            @JsonProperty("IPPrefixLen") int ipPrefixLen,
            @JsonProperty("IPv6Gateway") String ipv6Gateway,
            @JsonProperty("MacAddress") String macAddress,
            @JsonProperty("Networks") Map<String, Object> networks) {

        /** What a container without an attached network shows (none, host, and for now bridge). */
        public static NetworkSettings unattached(String sandboxKey) {
            return new NetworkSettings("", "", false, "", 0, Map.of(), sandboxKey, null, null, "", "", "", 0, "", 0,
                    "", "", Map.of());
        }
    }
}
