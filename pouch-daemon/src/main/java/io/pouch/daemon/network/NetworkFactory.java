package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import io.pouch.daemon.config.BridgeConfig;

import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The records of new networks: the predefined ones ({@code bridge} from the daemon's flags, {@code host},
 * {@code none}) and user-defined bridge networks from a create request, checked as dockerd checks them, with
 * dockerd's messages. Nothing is made on the host here.
 */
final class NetworkFactory {
    static final String MTU_OPTION = "com.docker.network.driver.mtu";
    static final String BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";

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
     * A user network's MTU from its driver option, 1500 without one, as dockerd.
     *
     * @throws PouchException 400 for an MTU option that is not a number in 68..65535
     */
    static int mtuOption(Map<String, String> options) {
        String v = options == null ? null : options.get(MTU_OPTION);
        if (v == null || v.isEmpty()) {
            return BridgeConfig.DEFAULT_MTU;
        }
        try {
            int mtu = Integer.parseInt(v);
            if (mtu >= 68 && mtu <= 65535) {
                return mtu;
            }
        } catch (NumberFormatException ignored) {
            // the message below
        }
        throw PouchException.invalidArgument("invalid " + MTU_OPTION + " " + v + ": a number between 68 and 65535");
    }

    /**
     * The checks that need no other network: a valid name, and the bridge driver (host and null have their one
     * predefined instance, other drivers would be plugins).
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
    }

    /**
     * The record of a new bridge network, after {@link #checkRequest}: a unique name, a subnet that overlaps no
     * other bridge network (one of the default pools when none is asked for), a gateway and range inside it, and a
     * bridge device that neither another network nor the host uses. The caller holds the network lock, so the
     * networks cannot change between these checks and the record's addition.
     *
     * @param deviceExists whether a link of that name exists on the host
     */
    static NetworkRecord bridge(NetworkCreateRequest r, NetworkStore networks, Predicate<String> deviceExists) {
        if (networks.byName(r.name()) != null) {
            throw PouchException.conflict("network with name " + r.name() + " already exists");
        }
        Cidr subnet;
        if (r.subnet() == null || r.subnet().isEmpty()) {
            if (r.gateway() != null && !r.gateway().isEmpty() || r.ipRange() != null && !r.ipRange().isEmpty()) {
                throw PouchException.invalidArgument("gateway and ip-range need a subnet");
            }
            subnet = AddressPools.free(networks.all());
        } else {
            subnet = Cidr.parse(r.subnet()).canonical();
            if (!Cidr.parse(r.subnet()).equals(subnet)) {
                throw PouchException.invalidArgument("invalid subnet " + r.subnet() + ": it should be " + subnet);
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
        if (r.gateway() != null && !r.gateway().isEmpty()) {
            Integer g = Cidr.parseAddress(r.gateway());
            if (g == null) {
                throw PouchException.invalidArgument("invalid gateway address " + r.gateway());
            }
            if (!subnet.contains(g)) {
                throw PouchException.invalidArgument("no matching subnet for gateway " + r.gateway());
            }
            gw = Cidr.format(g);
        } else {
            gw = Cidr.format(subnet.network() + 1);
        }
        String range = "";
        if (r.ipRange() != null && !r.ipRange().isEmpty()) {
            Cidr ir = Cidr.parse(r.ipRange());
            if (!subnet.contains(ir.canonical())) {
                throw PouchException.invalidArgument("ip-range " + r.ipRange() + " is not in subnet " + subnet);
            }
            range = ir.canonical().toString();
        }
        String id = Ids.newId();
        Map<String, String> opts = r.options() == null ? Map.of() : r.options();
        mtuOption(opts); // refuses a bad MTU before anything is made
        String dev = opts.getOrDefault(BRIDGE_NAME_OPTION, "br-" + id.substring(0, 12));
        if (dev.isEmpty() || dev.length() > 15 || !dev.matches("[a-zA-Z0-9_.-]+")) {
            throw PouchException.invalidArgument("invalid bridge name \"" + dev + "\": 1 to 15 letters, digits, . _ -");
        }
        for (NetworkRecord n : networks.all()) {
            if (dev.equals(n.device())) {
                throw PouchException.conflict("bridge " + dev + " is already used by network " + n.name());
            }
        }
        if (deviceExists.test(dev)) {
            throw PouchException.conflict("device " + dev + " already exists on the host");
        }
        return new NetworkRecord(id, r.name(), "bridge", now(), dev, subnet.toString(), gw, range, r.internal(),
                r.labels() == null ? Map.of() : Map.copyOf(r.labels()), Map.copyOf(opts));
    }

    private static String now() {
        return Instant.now().toString();
    }
}
