package io.pouch.daemon.network;

import io.pouch.api.PouchException;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The records of new networks: the predefined ones ({@code bridge} from the daemon's flags, {@code host},
 * {@code none}) and user-defined bridge networks from a create request, checked as dockerd checks them, with
 * dockerd's messages. Nothing is made on the host here.
 */
final class NetworkFactory {
    static final String MTU_OPTION = BridgeOptions.MTU;
    static final String BRIDGE_NAME_OPTION = BridgeOptions.BRIDGE_NAME;

    private NetworkFactory() {
    }

    /** The predefined {@code bridge} network on device, with --bip's subnet and gateway and the --fixed-cidr pool. */
    static NetworkRecord defaultBridge(String id, String device, Cidr bip, String fixedCidr) {
        return new NetworkRecord(id, "bridge", "bridge", now(), device, bip.canonical().toString(), bip.addressString(),
                fixedCidr, false, Map.of(), Map.of(BRIDGE_NAME_OPTION, device,
                        "com.docker.network.bridge.default_bridge", "true"));
    }

    static NetworkRecord host() {
        return new NetworkRecord(Ids.newId(), "host", "host", now(), "", "", "", "", false, Map.of(), Map.of());
    }

    static NetworkRecord none() {
        return new NetworkRecord(Ids.newId(), "none", "null", now(), "", "", "", "", false, Map.of(), Map.of());
    }

    /**
     * The default bridge's address pool from --fixed-cidr ("" for the whole subnet when fixed is null).
     *
     * @throws PouchException 400 when it is not a CIDR inside --bip's subnet
     */
    static String fixedCidr(Cidr bip, String fixed) {
        if (fixed == null) {
            return "";
        }
        Cidr c;
        try {
            c = Cidr.parse(fixed).canonical();
        } catch (RuntimeException e) {
            throw PouchException.invalidArgument("invalid fixed-cidr " + fixed + ": " + e.getMessage());
        }
        if (!bip.canonical().contains(c)) {
            throw PouchException.invalidArgument("fixed-cidr " + fixed + " is not inside the bridge subnet "
                    + bip.canonical() + " (--bip)");
        }
        return c.toString();
    }

    /**
     * The checks that need no other network: a valid name, the bridge driver (host and null have their one
     * predefined instance, other drivers would be plugins), the default IPAM driver, local scope, and none of the
     * swarm-only or config-network fields, with dockerd's messages where it has one.
     */
    static void checkRequest(NetworkCreateRequest r) {
        if (r.name() == null || r.name().isEmpty()) {
            throw PouchException.invalidArgument("network name is required");
        }
        if (!r.name().matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw PouchException.invalidArgument("invalid network name \"" + r.name() + "\"");
        }
        String driver = r.driver() == null || r.driver().isEmpty() ? "bridge" : r.driver();
        if (!driver.equals("bridge")) {
            if (driver.equals("host") || driver.equals("null")) {
                throw PouchException.forbidden("only one instance of \"" + driver + "\" network is allowed");
            }
            throw PouchException.notFound("plugin \"" + driver + "\" not found");
        }
        if (!r.ipamDriver().isEmpty() && !r.ipamDriver().equals("default")) {
            throw PouchException.notFound("plugin \"" + r.ipamDriver() + "\" not found");
        }
        switch (r.scope()) {
            case "", "local" -> { }
            case "swarm" -> throw PouchException.forbidden("cannot create a swarm scoped network when swarm is not"
                    + " active");
            default -> throw PouchException.invalidArgument("invalid Scope " + r.scope() + ": pouchd's networks are"
                    + " local");
        }
        if (r.ingress()) {
            throw PouchException.forbidden("Ingress network can only be global scope network");
        }
        if (r.configOnly()) {
            throw PouchException.invalidArgument("ConfigOnly networks are not supported by pouchd");
        }
        if (!r.configFrom().isEmpty()) {
            throw PouchException.invalidArgument("ConfigFrom is not supported by pouchd: network " + r.configFrom()
                    + " cannot lend its configuration");
        }
        if (!r.v6().isEmpty() && !r.enableIpv6()) {
            throw PouchException.invalidArgument("IPv6 address configuration " + describe(r.v6())
                    + " needs EnableIPv6 (docker network create --ipv6)");
        }
        if (r.enableIpv6() && r.v6().subnet().isEmpty()) {
            if (!r.v6().isEmpty()) {
                throw PouchException.invalidArgument("gateway, ip-range and aux-address need a subnet");
            }
            throw PouchException.forbidden("could not find an available, non-overlapping IPv6 address pool among"
                    + " the defaults to assign to the network");
        }
        BridgeOptions.parse(r.options());
    }

