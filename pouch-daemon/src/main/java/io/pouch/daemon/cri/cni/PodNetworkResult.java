package io.pouch.daemon.cri.cni;

import java.util.List;

/**
 * The pod's addresses as the network's last plugin reported them, without prefix length; the primary address
 * (IPv4 when there is one, as containerd picks it) first.
 */
public record PodNetworkResult(List<String> ips, String interfaceName) {
    public PodNetworkResult {
        ips = List.copyOf(ips);
    }
}
