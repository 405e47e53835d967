package io.pouch.daemon.network;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * pouchd's iptables rules (Debian's iptables, nft backend). Every rule lives in pouchd's own chains, so cleanup is
 * exact: a network's or an endpoint's rules are generated from its record and deleted with the same text, and at
 * daemon start the chains are flushed and rebuilt from what still exists.
 *
 * <pre>
 * nat    PREROUTING  -m addrtype --dst-type LOCAL -j POUCH          published ports (DNAT)
 * nat    OUTPUT      -m addrtype --dst-type LOCAL -j POUCH          ... also from the host, 127.0.0.1 included
 * nat    POSTROUTING -j POUCH-POSTROUTING                            masquerade, hairpin
 * filter FORWARD     -j POUCH-FORWARD                                isolation between networks, internal networks
 * </pre>
 */
final class Firewall {
    private static final Logger LOG = Logger.getLogger(Firewall.class.getName());
    final String nat;
    final String post;
    final String fwd;
    final String iso1;
    final String iso2;
    private final boolean enabled;

    /**
     * Chain names: Docker-like for the daemon on the default bridge p0; with another bridge name they carry it,
     * so that several pouchd on one host (a test daemon beside the real one) never flush each other's rules.
     */
    Firewall(String bridgeName) {
        this(bridgeName, true);
    }

    /** @param enabled false for dockerd's --iptables=false: no rule is written, none is removed */
    Firewall(String bridgeName, boolean enabled) {
        this.enabled = enabled;
        if ("p0".equals(bridgeName)) {
            nat = "POUCH";
            post = "POUCH-POSTROUTING";
            fwd = "POUCH-FORWARD";
            iso1 = "POUCH-ISOLATION-1";
            iso2 = "POUCH-ISOLATION-2";
        } else {
            nat = "POUCH-" + bridgeName;
            post = "POUCH-P-" + bridgeName;
            fwd = "POUCH-F-" + bridgeName;
            iso1 = "POUCH-I1-" + bridgeName;
            iso2 = "POUCH-I2-" + bridgeName;
        }
    }

    /** A rule: table and the arguments after -A/-D CHAIN; v6 for ip6tables. */
    record Rule(String table, String chain, String spec, boolean v6) {
        /** An iptables (IPv4) rule. */
        Rule(String table, String chain, String spec) {
            this(table, chain, spec, false);
        }
    }

    /** Creates our chains empty (flushing stale rules) and hooks them into the built-in chains once. */
    void reset() {
        if (!enabled) {
            return;
        }
        reset(false);
        try {
            reset(true);
        } catch (RuntimeException e) {
            // a host without ip6tables: IPv4 networks work, an IPv6 network's rules fail its create
            LOG.warning("cannot set up the ip6tables chains: " + e.getMessage());
        }
    }

    /** The same chains and hooks in both families: ip6tables mirrors iptables for IPv6 networks. */
    private void reset(boolean v6) {
        String in = "*nat\n:" + nat + " - [0:0]\n:" + post + " - [0:0]\nCOMMIT\n*filter\n:" + fwd + " - [0:0]\n:"
                + iso1 + " - [0:0]\n:" + iso2 + " - [0:0]\n-A " + fwd + " -j " + iso1 + "\nCOMMIT\n";
        Sh.run(List.of(restore(v6), "-w", "--noflush"), in);
        hook(v6, "nat", "PREROUTING", "-m addrtype --dst-type LOCAL -j " + nat);
        hook(v6, "nat", "OUTPUT", "-m addrtype --dst-type LOCAL -j " + nat);
        hook(v6, "nat", "POSTROUTING", "-j " + post);
        hook(v6, "filter", "FORWARD", "-j " + fwd);
    }

    private static String tool(boolean v6) {
        return v6 ? "ip6tables" : "iptables";
    }

    private static String restore(boolean v6) {
        return v6 ? "ip6tables-restore" : "iptables-restore";
    }

    private static void hook(boolean v6, String table, String chain, String spec) {
        List<String> check = new ArrayList<>(List.of(tool(v6), "-w", "-t", table, "-C", chain));
        check.addAll(List.of(spec.split(" ")));
        if (!Sh.tryRun(check, null)) {
            List<String> ins = new ArrayList<>(List.of(tool(v6), "-w", "-t", table, "-I", chain, "1"));
            ins.addAll(List.of(spec.split(" ")));
            Sh.run(ins, null);
        }
    }

    /**
     * A bridge network's rules: isolation from other networks, then either an internal network's confinement or
     * masquerade out (unless {@code enable_ip_masquerade} is false) and forwarding; {@code enable_icc} false drops
     * traffic between its containers. With IPv6 the same rules again in ip6tables, for its IPv6 subnet.
     */
    List<Rule> networkRules(NetworkRecord n) {
        List<Rule> r = new ArrayList<>(networkRules(n, n.subnet(), false));
        if (n.hasIpv6()) {
            r.addAll(networkRules(n, n.subnet6(), true));
        }
        return r;
    }

