package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NetworkFactoryTest {
    NetworkStore store;
    final Set<String> hostLinks = Set.of("eth0", "docker0");

    @BeforeEach
    void networks() {
        store = new NetworkStore(Path.of("/nonexistent"));
        store.put(NetworkFactory.defaultBridge("b".repeat(64), "p0", Cidr.parse("172.18.0.1/16"), ""));
        store.put(NetworkFactory.host());
        store.put(NetworkFactory.none());
    }

    static NetworkCreateRequest req(String name, String subnet, String gw, String range, Map<String, String> opts) {
        return new NetworkCreateRequest(name, "", subnet, gw, range, false, Map.of("l", "v"), opts, true);
    }

    NetworkRecord create(NetworkCreateRequest r) {
        NetworkFactory.checkRequest(r);
        NetworkRecord n = NetworkFactory.bridge(r, store, hostLinks::contains);
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
        assertEquals("gateway and ip-range need a subnet",
                message(() -> create(req("a", "", "10.0.0.1", "", Map.of()))));
        assertEquals(400, status(() -> create(req("a", "nonsense", "", "", Map.of()))));
    }

    @Test
    void gatewayAndRangeMustLieInTheSubnet() {
        assertEquals("invalid gateway address 10.5.0", message(() -> create(req("a", "10.5.0.0/16", "10.5.0", "",
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
        NetworkCreateRequest host = new NetworkCreateRequest("h", "host", "", "", "", false, Map.of(), Map.of(), true);
        assertEquals(403, status(() -> NetworkFactory.checkRequest(host)));
        NetworkCreateRequest overlay = new NetworkCreateRequest("o", "overlay", "", "", "", false, Map.of(), Map.of(),
                true);
        assertEquals("plugin \"overlay\" not found", message(() -> NetworkFactory.checkRequest(overlay)));
        create(req("a", "", "", "", Map.of()));
        assertEquals("network with name a already exists", message(() -> create(req("a", "", "", "", Map.of()))));
    }

    @Test
    void bridgeNameChecks() {
        create(req("a", "", "", "", Map.of("com.docker.network.bridge.name", "br-mine")));
        assertEquals("bridge br-mine is already used by network a", message(() -> create(req("b", "", "", "",
                Map.of("com.docker.network.bridge.name", "br-mine")))));
        assertEquals("device eth0 already exists on the host", message(() -> create(req("b", "", "", "",
                Map.of("com.docker.network.bridge.name", "eth0")))));
        assertEquals(400, status(() -> create(req("b", "", "", "",
                Map.of("com.docker.network.bridge.name", "a-name-longer-than-15")))));
        assertEquals(400, status(() -> create(req("b", "", "", "", Map.of("com.docker.network.bridge.name", "a b")))));
    }

    @Test
    void mtuOption() {
        assertEquals(1500, NetworkFactory.mtuOption(Map.of()));
        assertEquals(1500, NetworkFactory.mtuOption(null));
        assertEquals(9000, NetworkFactory.mtuOption(Map.of(NetworkFactory.MTU_OPTION, "9000")));
        assertEquals("invalid com.docker.network.driver.mtu 67: a number between 68 and 65535",
                message(() -> NetworkFactory.mtuOption(Map.of(NetworkFactory.MTU_OPTION, "67"))));
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
}
