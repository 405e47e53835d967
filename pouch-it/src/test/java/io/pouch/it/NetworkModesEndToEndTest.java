package io.pouch.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pouch.testing.Await;
import io.pouch.testing.HostNetworks;
import io.pouch.testing.HostNetworks.Subnet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --network container:X}, the default bridge's check against the host's routes, and DNS of an alias added by
 * a live {@code network connect}, through the real docker CLI. Traffic stays on loopback inside the namespaces made
 * here; subnets are reserved per test ({@link HostNetworks}), devices pn-* with random suffixes.
 */
@Tag("e2e")
class NetworkModesEndToEndTest {
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

    @Test
    void aJoinerSharesTheNamespaceNamesAndFilesOfARunningContainer() {
        String x = "webx-" + id();
        String fullId = d.docker("run", "-d", "--name", x, "busybox", "httpd", "-f", "-p", "8080", "-h", "/etc")
                .ok().trimmed();
        String j = "join-" + id();
        try {
            // busybox httpd in X, reached on X's loopback from the joiner
            Cmd.Result get = d.docker("run", "--rm", "--network", "container:" + x, "busybox", "wget", "-qO-",
                    "http://127.0.0.1:8080/hostname");
            assertEquals(0, get.exit(), get.toString());
            assertEquals(fullId.substring(0, 12), get.trimmed());
            // same interface and address, hostname, hosts and resolv.conf as X
            d.docker("run", "-d", "--name", j, "--network", "container:" + x, "busybox", "sleep", "60").ok();
            for (String cmd : List.of("hostname", "cat /etc/hosts", "cat /etc/resolv.conf", "ip -4 -o addr show eth0")) {
                String inX = d.docker("exec", x, "sh", "-c", cmd).ok().out();
                String inJ = d.docker("exec", j, "sh", "-c", cmd).ok().out();
                assertEquals(inX.replaceAll("@if\\d+", ""), inJ.replaceAll("@if\\d+", ""), cmd);
            }
            assertTrue(d.docker("exec", j, "ip", "-4", "-o", "addr", "show", "eth0").ok().out().contains("inet "));
            assertEquals("container:" + fullId,
                    d.docker("inspect", "-f", "{{.HostConfig.NetworkMode}}", j).ok().trimmed());
            Cmd.Result connect = d.docker("network", "connect", "bridge", j);
            assertNotEquals(0, connect.exit());
            assertTrue(connect.err().contains("container sharing network namespace with another container or host"
                    + " cannot be connected to any other network"), connect.toString());
            // removing the joiner leaves X's network as it was
            String ip = d.docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", x).ok().trimmed();
            d.docker("rm", "-f", j).ok();
            assertEquals(ip, d.docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", x).ok().trimmed());
            assertTrue(d.docker("exec", x, "ip", "-4", "-o", "addr", "show", "eth0").ok().out().contains(ip));
            Cmd.Result again = d.docker("run", "--rm", "--network", "container:" + fullId, "busybox", "wget", "-qO-",
                    "http://127.0.0.1:8080/hostname");
            assertEquals(0, again.exit(), again.toString());
        } finally {
            d.docker("rm", "-f", j, x);
        }
    }

    @Test
    void aJoinersStartSpecIsStoredAtCreateAndWrittenAgainWhenItsRootfsChanged() throws Exception {
        String x = "holdx-" + id();
        String holder = d.docker("run", "-d", "--name", x, "busybox", "sleep", "60").ok().trimmed();
        String first = null;
        String second = null;
        Path passwd = Files.createTempFile("passwd", "");
        try {
            first = d.docker("create", "--network", "container:" + x, "--user", "nobody", "busybox", "id", "-u")
                    .ok().trimmed();
            // containerd holds the start's spec from the create on: the user from the image, the holder's netns
            Map<?, ?> spec = containerdSpec(first);
            assertEquals(65534, ((Number) at(spec, "process", "user", "uid")).intValue(), spec.toString());
            String ns = namespacePath(spec, "network");
            assertTrue(ns != null && ns.endsWith("/" + holder), "the holder's namespace: " + ns);
            assertEquals("65534", d.docker("start", "-a", first).ok().trimmed());

            // a passwd changed after create: the start resolves the user again and stores its own spec
            second = d.docker("create", "--network", "container:" + x, "--user", "nobody", "busybox", "id", "-u")
                    .ok().trimmed();
            Files.writeString(passwd, "root:x:0:0:root:/root:/bin/sh\nnobody:x:4242:4242::/:/bin/false\n");
            d.docker("cp", passwd.toString(), second + ":/etc/passwd").ok();
            assertEquals("4242", d.docker("start", "-a", second).ok().trimmed());
            assertEquals(4242, ((Number) at(containerdSpec(second), "process", "user", "uid")).intValue());
        } finally {
            Files.deleteIfExists(passwd);
            d.docker("rm", "-f", x);
            for (String c : new String[] {first, second}) {
                if (c != null) {
                    d.docker("rm", "-f", c);
                }
            }
        }
    }

    @Test
    void aBridgeContainersStartSpecIsStoredAtCreateAndWrittenAgainAfterADisconnect() throws Exception {
        d.docker("create", "busybox", "true").ok(); // the image's passwd and group are known from then on
        String kept = null;
        String cut = null;
        try {
            kept = d.docker("create", "busybox", "sh", "-c", "ip -o link | wc -l").ok().trimmed();
            String ns = namespacePath(containerdSpec(kept), "network");
            assertTrue(ns != null && ns.contains(kept), "its own namespace from the create on: " + ns);
            assertEquals("2", d.docker("start", "-a", kept).ok().trimmed(), "lo and eth0");

            // disconnected before its first start: the start finds no namespace of pouchd's and stores its spec
            cut = d.docker("create", "busybox", "sh", "-c", "ip -o link | wc -l").ok().trimmed();
            d.docker("network", "disconnect", "bridge", cut).ok();
            assertEquals("1", d.docker("start", "-a", cut).ok().trimmed(), "lo only");
            assertEquals(null, namespacePath(containerdSpec(cut), "network"));
        } finally {
            for (String c : new String[] {kept, cut}) {
                if (c != null) {
                    d.docker("rm", "-f", c);
                }
            }
        }
    }

    /** The path of the spec's namespace of {@code type}, or null (a new namespace, or none). */
    private static String namespacePath(Map<?, ?> spec, String type) {
        for (Object o : (List<?>) at(spec, "linux", "namespaces")) {
            Map<?, ?> n = (Map<?, ?>) o;
            if (type.equals(n.get("type"))) {
                return (String) n.get("path");
            }
        }
        return null;
    }

    /** The runtime spec containerd's record of container {@code id} holds. */
    private static Map<?, ?> containerdSpec(String id) throws Exception {
        Cmd.Result info = Cmd.run(List.of("ctr", "-a", d.base().resolve("run/containerd/containerd.sock").toString(),
                "-n", "pouch", "containers", "info", id), Map.of(), null, Duration.ofSeconds(30)).ok();
        return (Map<?, ?>) new ObjectMapper().readValue(info.out(), Map.class).get("Spec");
    }

    private static Object at(Map<?, ?> node, String... path) {
        Object o = node;
        for (String p : path) {
            o = ((Map<?, ?>) o).get(p);
        }
        return o;
    }

    @Test
    void joiningAStoppedOrUnknownContainerOrConflictingOptionsIsRefusedAsDockerdDoes() {
        String x = "stopx-" + id();
        String fullId = d.docker("create", "--name", x, "busybox", "sleep", "60").ok().trimmed();
        String y = "runy-" + id();
        d.docker("run", "-d", "--name", y, "busybox", "sleep", "60").ok();
        String joiner = null;
        try {
            long before = d.docker("ps", "-aq").ok().out().lines().count();
            Cmd.Result stopped = d.docker("run", "--rm", "--network", "container:" + x, "busybox", "true");
            assertEquals(125, stopped.exit(), stopped.toString());
            assertTrue(stopped.err().contains("cannot join network of a non running container: " + fullId),
                    stopped.toString());
            Cmd.Result unknown = d.docker("run", "--rm", "--network", "container:nosuch-" + id(), "busybox", "true");
            assertNotEquals(0, unknown.exit());
            assertTrue(unknown.err().contains("No such container: nosuch-"), unknown.toString());
            Map<List<String>, String> conflicts = Map.of(
                    List.of("--hostname", "h1"), "conflicting options: hostname and the network mode",
                    List.of("-p", "8081:80"), "conflicting options: port publishing and the container type network mode",
                    List.of("--dns", "10.231.61.9"), "conflicting options: dns and the network mode",
                    List.of("--add-host", "a:10.231.61.9"),
                    "conflicting options: custom host-to-IP mapping and the network mode",
                    List.of("--mac-address", "02:42:0a:e7:3d:09"), "conflicting options: mac-address and the network mode",
                    List.of("--network-alias", "al"), "network-scoped alias",
                    List.of("--expose", "81"), "conflicting options: port exposing and the container type network mode",
                    List.of("--link", y + ":yy"), "conflicting options: container type network can't be used with links");
            for (Map.Entry<List<String>, String> c : conflicts.entrySet()) {
                List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "container:" + y));
                args.addAll(c.getKey());
                args.addAll(List.of("busybox", "true"));
                Cmd.Result r = d.docker(args.toArray(String[]::new));
                assertNotEquals(0, r.exit(), r.toString());
                assertTrue(r.err().contains(c.getValue()), c.getKey() + ": " + r);
            }
            // the refusals left no container behind
            assertEquals(before, d.docker("ps", "-aq").ok().out().lines().count());
            // over the API: the create is accepted, the start refused with dockerd's 409
            List<String> created = d.curl("/v1.47/containers/create", "-X", "POST", "-H",
                    "Content-Type: application/json", "-d",
                    "{\"Image\":\"busybox\",\"HostConfig\":{\"NetworkMode\":\"container:" + x + "\"}}")
                    .ok().out().lines().toList();
            assertEquals("201", created.get(created.size() - 1), created.toString());
            joiner = created.get(0).replaceAll(".*\"Id\":\"([0-9a-f]+)\".*", "$1");
            List<String> start = d.curl("/v1.47/containers/" + joiner + "/start", "-X", "POST").ok().out().lines()
                    .toList();
            assertEquals("409", start.get(start.size() - 1), start.toString());
            assertTrue(start.get(0).contains("cannot join network of a non running container: " + fullId), start.toString());
        } finally {
            if (joiner != null) {
                d.docker("rm", joiner);
            }
            d.docker("rm", "-f", x, y);
        }
    }

    /**
     * The alias given by a live {@code network connect} resolves, from another container on that network, right
     * after the connect. This once failed for 15 s at a time: a Linux bridge without a MAC of its own takes the
     * lowest MAC of its ports, so removing the container that lent it moved the gateway's MAC under the other
     * containers' neighbour caches (bridges have a fixed MAC since). {@code -Dpouch.it.aliasRounds=N} repeats it.
     */
    @Test
    void anAliasAddedByALiveConnectResolvesAtOnce() {
        int rounds = Integer.getInteger("pouch.it.aliasRounds", 2);
        String net = "palias-" + id();
        Subnet s = HostNetworks.reserveSubnet();
        d.docker("network", "create", "--subnet", s.cidr(), "-o",
                "com.docker.network.bridge.name=pn-" + net.substring(net.length() - 6), net).ok();
        String b = "asker-" + id();
        try {
            d.docker("run", "-d", "--name", b, "--network", net, "busybox", "sleep", "600").ok();
            // the asker has talked to the gateway (its DNS server) before the connect, so it holds its MAC in cache
            assertEquals(0, d.docker("exec", b, "nslookup", b).exit());
            int failures = 0;
            for (int i = 0; i < rounds; i++) {
                String c = "late-" + id();
                String alias = "al-" + id();
                d.docker("run", "-d", "--name", c, "busybox", "sleep", "600").ok();
                d.docker("network", "connect", "--alias", alias, net, c).ok();
                String ip = d.docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + net
                        + "\").IPAddress}}", c).ok().trimmed();
                assertTrue(ip.startsWith(s.prefix()), ip);
                long t0 = System.nanoTime();
                Cmd.Result ns = d.docker("exec", b, "nslookup", alias);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (ns.exit() != 0 || !ns.out().contains(ip)) {
                    failures++;
                    System.out.println("alias round " + i + ": FAILED after " + ms + " ms: " + ns);
                } else {
                    System.out.println("alias round " + i + ": ok in " + ms + " ms");
                }
                d.docker("network", "disconnect", net, c).ok();
                d.docker("rm", "-f", c).ok();
            }
            System.out.println("alias rounds: " + rounds + ", failures: " + failures);
            assertEquals(0, failures, "lookups of a live connect's alias that failed, of " + rounds);
        } finally {
            d.docker("rm", "-f", b);
            d.docker("network", "rm", net);
        }
    }

    /**
     * The teardown of a container's network runs after {@code run --rm} returned: it still leaves no veth, namespace
     * or lease behind, and a network removed right after a container is detached from it first.
     */
    @Test
    void runRmOnTheBridgeLeavesNothingOnceItsTeardownRan() throws Exception {
        String net = "prm-" + id();
        String bridge = "pn-" + net.substring(net.length() - 6);
        Set<String> veths = d.veths(bridge);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, d.docker("run", "--rm", "busybox", "true").exit());
        }
        d.docker("network", "create", "--subnet", HostNetworks.reserveSubnet().cidr(), "-o",
                "com.docker.network.bridge.name=" + bridge, net).ok();
        try {
            d.docker("run", "--rm", "--network", net, "busybox", "true").ok();
        } finally {
            d.docker("network", "rm", net).ok(); // waits for that container's teardown, so it is not "in use"
        }
        Await.until(Duration.ofSeconds(5), () -> d.veths(bridge), veths::equals, "the veths of before, and no other");
        Await.until(Duration.ofSeconds(5), () -> sh("ls", d.base().resolve("run/netns").toString()).out(),
                String::isBlank, "no network namespace left");
        // every lease left belongs to a running container (network id -> address -> owner)
        var ipam = new ObjectMapper().readTree(
                d.base().resolve("home/network/ipam.json").toFile());
        String running = d.docker("ps", "-q", "--no-trunc").ok().out();
        ipam.elements().forEachRemaining(leases -> leases.elements().forEachRemaining(owner ->
                assertTrue(running.contains(owner.asText()), "lease of " + owner + " which is not running: " + ipam)));
    }

    /**
     * A default bridge subnet the host already routes on another device is refused before pouchd starts anything,
     * naming the route and --bip. The route comes from an interface made (and removed) here: a veth pair, as this
     * kernel has no dummy driver; both ends stay in the host's namespace, up, so the route is live.
     */
    @Test
    void aDefaultBridgeSubnetTheHostRoutesElsewhereIsRefusedAtStart() throws Exception {
        String dummy = "pn-dm" + id().substring(0, 4);
        sh("ip", "link", "add", dummy, "type", "veth", "peer", "name", dummy + "p").ok();
        Path base = Files.createTempDirectory("pouch-routecheck");
        Subnet s = HostNetworks.reserveSubnet();
        try {
            sh("ip", "addr", "add", s.cidr(1, 24), "dev", dummy).ok();
            sh("ip", "link", "set", dummy, "up").ok();
            sh("ip", "link", "set", dummy + "p", "up").ok();
            Path root = Cmd.repoRoot();
            String cp = root.resolve("pouch-daemon/target/classes") + ":" + root.resolve("pouch-daemon/target/lib/*");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Cmd.Result r = Cmd.run(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                    "io.pouch.daemon.Pouchd", "--home-dir", base.resolve("home").toString(),
                    "--exec-root", base.resolve("run").toString(),
                    "--listen", "unix://" + base.resolve("pouchd.sock"),
                    "--pidfile", base.resolve("pouchd.pid").toString(),
                    "--config-file", base.resolve("none.json").toString(),
                    "--bridge-name", "pn-rc" + id().substring(0, 4), "--bip", s.cidr(200, 24)),
                    Map.of(), null, Duration.ofSeconds(60));
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().contains("overlaps the host's route " + s.cidr() + " dev " + dummy)
                    && r.err().contains("--bip"), r.toString());
            // refused before anything started: no containerd state, no bridge
            assertFalse(Files.exists(base.resolve("run/containerd")), "containerd was started");
            assertFalse(sh("ip", "-o", "link").out().contains("pn-rc"), "a bridge was made");
        } finally {
            sh("ip", "link", "del", dummy);
            sh("rm", "-rf", base.toString());
        }
    }
}
