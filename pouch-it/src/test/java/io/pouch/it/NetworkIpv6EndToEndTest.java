package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pouch.testing.Await;
import io.pouch.testing.HostNetworks;
import io.pouch.testing.HostNetworks.Subnet;
import io.pouch.testing.HostNetworks.Subnet6;
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
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv6 bridge networks, IPAM settings, driver options and endpoint settings through the real docker CLI: what is
 * applied shows inside the containers, on the host and in inspect; what is refused fails with the daemon's message.
 * Subnets are reserved per test ({@link HostNetworks}: ULA /64s and 10.128/9 /24s); bridges are named pn6-* with
 * random suffixes; every rule in ip6tables that names a bridge of a test is gone when its network is.
 */
@Tag("e2e")
class NetworkIpv6EndToEndTest {
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

    /** A network on a new bridge; returns the bridge's name. */
    private static String netCreate(String name, String... args) {
        String br = HostNetworks.bridgeName("pn6-");
        List<String> a = new ArrayList<>(List.of("network", "create", "-o",
                "com.docker.network.bridge.name=" + br));
        a.addAll(List.of(args));
        a.add(name);
        d.docker(a.toArray(String[]::new)).ok();
        return br;
    }

    private static List<String> rules6(String bridge) {
        return sh("ip6tables-save").ok().out().lines().filter(l -> l.contains(bridge)).toList();
    }

    private static JsonNode inspect(String... args) throws IOException {
        return JSON.readTree(d.docker(args).ok().out()).get(0);
    }

    private static String refused(String... args) {
        Cmd.Result r = d.docker(args);
        assertNotEquals(0, r.exit(), r.toString());
        return r.err();
    }

    @Test
    void containersGetIpv6AddressesShownInInspectAndReachEachOther() throws Exception {
        String net = "v6net-" + id();
        String a = "v6a-" + id();
        String b = "v6b-" + id();
        Subnet s4 = HostNetworks.reserveSubnet();
        Subnet6 s6 = HostNetworks.reserveSubnet6();
        String br = netCreate(net, "--ipv6", "--subnet", s6.cidr(), "--subnet", s4.cidr());
        try {
            JsonNode n = inspect("network", "inspect", net);
            assertTrue(n.get("EnableIPv6").asBoolean(), n.toString());
            assertEquals(s6.cidr(), n.at("/IPAM/Config/1/Subnet").asText(), n.toString());
            assertEquals(s6.address(1), n.at("/IPAM/Config/1/Gateway").asText(), n.toString());
            assertTrue(sh("ip", "-6", "addr", "show", "dev", br).ok().out().contains(s6.address(1) + "/64"));
            assertFalse(rules6(br).isEmpty(), "the network's ip6tables rules");

            d.docker("run", "-d", "--name", a, "--network", net, "busybox", "sleep", "120").ok();
            d.docker("run", "-d", "--name", b, "--network", net, "--ip6", s6.address(0x99), "--link-local-ip",
                    "169.254.7.7", "busybox", "sleep", "120").ok();
            String addrB = d.docker("exec", b, "ip", "-o", "addr", "show", "dev", "eth0").ok().out();
            assertTrue(addrB.contains("169.254.7.7/16"), addrB);
            String addrA = d.docker("exec", a, "ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global")
                    .ok().out();
            assertTrue(addrA.contains(s6.address(2) + "/64"), addrA);
            String route = d.docker("exec", a, "ip", "-6", "route", "show", "default").ok().out();
            assertTrue(route.contains("via " + s6.address(1)), route);

            JsonNode ep = inspect("inspect", b).at("/NetworkSettings/Networks/" + net);
            assertEquals(s6.address(0x99), ep.get("GlobalIPv6Address").asText(), ep.toString());
            assertEquals(64, ep.get("GlobalIPv6PrefixLen").asInt());
            assertEquals(s6.address(1), ep.get("IPv6Gateway").asText());
            assertEquals(s6.address(0x99), ep.at("/IPAMConfig/IPv6Address").asText());
            JsonNode members = inspect("network", "inspect", net).get("Containers");
            assertTrue(members.toString().contains("\"IPv6Address\":\"" + s6.address(0x99) + "/64\""),
                    members.toString());

            Cmd.Result ping = d.docker("exec", a, "ping", "-6", "-c1", "-W5", s6.address(0x99));
            assertEquals(0, ping.exit(), ping.toString());
            Cmd.Result toGateway = d.docker("exec", b, "ping", "-6", "-c1", "-W5", s6.address(1));
            assertEquals(0, toGateway.exit(), toGateway.toString());
        } finally {
            d.docker("rm", "-f", a, b);
            d.docker("network", "rm", net);
        }
        assertEquals(List.of(), rules6(br), "ip6tables rules left behind");
        assertFalse(sh("ip", "link", "show", br).exit() == 0, "bridge left behind");
    }

