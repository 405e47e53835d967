package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import io.pouch.daemon.config.BridgeConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The driver options ({@code Options}, {@code docker network create -o}) of a user-defined bridge network, read as
 * dockerd's bridge driver reads them. Each is applied with dockerd's meaning or refused with a 400 naming it:
 * <ul>
 *   <li>{@code com.docker.network.bridge.name}: the device; an existing bridge is adopted and left on removal</li>
 *   <li>{@code com.docker.network.driver.mtu}: the bridge's and the containers' MTU</li>
 *   <li>{@code com.docker.network.bridge.enable_ip_masquerade}: false leaves out the masquerade rule</li>
 *   <li>{@code com.docker.network.bridge.enable_icc}: false drops traffic between containers of the network</li>
 *   <li>{@code com.docker.network.bridge.host_binding_ipv4}: the host address of ports published without one</li>
 *   <li>{@code com.docker.network.container_iface_prefix}: the interface name in containers (prefix + index)</li>
 * </ul>
 * Refused: {@code com.docker.network.bridge.default_bridge} (there is one default bridge, the daemon's),
 * {@code com.docker.network.bridge.inhibit_ipv4} (the bridge always holds its gateway address),
 * {@code com.docker.network.enable_ipv6} (dockerd 20.10 takes it and ignores it; {@code EnableIPv6} is the field),
 * and any other key: dockerd's bridge driver stores an unknown key and does nothing with it, which would hide a typo.
 *
 * @param ifacePrefix "" for Docker's {@code eth}
 * @param hostIp      "" for every address
 */
record BridgeOptions(int mtu, boolean masquerade, boolean icc, String hostIp, String ifacePrefix) {
    private static final Logger LOG = Logger.getLogger(BridgeOptions.class.getName());
    static final String BRIDGE_NAME = "com.docker.network.bridge.name";
    static final String MTU = "com.docker.network.driver.mtu";
    static final String MASQUERADE = "com.docker.network.bridge.enable_ip_masquerade";
    static final String ICC = "com.docker.network.bridge.enable_icc";
    static final String HOST_BINDING = "com.docker.network.bridge.host_binding_ipv4";
    static final String IFACE_PREFIX = "com.docker.network.container_iface_prefix";
    static final String DEFAULT_BRIDGE = "com.docker.network.bridge.default_bridge";
    private static final Set<String> APPLIED = Set.of(BRIDGE_NAME, MTU, MASQUERADE, ICC, HOST_BINDING, IFACE_PREFIX);

    static final BridgeOptions DEFAULTS = new BridgeOptions(BridgeConfig.DEFAULT_MTU, true, true, "", "");

    /**
     * The options of a user network's record or request.
     *
     * @throws PouchException 400 naming the option for one that is refused or has a bad value
     */
    static BridgeOptions parse(Map<String, String> options) {
        if (options == null || options.isEmpty()) {
            return DEFAULTS;
        }
        for (String k : options.keySet()) {
            if (!APPLIED.contains(k)) {
                throw PouchException.invalidArgument(refusal(k));
            }
        }
        String hostIp = options.getOrDefault(HOST_BINDING, "");
        if (!hostIp.isEmpty() && Cidr.parseAddress(hostIp) == null) {
            throw PouchException.invalidArgument("invalid " + HOST_BINDING + " " + hostIp + ": an IPv4 address");
        }
        String prefix = options.getOrDefault(IFACE_PREFIX, "");
        if (!prefix.isEmpty() && !prefix.matches("[a-zA-Z][a-zA-Z0-9_-]{0,12}")) {
            throw PouchException.invalidArgument("invalid " + IFACE_PREFIX + " \"" + prefix
                    + "\": 1 to 13 letters, digits, _ or -, starting with a letter");
        }
        return new BridgeOptions(mtu(options), bool(options, MASQUERADE), bool(options, ICC), hostIp, prefix);
    }

    private static String refusal(String k) {
        return switch (k) {
            case DEFAULT_BRIDGE -> "option " + k + " is not supported: the default bridge is the daemon's"
                    + " (--bridge-name)";
            case "com.docker.network.bridge.inhibit_ipv4" -> "option " + k + " is not supported by pouchd: the"
                    + " bridge always holds its IPv4 gateway address";
            case "com.docker.network.enable_ipv6" -> "option " + k + " is not supported: use EnableIPv6"
                    + " (docker network create --ipv6)";
            default -> "option " + k + " is not supported by the bridge driver of pouchd";
        };
    }

    /** dockerd reads these with Go's strconv.ParseBool; absent is true. */
    private static boolean bool(Map<String, String> options, String key) {
        String v = options.get(key);
        if (v == null || v.isEmpty()) {
            return true;
        }
        return switch (v) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw PouchException.invalidArgument("invalid " + key + " " + v + ": true or false");
        };
    }

    /**
     * A user network's MTU from its driver option, 1500 without one, as dockerd.
     *
     * @throws PouchException 400 for an MTU option that is not a number in 68..65535
     */
    static int mtu(Map<String, String> options) {
        String v = options == null ? null : options.get(MTU);
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
        throw PouchException.invalidArgument("invalid " + MTU + " " + v + ": a number between 68 and 65535");
    }

    /**
     * A stored network's options: the default bridge has Docker's defaults (its MTU is the daemon's --mtu). A
     * network created before pouchd refused an option may hold one it now refuses or a bad value; it keeps working
     * with the defaults for those, as it did when it was created, rather than failing the daemon's start.
     */
    static BridgeOptions of(NetworkRecord n) {
        if (n.isDefaultBridge()) {
            return DEFAULTS;
        }
        Map<String, String> known = new HashMap<>(n.options());
        known.keySet().retainAll(APPLIED);
        try {
            return parse(known);
        } catch (PouchException e) {
            LOG.warning("network " + n.name() + ": " + e.getMessage() + "; Docker's defaults are used");
            return new BridgeOptions(BridgeConfig.DEFAULT_MTU, true, true, "", "");
        }
    }

    /** A container's interface name on this network, the index-th of the container. */
    String ifName(int index) {
        return (ifacePrefix.isEmpty() ? "eth" : ifacePrefix) + index;
    }
}
