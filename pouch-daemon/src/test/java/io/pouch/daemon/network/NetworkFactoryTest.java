package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NetworkFactoryTest {
    NetworkStore store;
    final Set<String> hostLinks = Set.of("eth0", "docker0");
    final Set<String> hostBridges = Set.of("docker0");

    @BeforeEach
    void networks() {
        store = new NetworkStore(Path.of("/nonexistent"));
        store.put(NetworkFactory.defaultBridge("b".repeat(64), "p0", Cidr.parse("172.18.0.1/16"), ""));
        store.put(NetworkFactory.host());
        store.put(NetworkFactory.none());
    }

    static NetworkCreateRequest req(String name, String subnet, String gw, String range, Map<String, String> opts) {
        return new NetworkCreateRequest(name, "", subnet, gw, range, false, Map.of("l", "v"), opts);
    }

    NetworkRecord create(NetworkCreateRequest r) {
        NetworkFactory.checkRequest(r);
        NetworkRecord n = NetworkFactory.bridge(r, store, hostLinks::contains, hostBridges::contains);
        store.put(n);
        return n;
    }

    static int status(Runnable r) {
        return assertThrows(PouchException.class, r::run).status();
    }

    static String message(Runnable r) {
        return assertThrows(PouchException.class, r::run).getMessage();
    }

    @Test
    void theDefaultBridgeFromTheFlags() {
        NetworkRecord b = NetworkFactory.defaultBridge("id", "p1", Cidr.parse("10.9.0.5/24"), "10.9.0.128/25");
        assertEquals("10.9.0.0/24", b.subnet());
        assertEquals("10.9.0.5", b.gateway());
        assertEquals("10.9.0.128/25", b.ipRange());
        assertEquals("p1", b.device());
        assertEquals(Map.of("com.docker.network.bridge.name", "p1", "com.docker.network.bridge.default_bridge", "true"),
                b.options());
        assertEquals("null", NetworkFactory.none().driver());
        assertEquals("host", NetworkFactory.host().driver());
    }

    @Test
    void withoutSubnetTheFirstFreeDefaultPool() {
        NetworkRecord a = create(req("a", "", "", "", Map.of()));
        assertEquals("172.19.0.0/16", a.subnet()); // 172.18/16 is the default bridge's
        assertEquals("172.19.0.1", a.gateway());
        assertEquals("br-" + a.id().substring(0, 12), a.device());
        assertEquals(Map.of("l", "v"), a.labels());
        for (int i = 20; i <= 31; i++) {
            create(req("n" + i, "", "", "", Map.of()));
        }
        assertEquals("192.168.0.0/20", create(req("c", "", "", "", Map.of())).subnet());
        assertEquals("192.168.16.0/20", create(req("d", "", "", "", Map.of())).subnet());
    }

    @Test
    void everyPoolTakenIs403() {
        store.put(NetworkFactory.defaultBridge("x", "p9", Cidr.parse("172.16.0.1/12"), ""));
        store.put(NetworkFactory.defaultBridge("y", "p8", Cidr.parse("192.168.0.1/16"), ""));
        assertEquals("could not find an available, non-overlapping IPv4 address pool among the defaults to assign"
                + " to the network", message(() -> create(req("a", "", "", "", Map.of()))));
    }

    @Test
    void aGivenSubnetWithGatewayAndRange() {
        NetworkRecord n = create(req("a", "10.5.0.0/16", "10.5.0.254", "10.5.7.9/24", Map.of()));
        assertEquals("10.5.0.0/16", n.subnet());
        assertEquals("10.5.0.254", n.gateway());
        assertEquals("10.5.7.0/24", n.ipRange());
    }

    @Test
    void subnetChecks() {
        assertEquals("invalid subnet 10.5.0.1/16: it should be 10.5.0.0/16",
                message(() -> create(req("a", "10.5.0.1/16", "", "", Map.of()))));
        assertEquals(403, status(() -> create(req("a", "172.18.5.0/24", "", "", Map.of()))));
        assertEquals("subnet 10.5.0.0/31 is too small: it needs a /30 or larger",
                message(() -> create(req("a", "10.5.0.0/31", "", "", Map.of()))));
        assertEquals("gateway, ip-range and aux-address need a subnet",
                message(() -> create(req("a", "", "10.0.0.1", "", Map.of()))));
        assertEquals(400, status(() -> create(req("a", "nonsense", "", "", Map.of()))));
    }

    @Test
    void gatewayAndRangeMustLieInTheSubnet() {
        assertEquals("invalid gateway address 10.5.0 in Ipam configuration", message(() -> create(req("a", "10.5.0.0/16", "10.5.0", "",
                Map.of()))));
        assertEquals("no matching subnet for gateway 10.6.0.1", message(() -> create(req("a", "10.5.0.0/16",
                "10.6.0.1", "", Map.of()))));
        assertEquals("ip-range 10.6.0.0/24 is not in subnet 10.5.0.0/16", message(() -> create(req("a", "10.5.0.0/16",
                "", "10.6.0.0/24", Map.of()))));
    }

    @Test
    void nameAndDriverChecks() {
        assertEquals("network name is required", message(() -> create(req("", "", "", "", Map.of()))));
        assertEquals("invalid network name \"-x\"", message(() -> create(req("-x", "", "", "", Map.of()))));
        NetworkCreateRequest host = new NetworkCreateRequest("h", "host", "", "", "", false, Map.of(), Map.of());
        assertEquals(403, status(() -> NetworkFactory.checkRequest(host)));
        NetworkCreateRequest overlay = new NetworkCreateRequest("o", "overlay", "", "", "", false, Map.of(), Map.of());
        assertEquals("plugin \"overlay\" not found", message(() -> NetworkFactory.checkRequest(overlay)));
        create(req("a", "", "", "", Map.of()));
        assertEquals("network with name a already exists", message(() -> create(req("a", "", "", "", Map.of()))));
    }

    @Test
    void bridgeNameChecks() {
        create(req("a", "", "", "", Map.of("com.docker.network.bridge.name", "br-mine")));
        assertEquals("bridge br-mine is already used by network a", message(() -> create(req("b", "", "", "",
                Map.of("com.docker.network.bridge.name", "br-mine")))));
        assertEquals("device eth0 already exists on the host and is not a bridge", message(() -> create(req("b", "", "", "",
                Map.of("com.docker.network.bridge.name", "eth0")))));
        assertEquals(400, status(() -> create(req("b", "", "", "",
                Map.of("com.docker.network.bridge.name", "a-name-longer-than-15")))));
        assertEquals(400, status(() -> create(req("b", "", "", "", Map.of("com.docker.network.bridge.name", "a b")))));
    }

    @Test
    void mtuOption() {
        assertEquals(1500, BridgeOptions.mtu(Map.of()));
        assertEquals(1500, BridgeOptions.mtu(null));
        assertEquals(9000, BridgeOptions.mtu(Map.of(NetworkFactory.MTU_OPTION, "9000")));
        assertEquals("invalid com.docker.network.driver.mtu 67: a number between 68 and 65535",
                message(() -> BridgeOptions.mtu(Map.of(NetworkFactory.MTU_OPTION, "67"))));
        assertEquals(400, status(() -> create(req("a", "", "", "", Map.of(NetworkFactory.MTU_OPTION, "x")))));
    }

    @Test
    void fixedCidrLiesInsideBip() {
        Cidr bip = Cidr.parse("192.168.5.1/24");
        assertEquals("", NetworkFactory.fixedCidr(bip, null));
        assertEquals("192.168.5.128/25", NetworkFactory.fixedCidr(bip, "192.168.5.130/25"));
        assertEquals("fixed-cidr 10.0.0.0/24 is not inside the bridge subnet 192.168.5.0/24 (--bip)",
                message(() -> NetworkFactory.fixedCidr(bip, "10.0.0.0/24")));
        assertEquals(400, status(() -> NetworkFactory.fixedCidr(bip, "x")));
    }

    static NetworkCreateRequest v6(String name, NetworkCreateRequest.Pool v4, NetworkCreateRequest.Pool v6,
                                   boolean enable) {
        return new NetworkCreateRequest(name, "", v4, v6, enable, "", Map.of(), false, false, false, false, "", "",
                Map.of(), Map.of());
    }

    static NetworkCreateRequest.Pool pool(String subnet, String gw, String range, Map<String, String> aux) {
        return new NetworkCreateRequest.Pool(subnet, gw, range, aux);
    }

    @Test
    void ipv6NetworkTakesItsSubnetGatewayRangeAndAuxiliaryAddresses() {
        NetworkRecord n = create(v6("a", pool("10.5.0.0/16", "", "", Map.of("x", "10.5.0.7")),
                pool("FD12:3456:789A::/64", "", "fd12:3456:789a:0:8000::/65", Map.of("r", "fd12:3456:789a::0002")),
                true));
        assertTrue(n.hasIpv6());
        assertEquals("fd12:3456:789a::/64", n.subnet6());
        assertEquals("fd12:3456:789a::1", n.gateway6());
        assertEquals("fd12:3456:789a:0:8000::/65", n.ipRange6());
        assertEquals(Map.of("r", "fd12:3456:789a::2"), n.aux6());
        assertEquals(Map.of("x", "10.5.0.7"), n.aux());
        assertFalse(n.autoSubnet());
        NetworkRecord g = create(v6("b", NetworkCreateRequest.Pool.NONE,
                pool("fd12:3456:789b::/64", "fd12:3456:789b::fe", "", Map.of()), true));
        assertEquals("fd12:3456:789b::fe", g.gateway6());
        assertTrue(g.autoSubnet());
        assertEquals(403, status(() -> create(v6("c", NetworkCreateRequest.Pool.NONE,
                pool("fd12:3456:789a:0:1::/80", "", "", Map.of()), true))));
    }

    @Test
    void ipv6ChecksUseDockerdsMessages() {
        assertEquals("could not find an available, non-overlapping IPv6 address pool among the defaults to assign to"
                + " the network", message(() -> create(v6("a", NetworkCreateRequest.Pool.NONE,
                NetworkCreateRequest.Pool.NONE, true))));
        assertEquals("IPv6 address configuration fd00:1::/64 needs EnableIPv6 (docker network create --ipv6)",
                message(() -> create(v6("a", NetworkCreateRequest.Pool.NONE, pool("fd00:1::/64", "", "", Map.of()),
                        false))));
        assertEquals("no matching subnet for gateway fd00:2::1", message(() -> create(v6("a",
                NetworkCreateRequest.Pool.NONE, pool("fd00:1::/64", "fd00:2::1", "", Map.of()), true))));
        assertEquals("invalid gateway address zz in Ipam configuration", message(() -> create(v6("a",
                NetworkCreateRequest.Pool.NONE, pool("fd00:1::/64", "zz", "", Map.of()), true))));
        assertEquals("no matching subnet for aux-address fd00:2::1", message(() -> create(v6("a",
                NetworkCreateRequest.Pool.NONE, pool("fd00:1::/64", "", "", Map.of("x", "fd00:2::1")), true))));
        assertEquals("no matching subnet for aux-address 10.6.0.1", message(() -> create(v6("a",
                pool("10.5.0.0/16", "", "", Map.of("x", "10.6.0.1")), NetworkCreateRequest.Pool.NONE, false))));
        assertEquals("ip-range fd00:2::/80 is not in subnet fd00:1::/64", message(() -> create(v6("a",
                NetworkCreateRequest.Pool.NONE, pool("fd00:1::/64", "", "fd00:2::/80", Map.of()), true))));
        assertEquals("invalid subnet fd00:1::1/64: it should be fd00:1::/64", message(() -> create(v6("a",
                NetworkCreateRequest.Pool.NONE, pool("fd00:1::1/64", "", "", Map.of()), true))));
    }

    static NetworkCreateRequest fields(String ipamDriver, boolean ingress, boolean configOnly, String configFrom,
                                       String scope) {
        return new NetworkCreateRequest("f", "", NetworkCreateRequest.Pool.NONE, NetworkCreateRequest.Pool.NONE,
                false, ipamDriver, Map.of("o", "1"), false, true, ingress, configOnly, configFrom, scope, Map.of(),
                Map.of());
    }

    @Test
    void swarmAndConfigFieldsAreRefusedWithTheirNames() {
        assertEquals("plugin \"foo\" not found", message(() -> NetworkFactory.checkRequest(
                fields("foo", false, false, "", ""))));
        assertEquals(404, status(() -> NetworkFactory.checkRequest(fields("foo", false, false, "", ""))));
        assertEquals("Ingress network can only be global scope network", message(() -> NetworkFactory.checkRequest(
                fields("", true, false, "", ""))));
        assertEquals("ConfigOnly networks are not supported by pouchd", message(() -> NetworkFactory.checkRequest(
                fields("", false, true, "", ""))));
        assertEquals(400, status(() -> NetworkFactory.checkRequest(fields("", false, true, "", ""))));
        assertEquals("ConfigFrom is not supported by pouchd: network c cannot lend its configuration",
                message(() -> NetworkFactory.checkRequest(fields("", false, false, "c", ""))));
        assertEquals("cannot create a swarm scoped network when swarm is not active",
                message(() -> NetworkFactory.checkRequest(fields("", false, false, "", "swarm"))));
        assertEquals(400, status(() -> NetworkFactory.checkRequest(fields("", false, false, "", "global"))));
        // default IPAM, local scope: accepted, IPAM options and Attachable kept as given
        NetworkRecord n = create(fields("default", false, false, "", "local"));
        assertEquals(Map.of("o", "1"), n.ipamOptions());
        assertTrue(n.attachable());
    }

    @Test
    void anExistingBridgeIsAdopted() {
        NetworkRecord n = create(req("a", "", "", "", Map.of(BridgeOptions.BRIDGE_NAME, "docker0")));
        assertTrue(n.adoptedBridge());
        assertFalse(create(req("b", "", "", "", Map.of())).adoptedBridge());
    }
}