    @Test
    void aPortPublishedOnIpv6IsReachableFromTheHostAndIpv6LoopbackIsRefused() throws Exception {
        String net = "v6p-" + id();
        String c = "v6web-" + id();
        Subnet s4 = HostNetworks.reserveSubnet();
        Subnet6 s6 = HostNetworks.reserveSubnet6();
        netCreate(net, "--ipv6", "--subnet", s6.cidr(), "--subnet", s4.cidr());
        int port = freePort();
        try {
            assertTrue(refused("run", "--rm", "--network", net, "-p", "[::1]:" + port + ":80", "busybox", "true")
                    .contains("invalid HostIp ::1 of 80/tcp"));
            d.docker("run", "-d", "--name", c, "--network", net, "-p", "[::]:" + port + ":80", "busybox", "httpd",
                    "-f", "-p", "80", "-h", "/etc").ok();
            // from the host to one of its own IPv6 addresses: the bridge's
            String url = "http://[" + s6.address(1) + "]:" + port + "/hostname";
            Cmd.Result r = Await.until(Duration.ofSeconds(10), () -> sh("curl", "-s", "-m", "5", "-g", url),
                    x -> x.exit() == 0, "an answer of httpd on " + url);
            assertEquals(0, r.exit(), r.toString());
            assertTrue(inspect("inspect", c).get("Id").asText().startsWith(r.trimmed()), r.toString());
            assertTrue(sh("ip6tables-save", "-t", "nat").ok().out().contains("[" + s6.address(2) + "]:80"));
            JsonNode ports = inspect("inspect", c).at("/NetworkSettings/Ports/80~1tcp/0");
            assertEquals("::", ports.get("HostIp").asText(), ports.toString());
            assertEquals(Integer.toString(port), ports.get("HostPort").asText());
        } finally {
            d.docker("rm", "-f", c);
            d.docker("network", "rm", net);
        }
        assertFalse(sh("ip6tables-save", "-t", "nat").ok().out().contains(s6.address(2)), "port rule left behind");
    }

    @Test
    void ipamRangeAuxiliaryAddressesAndOptionsAreAppliedAndShown() throws Exception {
        String net = "ipam-" + id();
        String c = "ipamc-" + id();
        Subnet s4 = HostNetworks.reserveSubnet();
        Subnet6 s6 = HostNetworks.reserveSubnet6();
        netCreate(net, "--subnet", s4.cidr(), "--ip-range", s4.cidr(128, 25), "--aux-address",
                "r=" + s4.address(128), "--ipam-opt", "k=v", "--ipv6", "--subnet", s6.cidr(), "--aux-address",
                "r6=" + s6.address(2));
        try {
            JsonNode ipam = inspect("network", "inspect", net).get("IPAM");
            assertEquals("default", ipam.get("Driver").asText());
            assertEquals("v", ipam.at("/Options/k").asText(), ipam.toString());
            assertEquals(s4.cidr(128, 25), ipam.at("/Config/0/IPRange").asText(), ipam.toString());
            assertEquals(s4.address(128), ipam.at("/Config/0/AuxiliaryAddresses/r").asText(), ipam.toString());
            assertEquals(s6.address(2), ipam.at("/Config/1/AuxiliaryAddresses/r6").asText(), ipam.toString());
            d.docker("run", "-d", "--name", c, "--network", net, "busybox", "sleep", "120").ok();
            JsonNode ep = inspect("inspect", c).at("/NetworkSettings/Networks/" + net);
            // the range's first address is the aux-address: the next one is handed out; the same for IPv6
            assertEquals(s4.address(129), ep.get("IPAddress").asText(), ep.toString());
            assertEquals(s6.address(3), ep.get("GlobalIPv6Address").asText(), ep.toString());
            assertTrue(refused("run", "--rm", "--network", net, "--ip", s4.address(128), "busybox", "true")
                    .contains("Address already in use"));
        } finally {
            d.docker("rm", "-f", c);
            d.docker("network", "rm", net);
        }
    }

    @Test
    void anExistingHostBridgeIsUsedAndLeftOnRemoval() throws Exception {
        String net = "hostbr-" + id();
        String c = "hostbrc-" + id();
        String br = HostNetworks.bridgeName("pn6-");
        Subnet s4 = HostNetworks.reserveSubnet();
        sh("ip", "link", "add", br, "type", "bridge").ok();
        try {
            d.docker("network", "create", "-o", "com.docker.network.bridge.name=" + br, "--subnet", s4.cidr(), net)
                    .ok();
            d.docker("run", "-d", "--name", c, "--network", net, "busybox", "sleep", "120").ok();
            String master = sh("ip", "-o", "link", "show", "master", br).ok().out();
            assertFalse(master.isBlank(), "the container's veth is on the existing bridge");
            d.docker("rm", "-f", c).ok();
            d.docker("network", "rm", net).ok();
            assertEquals(0, sh("ip", "link", "show", br).exit(), "the host's bridge is left");
        } finally {
            d.docker("rm", "-f", c);
            d.docker("network", "rm", net);
            sh("ip", "link", "del", br);
        }
    }

