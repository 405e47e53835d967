package io.pouch.daemon.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
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
        endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
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
        if (ec.isObject()) {
            ec.fields().forEachRemaining(e -> eps.put(e.getKey(), endpoint(e.getKey(), e.getValue())));
        }
        List<String> links = new ArrayList<>();
        JsonNode l = body.path("HostConfig").path("Links");
        if (l.isArray()) {
            l.forEach(n -> links.add(n.asText()));
        }
        return new NetworkRequest(eps, links, text(body.get("MacAddress")));
    }

    /** One {@code EndpointSettings} object (create's EndpointsConfig value, or connect's EndpointConfig). */
    public static EndpointConfig endpoint(String network, JsonNode n) {
        if (n == null || !n.isObject()) {
            return new EndpointConfig(network, "", List.of(), "");
        }
        List<String> aliases = new ArrayList<>();
        if (n.path("Aliases").isArray()) {
            n.path("Aliases").forEach(a -> aliases.add(a.asText()));
        }
        return new EndpointConfig(network, text(n.path("IPAMConfig").get("IPv4Address")), aliases,
                text(n.get("MacAddress")));
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
            e = new EndpointConfig(e.network(), e.ipv4Address(), e.aliases(), macAddress);
        }
        return e;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "" : n.asText();
    }
}
