package io.pouch.daemon.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network part of a container create request that the shared API records do not carry:
 * {@code NetworkingConfig.EndpointsConfig}, {@code HostConfig.Links} and the old top-level {@code MacAddress}.
 * Read from the raw JSON so the shared records need no new components.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NetworkRequest(Map<String, EndpointConfig> endpoints, List<String> links, String macAddress) {
    public static final NetworkRequest EMPTY = new NetworkRequest(Map.of(), List.of(), "");

    public NetworkRequest {
        // in the client's order: the networks after the mode's are connected in it
        endpoints = endpoints == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(endpoints));
        links = links == null ? List.of() : List.copyOf(links);
        macAddress = macAddress == null ? "" : macAddress;
    }

    /** From a container create body; tolerant of nulls and missing parts (docker-java sends explicit nulls). */
    public static NetworkRequest fromCreateBody(JsonNode body) {
        if (body == null || !body.isObject()) {
            return EMPTY;
        }
        Map<String, EndpointConfig> eps = new LinkedHashMap<>();
        JsonNode ec = body.path("NetworkingConfig").path("EndpointsConfig");
        List<String> links = new ArrayList<>();
        JsonNode l = body.path("HostConfig").path("Links");
        if (l.isArray()) {
            l.forEach(n -> links.add(n.asText()));
        }
        if (ec.isObject()) {
            ec.fields().forEachRemaining(e -> {
                eps.put(e.getKey(), endpoint(e.getKey(), e.getValue()));
                // the docker CLI repeats --link here for a user network: the same links as HostConfig.Links
                endpointLinks(e.getValue()).stream().filter(x -> !links.contains(x)).forEach(links::add);
            });
        }
        return new NetworkRequest(eps, links, text(body.get("MacAddress")));
    }

    /**
     * One {@code EndpointSettings} object (create's EndpointsConfig value, or connect's EndpointConfig). What the
     * bridge driver has no use for is refused: {@code DriverOpts} (dockerd's bridge driver reads none of them) and a
     * {@code GwPriority} other than 0 (pouchd routes through the first network that routes out).
     * {@code Links} is for the caller to read ({@link #endpointLinks}). The output fields (NetworkID, EndpointID,
     * Gateway, IPAddress...) are ignored, as dockerd ignores them.
     *
     * @throws PouchException 400 naming the field
     */
    public static EndpointConfig endpoint(String network, JsonNode n) {
        if (n == null || !n.isObject()) {
            return new EndpointConfig(network, "", List.of(), "");
        }
        List<String> aliases = strings(n.path("Aliases"));
        JsonNode opts = n.path("DriverOpts");
        if (opts.isObject() && !opts.isEmpty()) {
            throw PouchException.invalidArgument("DriverOpts " + opts.fieldNames().next()
                    + " of network " + network + " is not supported: the bridge driver has no endpoint options");
        }
        if (n.path("GwPriority").asLong(0) != 0) {
            throw PouchException.invalidArgument("GwPriority " + n.path("GwPriority").asText() + " of network "
                    + network + " is not supported by pouchd: the default route is through the first network");
        }
        JsonNode ipam = n.path("IPAMConfig");
        return new EndpointConfig(network, text(ipam.get("IPv4Address")), aliases, text(n.get("MacAddress")),
                text(ipam.get("IPv6Address")), strings(ipam.path("LinkLocalIPs")));
    }

    /** {@code Links} of an {@code EndpointSettings} object. */
    public static List<String> endpointLinks(JsonNode n) {
        return n == null ? List.of() : strings(n.path("Links"));
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        if (a.isArray()) {
            a.forEach(x -> out.add(x.asText()));
        }
        return out;
    }

    /**
     * The networks a create asks for besides its mode's (API 1.44+ connects a new container to every network of
     * {@code EndpointsConfig}), by the name the client keyed them with.
     */
    public Map<String, EndpointConfig> extras(String mode) {
        if (!endpoints.containsKey(mode) && endpoints.size() == 1) {
            return Map.of(); // the one entry is the mode's, keyed otherwise (the CLI's "default")
        }
        Map<String, EndpointConfig> out = new LinkedHashMap<>(endpoints);
        out.remove(mode);
        return out;
    }

    /** The endpoint config for the container's own network mode (the CLI keys "default" for mode default). */
    public EndpointConfig forMode(String mode) {
        EndpointConfig e = endpoints.get(mode);
        if (e == null && endpoints.size() == 1) {
            e = endpoints.values().iterator().next();
        }
        if (e == null) {
            e = new EndpointConfig(mode, "", List.of(), "");
        }
        if (e.macAddress().isEmpty() && !macAddress.isEmpty()) {
            e = e.withMac(macAddress);
        }
        return e;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "" : n.asText();
    }
}
