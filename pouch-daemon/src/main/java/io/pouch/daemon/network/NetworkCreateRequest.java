package io.pouch.daemon.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code POST /networks/create} request. Read from the raw JSON, leniently as dockerd does: a missing or null
 * field is "", scalars of any JSON type are taken as text.
 *
 * @param driver         "" for the default (bridge)
 * @param subnet         "" to choose one of the default pools
 * @param checkDuplicate always true: a name is unique, as with current dockerd
 */
public record NetworkCreateRequest(String name, String driver, String subnet, String gateway, String ipRange,
                                   boolean internal, Map<String, String> labels, Map<String, String> options,
                                   boolean checkDuplicate) {

    /** What {@code IPAM.Config} asks for: at most one IPv4 subnet, with its gateway and range ("" when not given). */
    record Ipam(String subnet, String gateway, String ipRange) {
        static final Ipam NONE = new Ipam("", "", "");

        /**
         * @param config the {@code IPAM.Config} array (anything else asks for nothing)
         * @throws PouchException 400 for an IPv6 subnet or more than one subnet
         */
        static Ipam parse(JsonNode config) {
            Ipam out = NONE;
            if (config == null || !config.isArray()) {
                return out;
            }
            for (JsonNode c : config) {
                String s = text(c.get("Subnet"));
                if (s.contains(":")) {
                    throw PouchException.invalidArgument("IPv6 subnets are not supported by pouchd yet: " + s);
                }
                if (!out.subnet().isEmpty()) {
                    throw PouchException.invalidArgument("only one IPv4 subnet per network is supported");
                }
                out = new Ipam(s, text(c.get("Gateway")), text(c.get("IPRange")));
            }
            return out;
        }
    }

    /** From the request body, a JSON object. */
    static NetworkCreateRequest fromBody(JsonNode b) {
        Map<String, String> labels = map(b.get("Labels"));
        Map<String, String> opts = map(b.get("Options"));
        Ipam ipam = Ipam.parse(b.path("IPAM").path("Config"));
        return new NetworkCreateRequest(text(b.get("Name")), text(b.get("Driver")), ipam.subnet(), ipam.gateway(),
                ipam.ipRange(), b.path("Internal").asBoolean(false), labels, opts, true);
    }

    private static Map<String, String> map(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        if (n != null && n.isObject()) {
            n.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
        }
        return m;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "" : n.asText();
    }
}
