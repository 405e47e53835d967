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
}
