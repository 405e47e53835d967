package io.pouch.daemon.cri.cni;

/**
 * One port of a pod published on the host, as the portmap plugin takes it. {@code protocol} is tcp, udp or sctp
 * (any case; null means tcp); {@code hostIp} null or empty means every host address.
 */
public record PortMapping(int hostPort, int containerPort, String protocol, String hostIp) {
}
