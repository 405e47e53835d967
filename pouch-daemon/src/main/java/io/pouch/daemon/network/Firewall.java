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

    /** A rule: table and the arguments after -A/-D CHAIN. */
    record Rule(String table, String chain, String spec) {
    }

    /** Creates our chains empty (flushing stale rules) and hooks them into the built-in chains once. */
    void reset() {
        if (!enabled) {
            return;
        }
        String in = "*nat\n:" + nat + " - [0:0]\n:" + post + " - [0:0]\nCOMMIT\n*filter\n:" + fwd + " - [0:0]\n:"
                + iso1 + " - [0:0]\n:" + iso2 + " - [0:0]\n-A " + fwd + " -j " + iso1 + "\nCOMMIT\n";
        Sh.run(List.of("iptables-restore", "-w", "--noflush"), in);
        hook("nat", "PREROUTING", "-m addrtype --dst-type LOCAL -j " + nat);
        hook("nat", "OUTPUT", "-m addrtype --dst-type LOCAL -j " + nat);
        hook("nat", "POSTROUTING", "-j " + post);
        hook("filter", "FORWARD", "-j " + fwd);
    }

    private static void hook(String table, String chain, String spec) {
        List<String> check = new ArrayList<>(List.of("iptables", "-w", "-t", table, "-C", chain));
        check.addAll(List.of(spec.split(" ")));
        if (!Sh.tryRun(check, null)) {
            List<String> ins = new ArrayList<>(List.of("iptables", "-w", "-t", table, "-I", chain, "1"));
            ins.addAll(List.of(spec.split(" ")));
            Sh.run(ins, null);
        }
    }

    /** A bridge network's rules: masquerade out (unless internal), isolation from other networks. */
    List<Rule> networkRules(NetworkRecord n) {
        String d = n.device();
        List<Rule> r = new ArrayList<>();
        r.add(new Rule("filter", iso1, "-i " + d + " ! -o " + d + " -j " + iso2));
        r.add(new Rule("filter", iso2, "-o " + d + " -j DROP"));
        if (n.internal()) {
            r.add(new Rule("filter", fwd, "-i " + d + " -o " + d + " -j ACCEPT"));
            r.add(new Rule("filter", fwd, "-i " + d + " -j DROP"));
            r.add(new Rule("filter", fwd, "-o " + d + " -j DROP"));
        } else {
            r.add(new Rule("nat", post, "-s " + n.subnet() + " ! -o " + d + " -j MASQUERADE"));
            // packets DNAT'd from 127.0.0.1 keep a loopback source: give them the bridge's address
            r.add(new Rule("nat", post, "-o " + d + " -m addrtype --src-type LOCAL -j MASQUERADE"));
            r.add(new Rule("filter", fwd, "-o " + d + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"));
            r.add(new Rule("filter", fwd, "-o " + d + " -m conntrack --ctstate DNAT -j ACCEPT"));
            r.add(new Rule("filter", fwd, "-i " + d + " -j ACCEPT"));
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

    /** Appends rules in one iptables-restore (one process however many rules). */
    void add(List<Rule> rules) {
        if (enabled && !rules.isEmpty()) {
            Sh.run(List.of("iptables-restore", "-w", "--noflush"), script(rules, "-A"));
        }
    }

    /** Deletes rules; one batch, or one by one when some are already gone. Never throws. */
    void delete(List<Rule> rules) {
        if (!enabled || rules.isEmpty()
                || Sh.tryRun(List.of("iptables-restore", "-w", "--noflush"), script(rules, "-D"))) {
            return;
        }
        for (Rule r : rules) {
            List<String> cmd = new ArrayList<>(List.of("iptables", "-w", "-t", r.table(), "-D", r.chain()));
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