    @Test
    void driverOptionsAreApplied() throws Exception {
        String net = "opts-" + id();
        String a = "optsa-" + id();
        String b = "optsb-" + id();
        Subnet s4 = HostNetworks.reserveSubnet();
        String br = netCreate(net, "--subnet", s4.cidr(), "-o", "com.docker.network.bridge.enable_icc=false",
                "-o", "com.docker.network.container_iface_prefix=pif", "-o",
                "com.docker.network.bridge.enable_ip_masquerade=false");
        try {
            d.docker("run", "-d", "--name", a, "--network", net, "busybox", "sleep", "120").ok();
            String links = d.docker("exec", a, "ip", "-o", "link").ok().out();
            assertTrue(links.contains(" pif0@"), links);
            // no traffic between the network's containers (icc), the gateway still answers
            Cmd.Result ping = d.docker("run", "--rm", "--name", b, "--network", net, "busybox", "ping", "-c1", "-W2",
                    s4.address(2));
            assertNotEquals(0, ping.exit(), ping.toString());
            assertEquals(0, d.docker("exec", a, "ping", "-c1", "-W2", s4.address(1)).exit());
            String nat = sh("iptables-save", "-t", "nat").ok().out();
            assertFalse(nat.contains("-s " + s4.cidr() + " ! -o " + br + " -j MASQUERADE"), nat);
            assertTrue(sh("iptables-save", "-t", "filter").ok().out().contains("-i " + br + " -o " + br
                    + " -j DROP"));
        } finally {
            d.docker("rm", "-f", a, b);
            d.docker("network", "rm", net);
        }
    }

    @Test
    void aContainerCreatedOnTwoNetworksIsOnBoth() throws Exception {
        String n1 = "two1-" + id();
        String n2 = "two2-" + id();
        String c = "twoc-" + id();
        Subnet s1 = HostNetworks.reserveSubnet();
        Subnet s2 = HostNetworks.reserveSubnet();
        netCreate(n1, "--subnet", s1.cidr());
        netCreate(n2, "--subnet", s2.cidr());
        try {
            d.docker("run", "-d", "--name", c, "--network", n1, "--network", "name=" + n2 + ",ip=" + s2.address(9),
                    "busybox", "sleep", "120").ok();
            String addrs = d.docker("exec", c, "ip", "-4", "-o", "addr").ok().out();
            assertTrue(addrs.contains("eth0") && addrs.contains(s1.address(2) + "/24"), addrs);
            assertTrue(addrs.contains("eth1") && addrs.contains(s2.address(9) + "/24"), addrs);
            JsonNode nets = inspect("inspect", c).at("/NetworkSettings/Networks");
            assertEquals(s2.address(9), nets.at("/" + n2 + "/IPAddress").asText(), nets.toString());
        } finally {
            d.docker("rm", "-f", c);
            d.docker("network", "rm", n1, n2);
        }
    }

    @Test
    void whatIsNotAppliedIsRefusedWithItsName() {
        String n = "bad-" + id();
        assertTrue(refused("network", "create", "--ipv6", n).contains("could not find an available, non-overlapping"
                + " IPv6 address pool among the defaults to assign to the network"));
        assertTrue(refused("network", "create", "-o", "com.docker.network.bridge.inhibit_ipv4=true", n)
                .contains("com.docker.network.bridge.inhibit_ipv4"));
        assertTrue(refused("network", "create", "-o", "mtu=1400", n).contains("option mtu is not supported"));
        assertTrue(refused("network", "create", "--ipam-driver", "foo", n).contains("plugin \"foo\" not found"));
        assertTrue(refused("network", "create", "--config-only", n).contains("ConfigOnly"));
        assertTrue(refused("network", "create", "--config-from", "x", n).contains("ConfigFrom"));
        assertTrue(refused("network", "create", "--scope", "swarm", n).contains("swarm is not active"));
        assertTrue(refused("network", "create", "--subnet", HostNetworks.reserveSubnet6().cidr(), n)
                .contains("needs EnableIPv6"));
        assertTrue(d.docker("network", "ls", "-q", "--filter", "name=" + n).ok().out().isBlank(),
                "no network was made");

        String auto = "auto-" + id();
        netCreate(auto);
        try {
            assertTrue(refused("run", "--rm", "--network", auto, "--ip", "172.30.0.9", "busybox", "true")
                    .contains("user specified IP address is supported only when connecting to networks with user"
                            + " configured subnets"));
            assertTrue(refused("run", "--rm", "--network", auto, "-p", "[::]:8080:80", "busybox", "true")
                    .contains("publishing on an IPv6 address needs a network with IPv6 (EnableIPv6)"));
            assertTrue(refused("run", "--rm", "--network", auto, "--ip6", "fd00:1::9", "busybox", "true")
                    .contains("user specified IP address is supported only when connecting to networks with user"
                            + " configured subnets"));
        } finally {
            d.docker("network", "rm", auto);
        }
    }
}