    private List<Rule> networkRules(NetworkRecord n, String subnet, boolean v6) {
        String d = n.device();
        BridgeOptions o = BridgeOptions.of(n);
        List<Rule> r = new ArrayList<>();
        r.add(new Rule("filter", iso1, "-i " + d + " ! -o " + d + " -j " + iso2, v6));
        r.add(new Rule("filter", iso2, "-o " + d + " -j DROP", v6));
        String icc = "-i " + d + " -o " + d + " -j " + (o.icc() ? "ACCEPT" : "DROP");
        if (n.internal()) {
            r.add(new Rule("filter", fwd, icc, v6));
            r.add(new Rule("filter", fwd, "-i " + d + " -j DROP", v6));
            r.add(new Rule("filter", fwd, "-o " + d + " -j DROP", v6));
        } else {
            if (o.masquerade()) {
                r.add(new Rule("nat", post, "-s " + subnet + " ! -o " + d + " -j MASQUERADE", v6));
            }
            // packets DNAT'd from 127.0.0.1 keep a loopback source: give them the bridge's address
            r.add(new Rule("nat", post, "-o " + d + " -m addrtype --src-type LOCAL -j MASQUERADE", v6));
            if (!o.icc()) {
                r.add(new Rule("filter", fwd, icc, v6));
            }
            r.add(new Rule("filter", fwd, "-o " + d + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", v6));
            r.add(new Rule("filter", fwd, "-o " + d + " -m conntrack --ctstate DNAT -j ACCEPT", v6));
            r.add(new Rule("filter", fwd, "-i " + d + " -j ACCEPT", v6));
        }
        return r;
    }

    /** A published port: DNAT to the container, masquerade when the container reaches itself (hairpin). */
    List<Rule> portRules(String ip, PortMapping p) {
        String dst = p.hostIp() == null || p.hostIp().isEmpty() ? "" : "-d " + p.hostIp() + "/32 ";
        return List.of(
                new Rule("nat", nat, dst + "-p " + p.proto() + " -m " + p.proto() + " --dport " + p.hostPort()
                        + " -j DNAT --to-destination " + ip + ":" + p.containerPort()),
                new Rule("nat", post, "-s " + ip + "/32 -d " + ip + "/32 -p " + p.proto() + " -m " + p.proto()
                        + " --dport " + p.containerPort() + " -j MASQUERADE"));
    }

    /**
     * A published port of an endpoint: to its IPv4 address for an IPv4 or no host address, to its IPv6 address
     * (ip6tables) for an IPv6 one and, on an endpoint with IPv6, for no host address too, as dockerd publishes on
     * both 0.0.0.0 and :: then.
     */
    List<Rule> portRules(EndpointRecord e, PortMapping p) {
        String h = p.hostIp() == null ? "" : p.hostIp();
        List<Rule> r = new ArrayList<>();
        if (!Cidr6.isV6(h)) {
            r.addAll(portRules(e.ip(), p));
        }
        if (!e.ip6().isEmpty() && (h.isEmpty() || Cidr6.isV6(h))) {
            String dst = h.isEmpty() || h.equals("::") ? "" : "-d " + h + "/128 ";
            String ip6 = e.ip6();
            r.add(new Rule("nat", nat, dst + "-p " + p.proto() + " -m " + p.proto() + " --dport " + p.hostPort()
                    + " -j DNAT --to-destination [" + ip6 + "]:" + p.containerPort(), true));
            r.add(new Rule("nat", post, "-s " + ip6 + "/128 -d " + ip6 + "/128 -p " + p.proto() + " -m " + p.proto()
                    + " --dport " + p.containerPort() + " -j MASQUERADE", true));
        }
        return r;
    }

    /** Appends rules in one iptables-restore per family (one process however many rules). */
    void add(List<Rule> rules) {
        if (!enabled) {
            return;
        }
        for (boolean v6 : new boolean[] {false, true}) {
            List<Rule> f = rules.stream().filter(x -> x.v6() == v6).toList();
            if (!f.isEmpty()) {
                Sh.run(List.of(restore(v6), "-w", "--noflush"), script(f, "-A"));
            }
        }
    }

    /** Deletes rules; one batch per family, or one by one when some are already gone. Never throws. */
    void delete(List<Rule> rules) {
        if (!enabled) {
            return;
        }
        for (boolean v6 : new boolean[] {false, true}) {
            List<Rule> f = rules.stream().filter(x -> x.v6() == v6).toList();
            if (!f.isEmpty() && !Sh.tryRun(List.of(restore(v6), "-w", "--noflush"), script(f, "-D"))) {
                deleteOneByOne(f);
            }
        }
    }

    private static void deleteOneByOne(List<Rule> rules) {
        for (Rule r : rules) {
            List<String> cmd = new ArrayList<>(List.of(tool(r.v6()), "-w", "-t", r.table(), "-D", r.chain()));
            cmd.addAll(List.of(r.spec().split(" ")));
            if (!Sh.tryRun(cmd, null)) {
                LOG.fine("rule already gone: " + r);
            }
        }
    }

    private static String script(List<Rule> rules, String op) {
        StringBuilder b = new StringBuilder();
        for (String table : List.of("nat", "filter")) {
            List<Rule> t = rules.stream().filter(r -> r.table().equals(table)).toList();
            if (t.isEmpty()) {
                continue;
            }
            b.append('*').append(table).append('\n');
            for (Rule r : t) {
                b.append(op).append(' ').append(r.chain()).append(' ').append(r.spec()).append('\n');
            }
            b.append("COMMIT\n");
        }
        return b.toString();
    }
}
