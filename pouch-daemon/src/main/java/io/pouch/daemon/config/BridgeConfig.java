package io.pouch.daemon.config;

/**
 * The default bridge's data-plane settings beyond its name and address (those stay in {@link DaemonConfig}):
 * dockerd's and Pouch's {@code --fixed-cidr}, {@code --mtu}, {@code --iptables} and {@code --ipforward}.
 *
 * @param fixedCidr where on the default bridge container addresses come from (a subnet of {@code --bip}), or null
 *                  for the whole bridge subnet
 * @param mtu       the MTU of the bridge and of containers' interfaces
 * @param iptables  whether pouchd writes iptables rules (masquerade, published ports, isolation); without them
 *                  published ports are not reachable, as with dockerd
 * @param ipForward whether pouchd turns on {@code net.ipv4.ip_forward} (containers need it to reach past the host)
 */
public record BridgeConfig(String fixedCidr, int mtu, boolean iptables, boolean ipForward) {
    public static final int DEFAULT_MTU = 1500;

    public static BridgeConfig defaults() {
        return new BridgeConfig(null, DEFAULT_MTU, true, true);
    }
}
