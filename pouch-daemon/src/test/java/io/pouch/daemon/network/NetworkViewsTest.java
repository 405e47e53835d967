package io.pouch.daemon.network;

import io.pouch.api.Json;
import io.pouch.api.container.ContainerSummary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The JSON of the views, pinned: the expected strings are what the hand-built maps of the earlier NetworkManager
 * and NetworkRoutes produced for the same state (captured before they became records), field for field, in the
 * same order, with the same fields left out. One difference: a port binding's HostIp and HostPort came from a
 * two-entry Map.of, whose order is unspecified; the record writes Docker's order (HostIp first).
 */
class NetworkViewsTest {
    static final String B = "b".repeat(64);
    static final String H = "h".repeat(64);
    static final String U = "u".repeat(64);
    static final String C1 = "1".repeat(64);
    static final String C2 = "2".repeat(64);
    static final String C3 = "3".repeat(64);
    static final Path NETNS = Path.of("/run/pouch/netns");

    NetworkStore store;
    ContainerNets containers;
    NetworkViews views;
    NetworkRecord bridge;
    NetworkRecord host;
    NetworkRecord user;
    Map<String, Object> exposed;

    @BeforeEach
    void state() {
        store = new NetworkStore(Path.of("/nonexistent/network"));
        containers = new ContainerNets(Path.of("/nonexistent/network/containers"));
        views = new NetworkViews(store, containers, new DataPlane(NETNS));
        Map<String, String> bridgeOptions = new LinkedHashMap<>();
        bridgeOptions.put("com.docker.network.bridge.default_bridge", "true");
        bridgeOptions.put("com.docker.network.bridge.name", "p0");
        bridge = new NetworkRecord(B, "bridge", "bridge", "2026-01-02T03:04:05.123456Z", "p0", "192.168.5.0/24",
                "192.168.5.1", "", false, Map.of(), bridgeOptions);
        host = new NetworkRecord(H, "host", "host", "2026-01-02T03:04:05Z", "", "", "", "", false, Map.of(), Map.of());
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("a", "1");
        labels.put("b", "2");
        user = new NetworkRecord(U, "web", "bridge", "2026-01-02T03:04:05Z", "br-uuuuuuuuuuuu", "10.231.0.0/16",
                "10.231.0.1", "10.231.5.0/24", true, labels, Map.of("com.docker.network.driver.mtu", "1400"));
        store.put(bridge);
        store.put(host);
        store.put(user);
        // running on the default bridge with published ports and a link
        EndpointRecord e1 = new EndpointRecord(B, "bridge", "e".repeat(64), "eth0", "veth1234567", "192.168.5.2", 24,
                "192.168.5.1", "02:42:c0:a8:05:02", List.of(),
                List.of(new PortMapping("tcp", 80, "", 8080), new PortMapping("udp", 53, "127.0.0.1", 5353),
                        new PortMapping("tcp", 80, "127.0.0.1", 8081)));
        Map<String, EndpointConfig> w1 = new LinkedHashMap<>();
        w1.put(B, new EndpointConfig("bridge", "", List.of(), ""));
        containers.put(new ContainerNet(C1, "one", "default", w1, List.of("/two:db"), List.of(e1)));
        // running on the user network with an asked address and alias; wants the default bridge too
        EndpointRecord e2 = new EndpointRecord(U, "web", "f".repeat(64), "eth0", "veth7654321", "10.231.5.9", 16,
                "10.231.0.1", "02:42:0a:e7:05:09", List.of("api", "222222222222"), List.of());
        Map<String, EndpointConfig> w2 = new LinkedHashMap<>();
        w2.put(U, new EndpointConfig("web", "10.231.5.9", List.of("api"), ""));
        w2.put(B, new EndpointConfig("bridge", "", List.of(), ""));
        containers.put(new ContainerNet(C2, "two", "web", w2, List.of(), List.of(e2)));
        // stopped, with what it asked for, and a network that does not exist
        Map<String, EndpointConfig> w3 = new LinkedHashMap<>();
        w3.put(U, new EndpointConfig("web", "10.231.5.7", List.of("x", "y"), "02:42:aa:bb:cc:dd"));
        w3.put("unknown:gone", new EndpointConfig("gone", "", List.of(), ""));
        containers.put(new ContainerNet(C3, "three", "web", w3, List.of(), List.of()));
        exposed = new LinkedHashMap<>();
        exposed.put("80/tcp", Map.of());
        exposed.put("443", Map.of());
        exposed.put("53/udp", Map.of());
    }

