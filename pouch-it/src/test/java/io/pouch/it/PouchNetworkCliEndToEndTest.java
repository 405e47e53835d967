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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Networking through the pouch CLI: network create/ls/inspect/connect/disconnect/rm/prune, run's -p,
 * --network, --network-alias, and pouch port. Traffic goes only to loopback and to the namespaces of the containers
 * made here; the subnet is reserved for the test ({@link HostNetworks}) and bridges are named pnc-* with random
 * suffixes.
 */
@Tag("e2e")
class PouchNetworkCliEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    private static String id() {
        return UUID.randomUUID().toString().substring(0, 6);
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void userNetworkLifecycleAndNameResolution() throws InterruptedException {
        String suffix = id();
        String net = "pncnet-" + suffix;
        String a = "pnca-" + suffix;
        String b = "pncb-" + suffix;
        String c = "pncc-" + suffix;
        Subnet s = HostNetworks.reserveSubnet();
        try {
            String netId = d.pouch("network", "create", "--subnet", s.cidr(), "--label", "who=netcli",
                    "-o", "com.docker.network.bridge.name=pnc-" + suffix, net).ok().trimmed();
            assertTrue(netId.matches("[0-9a-f]{64}"), netId);
            String ls = d.pouch("network", "ls").ok().out();
            assertTrue(ls.lines().findFirst().orElse("").matches("NETWORK ID\\s+NAME\\s+DRIVER\\s+SCOPE"), ls);
            assertTrue(ls.contains(netId.substring(0, 12)) && ls.contains(net), ls);
            assertEquals(netId, d.pouch("network", "ls", "-q", "--no-trunc", "--filter", "name=" + net).ok().trimmed());
            assertEquals(s.cidr() + " netcli", d.pouch("network", "inspect", "-f",
                    "{{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Labels.who}}", net).ok().trimmed());

            d.pouch("run", "-d", "--name", a, "--network", net, "--network-alias", "svc-" + suffix, "busybox",
                    "sleep", "120").ok();
            d.pouch("run", "-d", "--name", b, "--network", net, "busybox", "sleep", "120").ok();
            String ipA = json(d.pouch("inspect", a).ok().out()).get(0).at("/NetworkSettings/Networks/" + net
                    + "/IPAddress").asText();
            assertTrue(ipA.startsWith(s.prefix()), ipA);
            for (String name : List.of(a, "svc-" + suffix)) {
                Cmd.Result ns = d.pouch("exec", b, "nslookup", name);
                assertEquals(0, ns.exit(), ns.toString());
                assertTrue(ns.out().contains(ipA), ns.toString());
            }

            // connect a container from the default bridge under an alias, then take it off again
            d.pouch("run", "-d", "--name", c, "busybox", "sleep", "120").ok();
            d.pouch("network", "connect", "--alias", "late-" + suffix, net, c).ok();
            assertEquals(3, json(d.pouch("network", "inspect", net).ok().out()).get(0).get("Containers").size());
            // the alias of a live connect resolves at once from another container on the network (this lookup timed
            // out in some full-suite runs while a bridge's MAC could move with its ports: see NetworkModesEndToEndTest)
            assertTrue(d.pouch("network", "inspect", net).ok().out().contains(c), "connected container missing");
            String ipC = json(d.pouch("inspect", c).ok().out()).get(0).at("/NetworkSettings/Networks/" + net
                    + "/IPAddress").asText();
            Cmd.Result late = d.pouch("exec", b, "nslookup", "late-" + suffix);
            assertEquals(0, late.exit(), late.toString());
            assertTrue(ipC.startsWith(s.prefix()) && late.out().contains(ipC), late + " " + ipC);
            d.pouch("network", "disconnect", net, c).ok();
            assertEquals(2, json(d.pouch("network", "inspect", net).ok().out()).get(0).get("Containers").size());

            // a network in use cannot go; the error says why, exit 1
            Cmd.Result rm = d.pouch("network", "rm", net);
            assertEquals(1, rm.exit(), rm.toString());
            assertTrue(rm.err().contains("Error response from daemon") && rm.err().contains("active endpoints"),
                    rm.toString());
            Cmd.Result missing = d.pouch("network", "inspect", "pncnope-" + suffix);
            assertEquals(1, missing.exit());
            assertTrue(missing.err().contains("No such network: pncnope-" + suffix), missing.toString());

            d.pouch("rm", "-f", a, b).ok();
            // prune takes the now unused network (only custom networks go; the default ones stay)
            String pruned = d.pouch("network", "prune", "-f").ok().out();
            assertTrue(pruned.contains("Deleted Networks:") && pruned.contains(net), pruned);
            assertNotEquals(0, d.pouch("network", "inspect", net).exit());
            assertTrue(d.pouch("network", "ls").ok().out().contains("bridge"));
        } finally {
            d.pouch("rm", "-f", a, b, c);
            d.pouch("network", "rm", net);
        }
        assertFalse(d.pouch("network", "ls").ok().out().contains(net));
        assertFalse(Cmd.run(List.of("ip", "-o", "link"), Map.of(), null, Duration.ofSeconds(30)).out()
                .contains("pnc-" + suffix));
    }

    @Test
    void publishedPortShownByPouchPortAndReachableOnLoopback() throws Exception {
        String n = "pncweb-" + id();
        try {
            d.pouch("run", "-d", "--name", n, "-p", "127.0.0.1::80", "busybox", "httpd", "-f", "-p", "80", "-h",
                    "/etc").ok();
            String all = d.pouch("port", n).ok().trimmed();
            Matcher m = Pattern.compile("^80/tcp -> 127\\.0\\.0\\.1:(\\d+)$").matcher(all);
            assertTrue(m.matches(), all);
            String port = m.group(1);
            assertEquals("127.0.0.1:" + port, d.pouch("port", n, "80/tcp").ok().trimmed());
            Cmd.Result none = d.pouch("port", n, "81");
            assertEquals(1, none.exit());
            assertTrue(none.err().contains("No public port '81/tcp' published for " + n), none.toString());

            Cmd.Result r = Await.until(Duration.ofSeconds(10), () -> Cmd.run(List.of("curl", "-s", "-m", "5",
                    "http://127.0.0.1:" + port + "/hostname"), Map.of(), null, Duration.ofSeconds(30)),
                    c -> c.exit() == 0, "an answer of httpd on the published port " + port);
            String id = json(d.pouch("inspect", n).ok().out()).get(0).get("Id").asText();
            assertEquals(id.substring(0, 12), r.trimmed());

            Cmd.Result bad = d.pouch("run", "-d", "-p", "80:80:80:80", "busybox", "true");
            assertEquals(125, bad.exit(), bad.toString());
            assertTrue(bad.err().contains("invalid port format"), bad.toString());
        } finally {
            d.pouch("rm", "-f", n);
        }
    }
}
