package io.pouch.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The portmap plugin's host-wide chains (CNI-HOSTPORT-*) stay after the last pod's DEL. A test removes them only
 * when they hold no rules of anybody's, so two suites on one host do not pull each other's rules away.
 */
final class CniChains {
    private static final List<String> NAT = List.of("CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-SETMARK", "CNI-HOSTPORT-MASQ");

    private CniChains() {
    }

    static void removeEmptyPortmapChains() {
        String rules = Cmd.run(List.of("iptables-save", "-t", "nat"), Map.of(), null, Duration.ofSeconds(10)).out();
        for (String chain : NAT) {
            boolean used = rules.lines().anyMatch(l -> l.startsWith("-A " + chain + " "));
            if (used) {
                continue;
            }
            for (String parent : List.of("PREROUTING", "OUTPUT", "POSTROUTING")) {
                rules.lines().filter(l -> l.startsWith("-A " + parent + " ") && l.contains("-j " + chain))
                        .forEach(l -> Cmd.run(List.of("sh", "-c", "iptables -t nat " + l.replaceFirst("^-A", "-D")),
                                Map.of(), null, Duration.ofSeconds(10)));
            }
            Cmd.run(List.of("iptables", "-t", "nat", "-X", chain), Map.of(), null, Duration.ofSeconds(10));
        }
    }
}
