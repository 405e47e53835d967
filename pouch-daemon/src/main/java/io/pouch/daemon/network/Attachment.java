package io.pouch.daemon.network;

import java.util.List;

/**
 * What the container manager needs from an attach: the namespace for the OCI spec (null = let the runtime make
 * an empty one, or host networking), lines for /etc/hosts, and the nameservers for resolv.conf (empty = the host's).
 */
public record Attachment(String netnsPath, List<String> hostsLines, List<String> nameservers) {
    public static final Attachment NONE = new Attachment(null, List.of(), List.of());
}
