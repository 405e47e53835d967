package io.pouch.daemon.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code POST /networks/create} request. Read from the raw JSON, leniently as dockerd does: a missing or null
 * field is "", scalars of any JSON type are taken as text. {@code EnableIPv4} false is refused here, the rest of
 * what the request asks for is checked in
 * {@link NetworkFactory}, which applies it or refuses it.
 *
 * @param driver      "" for the default (bridge)
 * @param v4          the IPv4 entry of {@code IPAM.Config} ({@link Pool#NONE} to choose one of the default pools)
 * @param v6          the IPv6 entry of {@code IPAM.Config} ({@link Pool#NONE} for none)
 * @param enableIpv6  {@code EnableIPv6}
 * @param ipamDriver  {@code IPAM.Driver}, "" for the default
 * @param ipamOptions {@code IPAM.Options}
 * @param configFrom  {@code ConfigFrom.Network}, "" for none
 * @param scope       {@code Scope}, "" for the default (local)
 */
public record NetworkCreateRequest(String name, String driver, Pool v4, Pool v6, boolean enableIpv6,
                                   String ipamDriver, Map<String, String> ipamOptions, boolean internal,
                                   boolean attachable, boolean ingress, boolean configOnly, String configFrom,
                                   String scope, Map<String, String> labels, Map<String, String> options) {

    public NetworkCreateRequest {
        v4 = v4 == null ? Pool.NONE : v4;
        v6 = v6 == null ? Pool.NONE : v6;
        ipamDriver = ipamDriver == null ? "" : ipamDriver;
        ipamOptions = ipamOptions == null ? Map.of() : Map.copyOf(ipamOptions);
        configFrom = configFrom == null ? "" : configFrom;
        scope = scope == null ? "" : scope;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    /** An IPv4-only request with the default IPAM and none of the swarm fields. */
    public NetworkCreateRequest(String name, String driver, String subnet, String gateway, String ipRange,
                                boolean internal, Map<String, String> labels, Map<String, String> options) {
        this(name, driver, new Pool(subnet, gateway, ipRange, Map.of()), Pool.NONE, false, "", Map.of(), internal,
                false, false, false, "", "", labels, options);
    }

    public String subnet() {
        return v4.subnet();
    }

    public String gateway() {
        return v4.gateway();
    }

    public String ipRange() {
        return v4.ipRange();
    }

    /**
     * One entry of {@code IPAM.Config}; "" for what it does not give.
     *
     * @param aux {@code AuxiliaryAddresses}: name to an address the IPAM must never hand out
     */
    public record Pool(String subnet, String gateway, String ipRange, Map<String, String> aux) {
        public static final Pool NONE = new Pool("", "", "", Map.of());

        public Pool {
            subnet = subnet == null ? "" : subnet;
            gateway = gateway == null ? "" : gateway;
            ipRange = ipRange == null ? "" : ipRange;
            aux = aux == null ? Map.of() : Map.copyOf(aux);
        }

        boolean isEmpty() {
            return subnet.isEmpty() && gateway.isEmpty() && ipRange.isEmpty() && aux.isEmpty();
        }
    }

    /** What {@code IPAM.Config} asks for: at most one IPv4 and one IPv6 entry. */
    record Ipam(Pool v4, Pool v6) {
        static final Ipam NONE = new Ipam(Pool.NONE, Pool.NONE);

        /**
         * An entry is IPv6 when its subnet (or, without one, its gateway or range) is. An entry without a subnet is
         * replaced by a later one of its family.
         *
         * @param config the {@code IPAM.Config} array (anything else asks for nothing)
         * @throws PouchException 400 for a second subnet of a family (dockerd: the bridge driver has one each)
         */
        static Ipam parse(JsonNode config) {
            Pool v4 = Pool.NONE;
            Pool v6 = Pool.NONE;
            if (config == null || !config.isArray()) {
                return NONE;
            }
            for (JsonNode c : config) {
                Pool p = new Pool(text(c.get("Subnet")), text(c.get("Gateway")), text(c.get("IPRange")),
                        map(c.get("AuxiliaryAddresses")));
                String family = !p.subnet().isEmpty() ? p.subnet() : !p.gateway().isEmpty() ? p.gateway() : p.ipRange();
                boolean six = Cidr6.isV6(family);
                Pool before = six ? v6 : v4;
                if (!before.subnet().isEmpty() && !p.subnet().isEmpty()) {
                    throw PouchException.invalidArgument("bridge driver doesn't support multiple subnets");
                }
                if (six) {
                    v6 = p;
                } else {
                    v4 = p;
                }
            }
            return new Ipam(v4, v6);
        }
    }

    /** From the request body, a JSON object. */
    static NetworkCreateRequest fromBody(JsonNode b) {
        if (!b.path("EnableIPv4").asBoolean(true)) {
            throw PouchException.invalidArgument("EnableIPv4=false is not supported by pouchd: its bridge networks"
                    + " always have IPv4");
        }
        JsonNode ipamNode = b.path("IPAM");
        Ipam ipam = Ipam.parse(ipamNode.path("Config"));
        return new NetworkCreateRequest(text(b.get("Name")), text(b.get("Driver")), ipam.v4(), ipam.v6(),
                b.path("EnableIPv6").asBoolean(false), text(ipamNode.get("Driver")), map(ipamNode.get("Options")),
                b.path("Internal").asBoolean(false), b.path("Attachable").asBoolean(false),
                b.path("Ingress").asBoolean(false), b.path("ConfigOnly").asBoolean(false),
                text(b.path("ConfigFrom").get("Network")), text(b.get("Scope")), map(b.get("Labels")),
                map(b.get("Options")));
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