    private static String describe(NetworkCreateRequest.Pool p) {
        return !p.subnet().isEmpty() ? p.subnet() : !p.gateway().isEmpty() ? p.gateway()
                : !p.ipRange().isEmpty() ? p.ipRange() : p.aux().values().iterator().next();
    }

    /**
     * The record of a new bridge network, after {@link #checkRequest}: a unique name, a subnet that overlaps no
     * other bridge network (one of the default pools when none is asked for), a gateway, range and auxiliary
     * addresses inside it, the same for IPv6 when enabled, and a bridge device that no other network uses. A device
     * that already exists on the host must be a bridge: it is adopted, as dockerd does, and left on removal.
     * The caller holds the network lock, so the networks cannot change between these checks and the record's
     * addition.
     *
     * @param deviceExists whether a link of that name exists on the host
     * @param isBridge     whether an existing link of that name is a bridge
     */
    static NetworkRecord bridge(NetworkCreateRequest r, NetworkStore networks, Predicate<String> deviceExists,
                                Predicate<String> isBridge) {
        if (networks.byName(r.name()) != null) {
            throw PouchException.conflict("network with name " + r.name() + " already exists");
        }
        NetworkCreateRequest.Pool p = r.v4();
        Cidr subnet;
        boolean auto = p.subnet().isEmpty();
        if (auto) {
            if (!p.gateway().isEmpty() || !p.ipRange().isEmpty() || !p.aux().isEmpty()) {
                throw PouchException.invalidArgument("gateway, ip-range and aux-address need a subnet");
            }
            subnet = AddressPools.free(networks.all());
        } else {
            subnet = Cidr.parse(p.subnet()).canonical();
            if (!Cidr.parse(p.subnet()).equals(subnet)) {
                throw PouchException.invalidArgument("invalid subnet " + p.subnet() + ": it should be " + subnet);
            }
            for (NetworkRecord n : networks.all()) {
                if (n.isBridge() && n.subnetCidr().overlaps(subnet)) {
                    throw PouchException.forbidden("Pool overlaps with other one on this address space");
                }
            }
        }
        if (subnet.prefix() > 30) {
            throw PouchException.invalidArgument("subnet " + subnet + " is too small: it needs a /30 or larger");
        }
        String gw;
        if (!p.gateway().isEmpty()) {
            gw = Cidr.format(address4(p.gateway(), subnet, "gateway"));
        } else {
            gw = Cidr.format(subnet.network() + 1);
        }
        String range = "";
        if (!p.ipRange().isEmpty()) {
            Cidr ir = Cidr.parse(p.ipRange());
            if (!subnet.contains(ir.canonical())) {
                throw PouchException.invalidArgument("ip-range " + p.ipRange() + " is not in subnet " + subnet);
            }
            range = ir.canonical().toString();
        }
        Map<String, String> aux = new TreeMap<>();
        p.aux().forEach((k, v) -> aux.put(k, Cidr.format(address4(v, subnet, "aux-address"))));
        Ipv6 six = r.enableIpv6() ? ipv6(r.v6(), networks) : new Ipv6("", "", "", Map.of());
        String id = Ids.newId();
        Map<String, String> opts = r.options();
        BridgeOptions.parse(opts); // refuses a bad option before anything is made
        String dev = opts.getOrDefault(BRIDGE_NAME_OPTION, "br-" + id.substring(0, 12));
        if (dev.isEmpty() || dev.length() > 15 || !dev.matches("[a-zA-Z0-9_.-]+")) {
            throw PouchException.invalidArgument("invalid bridge name \"" + dev + "\": 1 to 15 letters, digits, . _ -");
        }
        for (NetworkRecord n : networks.all()) {
            if (dev.equals(n.device())) {
                throw PouchException.conflict("bridge " + dev + " is already used by network " + n.name());
            }
        }
        boolean adopted = deviceExists.test(dev);
        if (adopted && !isBridge.test(dev)) {
            throw PouchException.conflict("device " + dev + " already exists on the host and is not a bridge");
        }
        return new NetworkRecord(id, r.name(), "bridge", now(), dev, subnet.toString(), gw, range, r.internal(),
                r.labels(), opts, Map.copyOf(aux), auto, r.enableIpv6(), six.subnet(), six.gateway(), six.range(),
                six.aux(), r.ipamOptions(), r.attachable(), adopted);
    }

