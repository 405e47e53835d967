package io.pouch.daemon.network;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The lines the network side adds to a container's {@code /etc/hosts}: its own address with its hostname, and
 * for each legacy link ({@code --link name[:alias]}) the linked container's address on the same network, with the
 * alias, its name and its short id, as dockerd writes them.
 */
final class HostsEntries {
    private HostsEntries() {
    }

    /**
     * @param c        the container being attached
     * @param first    its endpoint on its first network (the one links are looked up on)
     * @param others   every container the network side knows
     */
    static List<String> lines(ContainerNet c, EndpointRecord first, String hostname, Collection<ContainerNet> others) {
        List<String> lines = new ArrayList<>();
        lines.add(first.ip() + "\t" + hostname);
        if (!first.ip6().isEmpty()) {
            lines.add(first.ip6() + "\t" + hostname);
        }
        for (String link : c.links()) {
            String[] p = link.split(":", 2);
            String target = p[0].startsWith("/") ? p[0].substring(1) : p[0];
            String alias = p.length > 1 ? p[1] : target;
            if (alias.startsWith("/")) {
                alias = alias.substring(alias.lastIndexOf('/') + 1);
            }
            for (ContainerNet o : others) {
                if (o.name().equals(target) || o.id().equals(target) || o.id().startsWith(target)) {
                    for (EndpointRecord oe : o.active()) {
                        if (oe.networkId().equals(first.networkId())) {
                            lines.add(oe.ip() + "\t" + alias + (alias.equals(o.name()) ? "" : " " + o.name())
                                    + " " + o.id().substring(0, 12));
                        }
                    }
                }
            }
        }
        return lines;
    }
}
