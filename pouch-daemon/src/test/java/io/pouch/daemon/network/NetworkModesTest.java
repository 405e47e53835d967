package io.pouch.daemon.network;

import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.HostConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkModesTest {
    final NetworkStore store = new NetworkStore(Path.of("/nonexistent"));
    final NetworkModes modes = new NetworkModes(store::find);

    NetworkModesTest() {
        store.put(NetworkFactory.defaultBridge("b".repeat(64), "p0", Cidr.parse("192.168.5.1/24"), ""));
        store.put(NetworkFactory.host());
        store.put(new NetworkRecord("u".repeat(64), "web", "bridge", "t", "br-web", "10.5.0.0/16", "10.5.0.1", "",
                false, Map.of(), Map.of()));
        store.put(new NetworkRecord("a".repeat(64), "auto", "bridge", "t", "br-auto", "172.19.0.0/16", "172.19.0.1", "",
                false, Map.of(), Map.of(), Map.of(), true, false, "", "", "", Map.of(), Map.of(), false, false));
        store.put(new NetworkRecord("6".repeat(64), "six", "bridge", "t", "br-six", "10.6.0.0/16", "10.6.0.1", "",
                false, Map.of(), Map.of(), Map.of(), false, true, "fd12:3456:789a::/64", "fd12:3456:789a::1", "",
                Map.of(), Map.of(), false, false));
    }

    static NetworkRequest req(String network, String ip, List<String> aliases, String mac, List<String> links) {
        return new NetworkRequest(Map.of(network, new EndpointConfig(network, ip, aliases, mac)), links, "");
    }

    String refused(String mode, NetworkRequest r) {
        PouchException e = assertThrows(PouchException.class, () -> modes.validate(mode, r, null, null, false));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void modesName() {
        assertEquals("bridge", NetworkModes.networkName(null));
        assertEquals("bridge", NetworkModes.networkName(""));
        assertEquals("bridge", NetworkModes.networkName("default"));
        assertEquals("web", NetworkModes.networkName("web"));
        assertEquals("abc", NetworkModes.joinedContainer("container:abc"));
        assertNull(NetworkModes.joinedContainer("host"));
        assertNull(NetworkModes.joinedContainer(null));
        assertEquals(400, assertThrows(PouchException.class, () -> NetworkModes.joinedContainer("container:"))
                .status());
    }

    @Test
    void anUnknownNetworkPassesAtCreate() {
        assertDoesNotThrow(() -> modes.validate("nope", req("nope", "1.2.3.4", List.of("a"), "", List.of()), null,
                null, false));
        assertDoesNotThrow(() -> modes.validate("container:x", NetworkRequest.EMPTY, null, null, false));
    }

    @Test
    void userAddressesOnlyOnUserNetworksAndInTheirSubnet() {
        assertEquals("user specified IP address is supported on user defined networks only",
                refused("default", req("default", "192.168.5.9", List.of(), "", List.of())));
        assertEquals("user specified IP address is supported on user defined networks only",
                refused("host", req("host", "192.168.5.9", List.of(), "", List.of())));
        assertEquals("invalid IPv4 address: 10.5.0", refused("web", req("web", "10.5.0", List.of(), "", List.of())));
        assertEquals("no configured subnet or ip-range contain the IP address 10.6.0.2",
                refused("web", req("web", "10.6.0.2", List.of(), "", List.of())));
        assertDoesNotThrow(() -> modes.validate("web", req("web", "10.5.0.2", List.of("a"), "02:42:AA:bb:cc:dd",
                List.of()), null, null, false));
    }

    @Test
    void aliasesMacsPortsAndLinks() {
        assertEquals("network-scoped alias is supported only for containers in user defined networks",
                refused("bridge", req("bridge", "", List.of("a"), "", List.of())));
        assertEquals("invalid MAC address: 02:42", refused("web", req("web", "", List.of(), "02:42", List.of())));
        assertEquals("invalid link: empty", refused("bridge", req("bridge", "", List.of(), "", List.of(""))));
        assertDoesNotThrow(() -> modes.validate("web", req("web", "", List.of(), "", List.of("")), null, null,
                false));
        PouchException ports = assertThrows(PouchException.class, () -> modes.validate("bridge", NetworkRequest.EMPTY,
                Map.of("80/ipx", List.of()), null, false));
        assertEquals("invalid proto: ipx", ports.getMessage());
    }

    static String containerModeRefusal(String config, String hostConfig, NetworkRequest r) throws Exception {
        ContainerConfig cfg = Json.MAPPER.readValue(config, ContainerConfig.class);
        HostConfig hc = Json.MAPPER.readValue(hostConfig, HostConfig.class);
        PouchException e = assertThrows(PouchException.class, () -> NetworkModes.validateContainerMode(cfg, hc, r));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void containerModeRefusesWhatWouldConfigureANetworkOfItsOwn() throws Exception {
        String mode = "{\"NetworkMode\":\"container:db\"";
        assertEquals("conflicting options: hostname and the network mode",
                containerModeRefusal("{\"Hostname\":\"h\"}", mode + "}", NetworkRequest.EMPTY));
        assertEquals("conflicting options: dns and the network mode",
                containerModeRefusal("{}", mode + ",\"Dns\":[\"1.1.1.1\"]}", NetworkRequest.EMPTY));
        assertEquals("conflicting options: port publishing and the container type network mode",
                containerModeRefusal("{}", mode + ",\"PublishAllPorts\":true}", NetworkRequest.EMPTY));
        assertEquals("conflicting options: port exposing and the container type network mode",
                containerModeRefusal("{\"ExposedPorts\":{\"80/tcp\":{}}}", mode + "}", NetworkRequest.EMPTY));
        assertEquals("conflicting options: mac-address and the network mode", containerModeRefusal("{}", mode + "}",
                new NetworkRequest(Map.of(), List.of(), "02:42:00:00:00:01")));
        ContainerConfig plain = Json.MAPPER.readValue("{\"Hostname\":\"h\"}", ContainerConfig.class);
        HostConfig bridge = Json.MAPPER.readValue("{\"NetworkMode\":\"bridge\"}", HostConfig.class);
        assertDoesNotThrow(() -> NetworkModes.validateContainerMode(plain, bridge, NetworkRequest.EMPTY));
    }

    static NetworkRequest req6(String network, String ip, String ip6, List<String> linkLocal) {
        return new NetworkRequest(Map.of(network, new EndpointConfig(network, ip, List.of(), "", ip6, linkLocal)),
                List.of(), "");
    }

    @Test
    void addressesNeedAUserConfiguredSubnetOfTheirFamily() {
        String dockerd = "user specified IP address is supported only when connecting to networks with user"
                + " configured subnets";
        assertEquals(dockerd, refused("auto", req6("auto", "172.19.0.5", "", List.of())));
        assertEquals(dockerd, refused("web", req6("web", "", "fd12:3456:789a::5", List.of())));
        assertEquals("user specified IP address is supported on user defined networks only",
                refused("bridge", req6("bridge", "", "fd12:3456:789a::5", List.of())));
        assertEquals("no configured subnet or ip-range contain the IP address fd12:3456:789b::5",
                refused("six", req6("six", "", "fd12:3456:789b::5", List.of())));
        assertEquals("invalid IPv6 address: 10.6.0.5", refused("six", req6("six", "", "10.6.0.5", List.of())));
        assertEquals("invalid link-local IP address: x", refused("six", req6("six", "", "", List.of("x"))));
        assertDoesNotThrow(() -> modes.validate("six", req6("six", "10.6.0.5", "fd12:3456:789a::5",
                List.of("169.254.1.1", "fe80::5")), null, null, false));
    }

    @Test
    void moreEndpointsAtCreateAreCheckedAsAtConnect() {
        Map<String, EndpointConfig> m = new java.util.LinkedHashMap<>();
        m.put("six", new EndpointConfig("six", "", List.of(), ""));
        m.put("web", new EndpointConfig("web", "", List.of(), "", "fd12:3456:789a::5", List.of()));
        assertEquals("user specified IP address is supported only when connecting to networks with user configured"
                + " subnets", refused("six", new NetworkRequest(m, List.of(), "")));
        m.put("web", new EndpointConfig("web", "10.5.0.9", List.of("w"), ""));
        NetworkRequest ok = new NetworkRequest(m, List.of(), "");
        assertEquals(List.of("web"), List.copyOf(ok.extras("six").keySet()));
        assertDoesNotThrow(() -> modes.validate("six", ok, null, null, false));
        m.put("host", new EndpointConfig("host", "", List.of(), ""));
        assertEquals("conflicting options: cannot attach both user-defined and non-user-defined network-modes",
                refused("six", new NetworkRequest(m, List.of(), "")));
        // the CLI keys the one entry of the default mode "default"
        NetworkRequest single = new NetworkRequest(Map.of("bridge", new EndpointConfig("bridge", "", List.of(), "")),
                List.of(), "");
        assertEquals(Map.of(), single.extras("default"));
    }

    @Test
    void ipv6HostAddressesNeedANetworkWithIpv6AndNotLoopback() {
        Map<String, Object> any6 = Map.of("80/tcp", List.of(Map.of("HostIp", "::", "HostPort", "8080")));
        NetworkRequest web = req("web", "", List.of(), "", List.of());
        PouchException e = assertThrows(PouchException.class, () -> modes.validate("web", web, any6, null, false));
        assertEquals("invalid HostIp :: of 80/tcp: publishing on an IPv6 address needs a network with IPv6"
                + " (EnableIPv6)", e.getMessage());
        NetworkRequest six = req("six", "", List.of(), "", List.of());
        assertDoesNotThrow(() -> modes.validate("six", six, any6, null, false));
        Map<String, Object> lo6 = Map.of("80/tcp", List.of(Map.of("HostIp", "[::1]", "HostPort", "8080")));
        PouchException lo = assertThrows(PouchException.class, () -> modes.validate("six", six, lo6, null, false));
        assertEquals(400, lo.status());
        assertTrue(lo.getMessage().startsWith("invalid HostIp ::1 of 80/tcp: a port on the IPv6 loopback address needs"
                + " a userland proxy"), lo.getMessage());
    }
}
