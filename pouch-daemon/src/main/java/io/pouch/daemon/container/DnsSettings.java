package io.pouch.daemon.container;

import io.pouch.api.container.HostConfig;

import java.util.ArrayList;
import java.util.List;

/** resolv.conf with the container's --dns, --dns-search, --dns-option and its network's DNS server, as dockerd. */
final class DnsSettings {
    private DnsSettings() {
    }

    /**
     * @param base        the host's resolv.conf (loopback servers already removed)
     * @param networkDns  the network's embedded server (user networks), which then forwards to --dns/host servers
     */
    static String apply(String base, List<String> networkDns, HostConfig hc) {
        List<String> dns = hc == null || hc.dns() == null ? List.of() : hc.dns();
        List<String> search = hc == null || hc.dnsSearch() == null ? List.of() : hc.dnsSearch();
        List<String> opts = hc == null || hc.dnsOptions() == null ? List.of() : hc.dnsOptions();
        if (dns.isEmpty() && search.isEmpty() && opts.isEmpty() && networkDns.isEmpty()) {
            return base;
        }
        List<String> out = new ArrayList<>();
        List<String> servers = !networkDns.isEmpty() ? networkDns : dns;
        for (String line : base.split("\n")) {
            String t = line.trim();
            if (t.startsWith("nameserver") && !servers.isEmpty()
                    || t.startsWith("search") && !search.isEmpty()
                    || t.startsWith("domain") && !search.isEmpty()
                    || t.startsWith("options") && !opts.isEmpty()) {
                continue;
            }
            if (!t.isEmpty()) {
                out.add(line);
            }
        }
        servers.forEach(s -> out.add("nameserver " + s));
        if (!search.isEmpty()) {
            out.add("search " + String.join(" ", search));
        }
        if (!opts.isEmpty()) {
            out.add("options " + String.join(" ", opts));
        }
        return String.join("\n", out) + "\n";
    }
}
