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
        // MASQ and SETMARK always hold their one rule; a port mapping of anybody's is a rule in DNAT or a DN chain
        boolean used = rules.lines().anyMatch(l -> l.startsWith("-A CNI-HOSTPORT-DNAT ") || l.startsWith("-A CNI-DN-"));
        if (used || rules.lines().noneMatch(l -> l.startsWith(":CNI-HOSTPORT-DNAT "))) {
            return;
        }
        for (String chain : NAT) {
            rules.lines().filter(l -> l.startsWith("-A ") && l.contains("-j " + chain)
                            && !l.startsWith("-A CNI-HOSTPORT-"))
                    .forEach(l -> Cmd.run(List.of("sh", "-c", "iptables -w -t nat " + l.replaceFirst("^-A", "-D")),
                            Map.of(), null, Duration.ofSeconds(10)));
        }
        for (String chain : NAT) {
            Cmd.run(List.of("iptables", "-w", "-t", "nat", "-F", chain), Map.of(), null, Duration.ofSeconds(10));
        }
        for (String chain : NAT) {
            Cmd.run(List.of("iptables", "-w", "-t", "nat", "-X", chain), Map.of(), null, Duration.ofSeconds(10));
        }
    }
}
