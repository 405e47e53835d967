package io.pouch.daemon.network;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FirewallTest {
    private static NetworkRecord net(boolean internal) {
        return new NetworkRecord("n", "n", "bridge", "", "pn-x", "10.231.40.0/24", "10.231.40.1", "", internal,
                Map.of(), Map.of());
    }

    @Test
    void chainNamesCarryTheBridgeUnlessDefault() {
        assertEquals("POUCH", new Firewall("p0").nat);
        Firewall f = new Firewall("pit0");
        assertEquals(List.of("POUCH-pit0", "POUCH-P-pit0", "POUCH-F-pit0", "POUCH-I1-pit0", "POUCH-I2-pit0"),
                List.of(f.nat, f.post, f.fwd, f.iso1, f.iso2));
        Firewall longest = new Firewall("abcdefghijklmno");
        for (String c : List.of(longest.nat, longest.post, longest.fwd, longest.iso1, longest.iso2)) {
            assertTrue(c.length() <= 28, c); // iptables' chain name limit
        }
    }

    @Test
    void internalNetworksGetNoMasqueradeAndDropOutsideTraffic() {
        Firewall f = new Firewall("p0");
        List<Firewall.Rule> open = f.networkRules(net(false));
        assertTrue(open.contains(new Firewall.Rule("nat", "POUCH-POSTROUTING",
                "-s 10.231.40.0/24 ! -o pn-x -j MASQUERADE")));
        List<Firewall.Rule> closed = f.networkRules(net(true));
        assertTrue(closed.stream().noneMatch(r -> r.spec().contains("MASQUERADE")));
        assertTrue(closed.contains(new Firewall.Rule("filter", "POUCH-FORWARD", "-i pn-x -j DROP")));
        assertTrue(closed.contains(new Firewall.Rule("filter", "POUCH-FORWARD", "-o pn-x -j DROP")));
    }

    @Test
    void publishedPortRules() {
        List<Firewall.Rule> r = new Firewall("p0").portRules("10.231.40.2", new PortMapping("tcp", 80, "127.0.0.1", 8080));
        assertEquals(new Firewall.Rule("nat", "POUCH",
                "-d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.231.40.2:80"), r.get(0));
        assertEquals(new Firewall.Rule("nat", "POUCH-POSTROUTING",
                "-s 10.231.40.2/32 -d 10.231.40.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE"), r.get(1));
    }

    static NetworkRecord net6(Map<String, String> options) {
        return new NetworkRecord("n", "n", "bridge", "", "pn-6", "10.231.41.0/24", "10.231.41.1", "", false, Map.of(),
                options, Map.of(), false, true, "fd12:3456:789a::/64", "fd12:3456:789a::1", "", Map.of(), Map.of(),
                false, false);
    }

    @Test
    void ipv6NetworksGetTheSameRulesInIp6tables() {
        List<Firewall.Rule> r = new Firewall("p0").networkRules(net6(Map.of()));
        List<Firewall.Rule> v4 = r.stream().filter(x -> !x.v6()).toList();
        List<Firewall.Rule> v6 = r.stream().filter(Firewall.Rule::v6).toList();
        assertEquals(v4.size(), v6.size());
        assertTrue(v6.contains(new Firewall.Rule("nat", "POUCH-POSTROUTING",
                "-s fd12:3456:789a::/64 ! -o pn-6 -j MASQUERADE", true)));
        assertTrue(v6.contains(new Firewall.Rule("filter", "POUCH-ISOLATION-2", "-o pn-6 -j DROP", true)));
        assertTrue(v4.contains(new Firewall.Rule("nat", "POUCH-POSTROUTING",
                "-s 10.231.41.0/24 ! -o pn-6 -j MASQUERADE")));
    }

    @Test
    void iccAndMasqueradeOptions() {
        List<Firewall.Rule> r = new Firewall("p0").networkRules(net6(Map.of(BridgeOptions.ICC, "false",
                BridgeOptions.MASQUERADE, "false")));
        assertTrue(r.stream().noneMatch(x -> x.spec().startsWith("-s ") && x.spec().endsWith("MASQUERADE")));
        for (boolean v6 : new boolean[] {false, true}) {
            List<String> fwd = r.stream().filter(x -> x.v6() == v6 && x.chain().equals("POUCH-FORWARD"))
                    .map(Firewall.Rule::spec).toList();
            // the drop between the network's containers comes before the network's accept
            assertEquals(0, fwd.indexOf("-i pn-6 -o pn-6 -j DROP"), fwd.toString());
            assertTrue(fwd.contains("-i pn-6 -j ACCEPT"));
        }
    }

    @Test
    void portsOfAnIpv6EndpointArePublishedInTheFamilyOfTheirHostAddress() {
        Firewall f = new Firewall("p0");
        EndpointRecord e = new EndpointRecord("n", "n", "e", "eth0", "veth", "10.231.41.2", 24, "10.231.41.1", "m",
                List.of(), List.of(), "fd12:3456:789a::2", 64, "fd12:3456:789a::1", List.of());
        List<Firewall.Rule> any = f.portRules(e, new PortMapping("tcp", 80, "", 8080));
        assertEquals(List.of(false, false, true, true), any.stream().map(Firewall.Rule::v6).toList());
        assertEquals(new Firewall.Rule("nat", "POUCH",
                "-p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd12:3456:789a::2]:80", true), any.get(2));
        List<Firewall.Rule> lo6 = f.portRules(e, new PortMapping("tcp", 80, "::1", 8080));
        assertEquals(List.of(true, true), lo6.stream().map(Firewall.Rule::v6).toList());
        assertEquals("-d ::1/128 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd12:3456:789a::2]:80",
                lo6.get(0).spec());
        assertEquals(List.of(false, false), f.portRules(e, new PortMapping("tcp", 80, "127.0.0.1", 8080)).stream()
                .map(Firewall.Rule::v6).toList());
        EndpointRecord v4only = new EndpointRecord("n", "n", "e", "eth0", "veth", "10.231.41.2", 24, "10.231.41.1",
                "m", List.of(), List.of());
        assertEquals(2, f.portRules(v4only, new PortMapping("tcp", 80, "", 8080)).size());
    }
}