    static String json(Object o) throws Exception {
        return Json.MAPPER.writeValueAsString(o);
    }

    @Test
    void networkInspectOfTheDefaultBridgeWithAContainer() throws Exception {
        assertEquals("{\"Name\":\"bridge\",\"Id\":\"" + B + "\",\"Created\":\"2026-01-02T03:04:05.123456Z\","
                + "\"Scope\":\"local\",\"Driver\":\"bridge\",\"EnableIPv4\":true,\"EnableIPv6\":false,"
                + "\"IPAM\":{\"Driver\":\"default\",\"Options\":{},\"Config\":[{\"Subnet\":\"192.168.5.0/24\","
                + "\"Gateway\":\"192.168.5.1\"}]},\"Internal\":false,\"Attachable\":false,\"Ingress\":false,"
                + "\"ConfigFrom\":{\"Network\":\"\"},\"ConfigOnly\":false,\"Containers\":{\"" + C1 + "\":{"
                + "\"Name\":\"one\",\"EndpointID\":\"" + "e".repeat(64) + "\",\"MacAddress\":\"02:42:c0:a8:05:02\","
                + "\"IPv4Address\":\"192.168.5.2/24\",\"IPv6Address\":\"\"}},"
                + "\"Options\":{\"com.docker.network.bridge.default_bridge\":\"true\","
                + "\"com.docker.network.bridge.name\":\"p0\"},\"Labels\":{}}", json(views.inspect(bridge)));
    }

    @Test
    void networkInspectOfHostHasNoIpamConfig() throws Exception {
        assertEquals("{\"Name\":\"host\",\"Id\":\"" + H + "\",\"Created\":\"2026-01-02T03:04:05Z\","
                + "\"Scope\":\"local\",\"Driver\":\"host\",\"EnableIPv4\":true,\"EnableIPv6\":false,"
                + "\"IPAM\":{\"Driver\":\"default\",\"Options\":{},\"Config\":[]},\"Internal\":false,\"Attachable\":false,"
                + "\"Ingress\":false,\"ConfigFrom\":{\"Network\":\"\"},\"ConfigOnly\":false,\"Containers\":{},"
                + "\"Options\":{},\"Labels\":{}}", json(views.inspect(host)));
    }

    @Test
    void networkInspectOfAnInternalUserNetworkWithARange() throws Exception {
        assertEquals("{\"Name\":\"web\",\"Id\":\"" + U + "\",\"Created\":\"2026-01-02T03:04:05Z\","
                + "\"Scope\":\"local\",\"Driver\":\"bridge\",\"EnableIPv4\":true,\"EnableIPv6\":false,"
                + "\"IPAM\":{\"Driver\":\"default\",\"Options\":{},\"Config\":[{\"Subnet\":\"10.231.0.0/16\","
                + "\"IPRange\":\"10.231.5.0/24\",\"Gateway\":\"10.231.0.1\"}]},\"Internal\":true,"
                + "\"Attachable\":false,\"Ingress\":false,\"ConfigFrom\":{\"Network\":\"\"},\"ConfigOnly\":false,"
                + "\"Containers\":{\"" + C2 + "\":{\"Name\":\"two\",\"EndpointID\":\"" + "f".repeat(64) + "\","
                + "\"MacAddress\":\"02:42:0a:e7:05:09\",\"IPv4Address\":\"10.231.5.9/16\",\"IPv6Address\":\"\"}},"
                + "\"Options\":{\"com.docker.network.driver.mtu\":\"1400\"},\"Labels\":{\"a\":\"1\",\"b\":\"2\"}}",
                json(views.inspect(user)));
    }