    private record Ipv6(String subnet, String gateway, String range, Map<String, String> aux) {
    }

    /** The IPv6 side of a new network: subnet (given, checked by {@link #checkRequest}), gateway, range, aux. */
    private static Ipv6 ipv6(NetworkCreateRequest.Pool p, NetworkStore networks) {
        Cidr6 subnet = Cidr6.parse(p.subnet()).canonical();
        if (!Cidr6.parse(p.subnet()).equals(subnet)) {
            throw PouchException.invalidArgument("invalid subnet " + p.subnet() + ": it should be " + subnet);
        }
        if (subnet.prefix() > 126) {
            throw PouchException.invalidArgument("subnet " + subnet + " is too small: it needs a /126 or larger");
        }
        for (NetworkRecord n : networks.all()) {
            if (n.hasIpv6() && n.subnet6Cidr().overlaps(subnet)) {
                throw PouchException.forbidden("Pool overlaps with other one on this address space");
            }
        }
        String gw = Cidr6.format(p.gateway().isEmpty() ? subnet.network().add(BigInteger.ONE)
                : address6(p.gateway(), subnet, "gateway"));
        String range = "";
        if (!p.ipRange().isEmpty()) {
            Cidr6 ir = Cidr6.parse(p.ipRange()).canonical();
            if (!subnet.contains(ir)) {
                throw PouchException.invalidArgument("ip-range " + p.ipRange() + " is not in subnet " + subnet);
            }
            range = ir.toString();
        }
        Map<String, String> aux = new TreeMap<>();
        p.aux().forEach((k, v) -> aux.put(k, Cidr6.format(address6(v, subnet, "aux-address"))));
        return new Ipv6(subnet.toString(), gw, range, Map.copyOf(aux));
    }

    /** An IPv4 address of the subnet, for the gateway or an aux-address, with dockerd's messages. */
    private static int address4(String s, Cidr subnet, String what) {
        Integer a = Cidr.parseAddress(s);
        if (a == null) {
            throw PouchException.invalidArgument("invalid " + what + " address " + s + " in Ipam configuration");
        }
        if (!subnet.contains(a)) {
            throw PouchException.invalidArgument("no matching subnet for " + what + " " + s);
        }
        return a;
    }

    private static BigInteger address6(String s, Cidr6 subnet, String what) {
        BigInteger a = Cidr6.parseAddress(s);
        if (a == null) {
            throw PouchException.invalidArgument("invalid " + what + " address " + s + " in Ipam configuration");
        }
        if (!subnet.contains(a)) {
            throw PouchException.invalidArgument("no matching subnet for " + what + " " + s);
        }
        return a;
    }

    private static String now() {
        return Instant.now().toString();
    }
}
