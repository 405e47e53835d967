package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pouch.testing.Await;
import io.pouch.testing.HostNetworks;
import io.pouch.testing.HostNetworks.Subnet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Networking through the real docker CLI: published ports, user networks with DNS, isolation, internal networks,
 * bad input, and no leftovers. Traffic goes only to loopback and to addresses inside the namespaces created here;
 * subnets are reserved per test ({@link HostNetworks}), bridges are named pn-* with random suffixes.
 */
@Tag("e2e")
class NetworkEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    private static String id() {
        return UUID.randomUUID().toString().substring(0, 6);
    }

    private static Cmd.Result sh(String... cmd) {
        return Cmd.run(List.of(cmd), Map.of(), null, Duration.ofSeconds(60));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private static String netCreate(String name, String subnet, String... extra) {
        List<String> a = new ArrayList<>(List.of("network", "create", "--subnet", subnet,
                "-o", "com.docker.network.bridge.name=pn-" + name.substring(name.length() - 6)));
        a.addAll(List.of(extra));
        a.add(name);
        return d.docker(a.toArray(String[]::new)).ok().trimmed();
    }

    /** The iptables rules of this daemon: its chains and the jumps to them carry its bridge's name. */
    private static List<String> pouchRules() {
        return sh("iptables-save").ok().out().lines().filter(l -> l.contains("POUCH") && l.contains(d.bridge()))
                .toList();
    }

    @Test
    void publishedPortIsReachableFromTheHostAndShownInInspectAndPs() throws Exception {
        String n = "web-" + id();
        int port = freePort();
        d.docker("run", "-d", "--name", n, "-p", "127.0.0.1:" + port + ":80", "busybox", "httpd", "-f", "-p", "80",
                "-h", "/etc").ok();
        try {
            Cmd.Result r = Await.until(Duration.ofSeconds(10),
                    () -> sh("curl", "-s", "-m", "5", "http://127.0.0.1:" + port + "/hostname"), c -> c.exit() == 0,
                    "an answer of httpd on the published port " + port);
            JsonNode ins = JSON.readTree(d.docker("inspect", n).ok().out()).get(0);
            assertEquals(0, r.exit(), r.toString());
            assertEquals(ins.get("Id").asText().substring(0, 12), r.trimmed());
            JsonNode ns = ins.get("NetworkSettings");
            assertEquals(Integer.toString(port), ns.at("/Ports/80~1tcp/0/HostPort").asText());
            assertEquals("127.0.0.1", ns.at("/Ports/80~1tcp/0/HostIp").asText());
            assertTrue(ns.at("/Networks/bridge/IPAddress").asText().startsWith(d.subnet().prefix()), ns.toString());
            assertEquals(ns.get("IPAddress").asText(), ns.at("/Networks/bridge/IPAddress").asText());
            assertEquals(d.gateway(), ns.at("/Networks/bridge/Gateway").asText());
            assertTrue(d.docker("ps", "--filter", "name=" + n, "--format", "{{.Ports}}").ok().trimmed()
                    .contains("127.0.0.1:" + port + "->80/tcp"));
            assertTrue(d.docker("port", n).ok().trimmed().contains("80/tcp -> 127.0.0.1:" + port));
        } finally {
            d.docker("rm", "-f", n);
        }
    }

    @Test
    void containersOnAUserNetworkResolveEachOtherByNameAndAlias() {
        String net = "pnet-" + id();
        String a = "dnsa-" + id();
        Subnet s = HostNetworks.reserveSubnet();
        netCreate(net, s.cidr());
        try {
            d.docker("run", "-d", "--name", a, "--network", net, "--network-alias", "svc", "busybox", "sleep", "60")
                    .ok();
            Cmd.Result ns = d.docker("run", "--rm", "--network", net, "busybox", "nslookup", a);
            assertEquals(0, ns.exit(), ns.toString());
            assertTrue(ns.out().contains(s.address(2)), ns.out());
            Cmd.Result alias = d.docker("run", "--rm", "--network", net, "busybox", "nslookup", "svc");
            assertTrue(alias.out().contains(s.address(2)), alias.toString());
            Cmd.Result ping = d.docker("run", "--rm", "--network", net, "busybox", "ping", "-c1", "-W2", a);
            assertEquals(0, ping.exit(), ping.toString());
            JsonNode netJson = JSON_read(d.docker("network", "inspect", net).ok().out()).get(0);
            assertEquals(s.cidr(), netJson.at("/IPAM/Config/0/Subnet").asText());
            assertEquals(1, netJson.get("Containers").size(), netJson.toString());
            // the default bridge has no embedded DNS: names do not resolve there
            assertNotEquals(0, d.docker("run", "--rm", "busybox", "nslookup", a).exit());
        } finally {
            d.docker("rm", "-f", a);
            d.docker("network", "rm", net);
        }
    }

    private static JsonNode JSON_read(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void userNetworksAreIsolatedAndInternalOnesHaveNoRouteOut() {
        String n1 = "piso-" + id();
        String n2 = "piso-" + id();
        String n3 = "pint-" + id();
        String b = "isob-" + id();
        netCreate(n1, HostNetworks.reserveSubnet().cidr());
        Subnet s2 = HostNetworks.reserveSubnet();
        netCreate(n2, s2.cidr());
        netCreate(n3, HostNetworks.reserveSubnet().cidr(), "--internal");
        try {
            d.docker("run", "-d", "--name", b, "--network", n2, "busybox", "sleep", "60").ok();
            String target = s2.address(2);
            assertEquals(0, d.docker("run", "--rm", "--network", n2, "busybox", "ping", "-c1", "-W2", target)
                    .exit());
            assertNotEquals(0, d.docker("run", "--rm", "--network", n1, "busybox", "ping", "-c1", "-W1", target)
                    .exit());
            Cmd.Result route = d.docker("run", "--rm", "--network", n3, "busybox", "ip", "route");
            assertTrue(!route.out().contains("default"), route.toString());
            Cmd.Result out = d.docker("run", "--rm", "--network", n3, "busybox", "ping", "-c1", "-W1", target);
            assertNotEquals(0, out.exit(), out.toString());
        } finally {
            d.docker("rm", "-f", b);
            d.docker("network", "rm", n1, n2, n3);
        }
    }

    @Test
    void badInputIsRefusedWithClearErrorsAndLeavesNothing() throws Exception {
        String net = "pbad-" + id();
        String bridge = "pn-" + net.substring(net.length() - 6);
        Set<String> veths = d.veths(bridge);
        List<String> rules = pouchRules();
        Subnet s = HostNetworks.reserveSubnet();
        netCreate(net, s.cidr());
        try {
            Cmd.Result overlap = d.docker("network", "create", "--subnet", s.cidr(128, 25), "x" + net);
            assertNotEquals(0, overlap.exit());
            assertTrue(overlap.err().contains("overlaps"), overlap.toString());
            Cmd.Result cidr = d.docker("network", "create", "--subnet", "10.231.300.0/24", "y" + net);
            assertNotEquals(0, cidr.exit());
            assertTrue(cidr.err().contains("invalid CIDR address: 10.231.300.0/24"), cidr.toString());
            Cmd.Result unknown = d.docker("run", "--rm", "--network", "nosuch-" + id(), "busybox", "true");
            assertTrue(unknown.err().contains("not found"), unknown.toString());
            assertTrue(d.docker("network", "inspect", "nosuch").err().contains("network nosuch not found"));

            int port = freePort();
            try (ServerSocket held = new ServerSocket()) {
                held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                String c = "busy-" + id();
                Cmd.Result r = d.docker("run", "-d", "--name", c, "--network", net, "-p", "127.0.0.1:" + port + ":80",
                        "busybox", "sleep", "30");
                assertNotEquals(0, r.exit());
                assertTrue(r.err().contains("port is already allocated"), r.toString());
                assertEquals("created", d.docker("inspect", "-f", "{{.State.Status}}", c).ok().trimmed());
                d.docker("rm", c).ok();
                // (a veth of another suite's daemon may show here for a moment, before it is put on its bridge)
                Await.until(Duration.ofSeconds(5), () -> d.veths(bridge), veths::equals,
                        "no veth left by the failed start");
            }
            String inUse = "use-" + id();
            d.docker("run", "-d", "--name", inUse, "--network", net, "busybox", "sleep", "30").ok();
            Cmd.Result rm = d.docker("network", "rm", net);
            assertNotEquals(0, rm.exit());
            assertTrue(rm.err().contains("has active endpoints"), rm.toString());
            d.docker("rm", "-f", inUse).ok();
        } finally {
            d.docker("network", "rm", net);
        }
        Await.until(Duration.ofSeconds(5), () -> d.veths(bridge), veths::equals, "the veths of before, and no other");
        assertEquals(rules, pouchRules(), sh("iptables-save").out());
        assertTrue(sh("ls", d.base().resolve("run/netns").toString()).out().isBlank());
    }

    @Test
    void containerSettingsReachTheContainerAndInspect() throws Exception {
        String net = "pset-" + id();
        String web = "lnk-" + id();
        Subnet s = HostNetworks.reserveSubnet();
        netCreate(net, s.cidr());
        try {
            String out = d.docker("run", "--rm", "--network", net, "--ip", s.address(77), "--mac-address",
                    "02:42:aa:bb:cc:01", "--hostname", "hh", "--add-host", "foo:" + s.address(200), "--dns-search",
                    "example.test", "--dns-option", "ndots:2", "busybox", "sh", "-c",
                    "ip -o addr show eth0; ip -o link show eth0; cat /etc/hosts /etc/resolv.conf").ok().out();
            assertTrue(out.contains("inet " + s.cidr(77, 24)), out);
            assertTrue(out.contains("02:42:aa:bb:cc:01"), out);
            assertTrue(out.contains(s.address(77) + "\thh"), out);
            assertTrue(out.contains(s.address(200) + "\tfoo"), out);
            assertTrue(out.contains("nameserver " + s.address(1)), out);
            assertTrue(out.contains("search example.test"), out);
            assertTrue(out.contains("options ndots:2"), out);
            // --ip is for user networks only, as in dockerd
            Cmd.Result ip = d.docker("run", "--rm", "--ip", d.subnet().address(50), "busybox", "true");
            assertNotEquals(0, ip.exit());
            assertTrue(ip.err().contains("user defined networks only"), ip.toString());
            // --link on the default bridge writes the linked container into /etc/hosts
            d.docker("run", "-d", "--name", web, "busybox", "sleep", "60").ok();
            String hosts = d.docker("run", "--rm", "--link", web + ":webby", "busybox", "cat", "/etc/hosts").ok().out();
            String webIp = d.docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", web).ok().trimmed();
            assertTrue(hosts.contains(webIp + "\twebby " + web), hosts);
            // -P publishes every exposed port on a free host port
            String pall = "pall-" + id();
            d.docker("run", "-d", "--name", pall, "-P", "--expose", "81", "busybox", "sleep", "60").ok();
            String port = d.docker("port", pall, "81").ok().trimmed();
            assertTrue(port.matches("0\\.0\\.0\\.0:\\d+"), port);
            d.docker("rm", "-f", pall).ok();
        } finally {
            d.docker("rm", "-f", web);
            d.docker("network", "rm", net);
        }
    }

    @Test
    void aContainerReachesItsOwnPublishedPortThroughTheBridgeAddress() throws Exception {
        int port = freePort();
        // busybox wget may crash here (static glibc), nc does not
        Cmd.Result r = d.docker("run", "--rm", "-p", port + ":80", "busybox", "sh", "-c",
                "httpd -p 80 -h /etc; sleep 0.3; printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + d.gateway()
                        + " " + port + " | tail -1");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.trimmed().matches("[0-9a-f]{12}"), r.toString());
    }
}