    static final String BRIDGE_ENDPOINT_OF_ONE = "{\"Links\":[\"/two:db\"],\"MacAddress\":\"02:42:c0:a8:05:02\","
            + "\"NetworkID\":\"" + B + "\",\"EndpointID\":\"" + "e".repeat(64) + "\",\"Gateway\":\"192.168.5.1\","
            + "\"IPAddress\":\"192.168.5.2\",\"IPPrefixLen\":24,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\","
            + "\"GlobalIPv6PrefixLen\":0}";

    @Test
    void containerSettingsOnTheDefaultBridgeWithPorts() throws Exception {
        String expected = "{\"Bridge\":\"\",\"SandboxID\":\"" + C1 + "\",\"HairpinMode\":false,"
                + "\"LinkLocalIPv6Address\":\"\",\"LinkLocalIPv6PrefixLen\":0,\"Ports\":{\"80/tcp\":["
                + "{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"},{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8081\"}],"
                + "\"53/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"5353\"}]},"
                + "\"SandboxKey\":\"/run/pouch/netns/" + C1 + "\",\"SecondaryIPAddresses\":null,"
                + "\"SecondaryIPv6Addresses\":null,\"EndpointID\":\"" + "e".repeat(64) + "\","
                + "\"Gateway\":\"192.168.5.1\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,"
                + "\"IPAddress\":\"192.168.5.2\",\"IPPrefixLen\":24,\"IPv6Gateway\":\"\","
                + "\"MacAddress\":\"02:42:c0:a8:05:02\",\"Networks\":{\"bridge\":" + BRIDGE_ENDPOINT_OF_ONE + "}}";
        assertEquals(expected, json(views.settings(C1, exposed)));
        assertEquals(expected, json(views.settings(C1, null)));
        assertEquals("{\"bridge\":" + BRIDGE_ENDPOINT_OF_ONE + "}", json(views.endpoints(C1)));
    }

    static final String BRIDGE_ENDPOINT_OF_TWO = "\"bridge\":{\"MacAddress\":\"\",\"NetworkID\":\"" + B + "\","
            + "\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\","
            + "\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0}";
    static final String WEB_ENDPOINT_OF_TWO = "\"web\":{\"IPAMConfig\":{\"IPv4Address\":"
            + "\"10.231.5.9\"},\"Aliases\":[\"api\",\"222222222222\"],\"MacAddress\":\"02:42:0a:e7:05:09\","
            + "\"NetworkID\":\"" + U + "\",\"EndpointID\":\"" + "f".repeat(64) + "\",\"Gateway\":\"10.231.0.1\","
            + "\"IPAddress\":\"10.231.5.9\",\"IPPrefixLen\":16,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\","
            + "\"GlobalIPv6PrefixLen\":0,\"DNSNames\":[\"two\",\"api\",\"222222222222\"]}";

    /** Networks come in the order of the container's record (which keeps no insertion order: Map.copyOf). */
    String endpointsOfTwo() {
        List<String> entries = containers.get(C2).wanted().keySet().stream()
                .map(id -> id.equals(B) ? BRIDGE_ENDPOINT_OF_TWO : WEB_ENDPOINT_OF_TWO).toList();
        return "{" + String.join(",", entries) + "}";
    }

    @Test
    void containerSettingsOnAUserNetworkShowDnsNamesAndTheAskedAddress() throws Exception {
        String expected = "{\"Bridge\":\"\",\"SandboxID\":\"" + C2 + "\",\"HairpinMode\":false,"
                + "\"LinkLocalIPv6Address\":\"\",\"LinkLocalIPv6PrefixLen\":0,\"Ports\":{},"
                + "\"SandboxKey\":\"/run/pouch/netns/" + C2 + "\",\"SecondaryIPAddresses\":null,"
                + "\"SecondaryIPv6Addresses\":null,\"EndpointID\":\"\",\"Gateway\":\"\",\"GlobalIPv6Address\":\"\","
                + "\"GlobalIPv6PrefixLen\":0,\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\","
                + "\"MacAddress\":\"\",\"Networks\":" + endpointsOfTwo() + "}";
        assertEquals(expected, json(views.settings(C2, exposed)));
        assertEquals(endpointsOfTwo(), json(views.endpoints(C2)));
    }

