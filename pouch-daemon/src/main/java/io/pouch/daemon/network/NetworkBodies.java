package io.pouch.daemon.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.daemon.api.JsonBody;

import java.util.List;
import java.util.Map;

/**
 * The JSON types of the network bodies, as dockerd declares them. The bodies are read leniently from the tree
 * ({@link NetworkCreateRequest}, {@link NetworkRequest}); decoding them into these records first refuses a value of
 * the wrong type with a 400 naming the field, as Go's decoder does, instead of reading {@code "Internal":"yes"} as
 * false.
 */
public final class NetworkBodies {
    private NetworkBodies() {
    }

    record IpamConfig(@JsonProperty("Subnet") String subnet, @JsonProperty("IPRange") String ipRange,
                      @JsonProperty("Gateway") String gateway,
                      @JsonProperty("AuxiliaryAddresses") Map<String, String> auxAddress) {
    }

    record Ipam(@JsonProperty("Driver") String driver, @JsonProperty("Options") Map<String, String> options,
                @JsonProperty("Config") List<IpamConfig> config) {
    }

    record Create(@JsonProperty("Name") String name, @JsonProperty("CheckDuplicate") Boolean checkDuplicate,
                  @JsonProperty("Driver") String driver, @JsonProperty("Scope") String scope,
                  @JsonProperty("EnableIPv6") Boolean enableIpv6, @JsonProperty("IPAM") Ipam ipam,
                  @JsonProperty("Internal") Boolean internal, @JsonProperty("Attachable") Boolean attachable,
                  @JsonProperty("Ingress") Boolean ingress, @JsonProperty("ConfigOnly") Boolean configOnly,
                  @JsonProperty("Options") Map<String, String> options,
                  @JsonProperty("Labels") Map<String, String> labels) {
    }

    record EndpointIpam(@JsonProperty("IPv4Address") String ipv4, @JsonProperty("IPv6Address") String ipv6,
                        @JsonProperty("LinkLocalIPs") List<String> linkLocal) {
    }

    record Endpoint(@JsonProperty("IPAMConfig") EndpointIpam ipam, @JsonProperty("Links") List<String> links,
                    @JsonProperty("Aliases") List<String> aliases, @JsonProperty("MacAddress") String mac,
                    @JsonProperty("DriverOpts") Map<String, String> driverOpts,
                    @JsonProperty("NetworkID") String networkId, @JsonProperty("EndpointID") String endpointId,
                    @JsonProperty("Gateway") String gateway, @JsonProperty("IPAddress") String ipAddress,
                    @JsonProperty("IPPrefixLen") Integer prefixLen) {
    }

    record NetworkingConfig(@JsonProperty("EndpointsConfig") Map<String, Endpoint> endpoints) {
    }

    record Connect(@JsonProperty("Container") String container,
                   @JsonProperty("EndpointConfig") Endpoint endpointConfig) {
    }

    record Disconnect(@JsonProperty("Container") String container, @JsonProperty("Force") Boolean force) {
    }

    static void checkCreate(JsonNode body) {
        JsonBody.convert(body, null, Create.class);
    }

    static void checkConnect(JsonNode body) {
        JsonBody.convert(body, null, Connect.class);
    }

    static void checkDisconnect(JsonNode body) {
        JsonBody.convert(body, null, Disconnect.class);
    }

    /** The {@code NetworkingConfig} of a container create body, if any. */
    public static void checkNetworkingConfig(JsonNode createBody) {
        JsonNode n = createBody.get("NetworkingConfig");
        if (n != null && !n.isNull()) {
            JsonBody.convert(n, "NetworkingConfig", NetworkingConfig.class);
        }
    }
}