    static final String ENDPOINTS_OF_THREE = "{\"web\":{\"IPAMConfig\":{\"IPv4Address\":\"10.231.5.7\"},"
            + "\"Aliases\":[\"x\",\"y\"],\"MacAddress\":\"02:42:aa:bb:cc:dd\",\"NetworkID\":\"" + U + "\","
            + "\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\","
            + "\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0}}";

    @Test
    void aStoppedContainerShowsWhatItAskedForAndNoSandbox() throws Exception {
        String expected = "{\"Bridge\":\"\",\"SandboxID\":\"\",\"HairpinMode\":false,\"LinkLocalIPv6Address\":\"\","
                + "\"LinkLocalIPv6PrefixLen\":0,\"Ports\":{},\"SandboxKey\":\"\",\"SecondaryIPAddresses\":null,"
                + "\"SecondaryIPv6Addresses\":null,\"EndpointID\":\"\",\"Gateway\":\"\",\"GlobalIPv6Address\":\"\","
                + "\"GlobalIPv6PrefixLen\":0,\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\","
                + "\"MacAddress\":\"\",\"Networks\":" + ENDPOINTS_OF_THREE + "}";
        assertEquals(expected, json(views.settings(C3, exposed)));
        assertEquals(ENDPOINTS_OF_THREE, json(views.endpoints(C3)));
    }

    @Test
    void anUnknownContainerIsUnattached() throws Exception {
        String expected = "{\"Bridge\":\"\",\"SandboxID\":\"\",\"HairpinMode\":false,\"LinkLocalIPv6Address\":\"\","
                + "\"LinkLocalIPv6PrefixLen\":0,\"Ports\":{},\"SandboxKey\":\"\",\"SecondaryIPAddresses\":null,"
                + "\"SecondaryIPv6Addresses\":null,\"EndpointID\":\"\",\"Gateway\":\"\",\"GlobalIPv6Address\":\"\","
                + "\"GlobalIPv6PrefixLen\":0,\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\","
                + "\"MacAddress\":\"\",\"Networks\":{}}";
        assertEquals(expected, json(views.settings("4".repeat(64), exposed)));
        assertEquals("{}", json(views.endpoints("4".repeat(64))));
    }

    @Test
    void summaryPortsListPublishedThenExposedOnly() throws Exception {
        assertEquals("[{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"},"
                + "{\"IP\":\"127.0.0.1\",\"PrivatePort\":53,\"PublicPort\":5353,\"Type\":\"udp\"},"
                + "{\"IP\":\"127.0.0.1\",\"PrivatePort\":80,\"PublicPort\":8081,\"Type\":\"tcp\"},"
                + "{\"PrivatePort\":443,\"Type\":\"tcp\"}]", json(views.summaryPorts(C1, exposed)));
        String exposedOnly = "[{\"PrivatePort\":80,\"Type\":\"tcp\"},{\"PrivatePort\":443,\"Type\":\"tcp\"},"
                + "{\"PrivatePort\":53,\"Type\":\"udp\"}]";
        assertEquals(exposedOnly, json(views.summaryPorts(C2, exposed)));
        assertEquals(exposedOnly, json(views.summaryPorts("4".repeat(64), exposed)));
        assertEquals("[]", json(views.summaryPorts(C3, null)));
    }

    @Test
    void anExposedKeyThatIsNotAPortIsLeftOut() throws Exception {
        assertEquals("[{\"PrivatePort\":22,\"Type\":\"tcp\"}]",
                json(views.summaryPorts(C3, Map.of("22/tcp", Map.of(), "x/tcp", Map.of(), "80/ipx", Map.of()))));
    }

    @Test
    void theContainerListEmbedsTheSameShapes() throws Exception {
        ContainerSummary.SummaryNetworkSettings s = new ContainerSummary.SummaryNetworkSettings(
                Map.copyOf(views.endpoints(C3)));
        assertEquals("{\"Networks\":" + ENDPOINTS_OF_THREE + "}", json(s));
    }
}
