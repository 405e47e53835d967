package io.pouch.cli.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import io.pouch.cli.container.ContainerOptions;
import io.pouch.cli.container.CreateRequest;
import io.pouch.cli.container.RunCommand;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkFlagsTest {
    private static ObjectNode[] ports(List<String> publish, List<String> expose) {
        ObjectNode exposed = Json.MAPPER.createObjectNode();
        ObjectNode bindings = Json.MAPPER.createObjectNode();
        PortFlags.apply(publish, expose, exposed, bindings);
        return new ObjectNode[]{exposed, bindings};
    }

    @Test
    void publishForms() {
        ObjectNode[] r = ports(List.of("8080:80", "127.0.0.1::81", "82", "127.0.0.1:9000:53/udp", "[::1]:9001:83"),
                List.of());
        assertEquals("{\"80/tcp\":{},\"81/tcp\":{},\"82/tcp\":{},\"53/udp\":{},\"83/tcp\":{}}", r[0].toString());
        assertEquals("[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]", r[1].get("80/tcp").toString());
        assertEquals("[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}]", r[1].get("81/tcp").toString());
        assertEquals("[{\"HostIp\":\"\",\"HostPort\":\"\"}]", r[1].get("82/tcp").toString());
        assertEquals("[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"9000\"}]", r[1].get("53/udp").toString());
        assertEquals("[{\"HostIp\":\"::1\",\"HostPort\":\"9001\"}]", r[1].get("83/tcp").toString());
    }

    @Test
    void rangesAndRepeatedPorts() {
        ObjectNode[] r = ports(List.of("7000-7001:80-81", "9000-9010:90", "100-101", "8080:80"), List.of());
        assertEquals("[{\"HostIp\":\"\",\"HostPort\":\"7000\"},{\"HostIp\":\"\",\"HostPort\":\"8080\"}]",
                r[1].get("80/tcp").toString());
        assertEquals("[{\"HostIp\":\"\",\"HostPort\":\"7001\"}]", r[1].get("81/tcp").toString());
        assertEquals("[{\"HostIp\":\"\",\"HostPort\":\"9000-9010\"}]", r[1].get("90/tcp").toString());
        assertTrue(r[1].has("100/tcp") && r[1].has("101/tcp"));
    }

    @Test
    void exposeAddsPortsWithoutBindings() {
        ObjectNode[] r = ports(List.of(), List.of("80", "53/udp", "7000-7002"));
        assertEquals("{\"80/tcp\":{},\"53/udp\":{},\"7000/tcp\":{},\"7001/tcp\":{},\"7002/tcp\":{}}",
                r[0].toString());
        assertTrue(r[1].isEmpty());
    }

    @Test
    void badSpecsAreRejectedWithExitCode125() {
        for (String bad : List.of("abc", "1:2:3:4", "8080:", "80/xyz", "70000", "90-80", "host:80:80",
                "7000-7002:80-81", "[::1:80")) {
            CliException e = assertThrows(CliException.class, () -> ports(List.of(bad), List.of()), bad);
            assertEquals(125, e.exitCode(), bad);
        }
        assertThrows(CliException.class, () -> ports(List.of(), List.of("1:80")));
    }

    private static JsonNode run(String... args) {
        RunCommand cmd = new RunCommand();
        new picocli.CommandLine(cmd).setStopAtPositional(true).parseArgs(args);
        return CreateRequest.build(cmdOptions(cmd), cmdImage(cmd), cmdCommand(cmd), false, Map.of());
    }

    // RunCommand's fields are package-private in io.pouch.cli.container; read them reflectively for this test
    private static ContainerOptions cmdOptions(RunCommand c) {
        return (ContainerOptions) field(c, "options");
    }

    private static String cmdImage(RunCommand c) {
        return (String) field(c, "image");
    }

    @SuppressWarnings("unchecked")
    private static List<String> cmdCommand(RunCommand c) {
        return (List<String>) field(c, "command");
    }

    private static Object field(Object o, String name) {
        try {
            var f = o.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return f.get(o);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void runFlagsLandWhereDockerPutsThem() {
        JsonNode body = run("-d", "--network", "net1", "--ip", "10.1.0.5", "--network-alias", "web",
                "--network-alias", "www", "--mac-address", "92:d0:c6:0a:29:33", "-p", "127.0.0.1::80", "-P",
                "--expose", "443", "--dns", "10.0.0.53", "--dns-search", "example.org", "--dns-option", "ndots:2",
                "--add-host", "db:10.0.0.9", "--add-host", "v6=::1", "--link", "other", "--link", "x:y",
                "busybox", "httpd");
        JsonNode hc = body.get("HostConfig");
        assertEquals("{\"443/tcp\":{},\"80/tcp\":{}}", body.get("ExposedPorts").toString());
        assertEquals("{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}]}", hc.get("PortBindings").toString());
        assertTrue(hc.get("PublishAllPorts").asBoolean());
        assertEquals("[\"10.0.0.53\"]", hc.get("Dns").toString());
        assertEquals("[\"example.org\"]", hc.get("DnsSearch").toString());
        assertEquals("[\"ndots:2\"]", hc.get("DnsOptions").toString());
        assertEquals("[\"db:10.0.0.9\",\"v6:::1\"]", hc.get("ExtraHosts").toString());
        assertEquals("[\"other:other\",\"x:y\"]", hc.get("Links").toString());
        assertEquals("net1", hc.get("NetworkMode").asText());
        JsonNode ep = body.at("/NetworkingConfig/EndpointsConfig/net1");
        assertEquals("10.1.0.5", ep.at("/IPAMConfig/IPv4Address").asText());
        assertEquals("[\"web\",\"www\"]", ep.get("Aliases").toString());
        assertEquals("92:d0:c6:0a:29:33", ep.get("MacAddress").asText());
    }

    @Test
    void noNetworkFlagsLeaveTheBodyAsBefore() {
        JsonNode body = run("busybox");
        assertTrue(!body.has("ExposedPorts") && !body.get("HostConfig").has("PortBindings"));
        assertEquals("{}", body.at("/NetworkingConfig/EndpointsConfig/default").toString());
    }

    @Test
    void badNetworkFlagValues() {
        for (String[] bad : List.of(new String[]{"--dns", "resolver"}, new String[]{"--add-host", "nocolon"},
                new String[]{"--add-host", "h:notanip"}, new String[]{"--ip", "10.1"},
                new String[]{"--mac-address", "zz"}, new String[]{"--link", "a:b:c"})) {
            CliException e = assertThrows(CliException.class, () -> run(bad[0], bad[1], "busybox"), bad[0]);
            assertEquals(125, e.exitCode());
        }
    }

    @Test
    void networkConnectBody() {
        assertEquals("{\"Container\":\"c\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"10.5.0.9\"},"
                + "\"Aliases\":[\"x\"]}}", NetworkCommands.connectBody("c", "10.5.0.9", List.of("x"), List.of())
                .toString());
    }

    @Test
    void portLines() throws Exception {
        JsonNode ports = Json.MAPPER.readTree("{\"443/tcp\":null,\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":"
                + "\"32768\"},{\"HostIp\":\"::\",\"HostPort\":\"32769\"}],\"53/udp\":[{\"HostIp\":\"0.0.0.0\","
                + "\"HostPort\":\"5353\"}]}");
        assertEquals(List.of("53/udp -> 0.0.0.0:5353\n", "80/tcp -> 127.0.0.1:32768\n", "80/tcp -> [::]:32769\n"),
                PortCommand.lines(ports, null, "c"));
        assertEquals(List.of("127.0.0.1:32768\n", "[::]:32769\n"), PortCommand.lines(ports, "80", "c"));
        CliException e = assertThrows(CliException.class, () -> PortCommand.lines(ports, "443/tcp", "c"));
        assertEquals("No public port '443/tcp' published for c", e.getMessage());
        assertEquals(1, e.exitCode());
    }

    @Test
    void lsRowsAreSortedAndTruncated() throws Exception {
        JsonNode list = Json.MAPPER.readTree("[{\"Name\":\"z\",\"Id\":\"0123456789abcdef0123\",\"Driver\":\"bridge\","
                + "\"Scope\":\"local\"},{\"Name\":\"a\",\"Id\":\"fedcba9876543210\",\"Driver\":\"host\"}]");
        var rows = NetworkCommands.Ls.rows(list, false);
        assertEquals("a", rows.get(0).get("Name").asText());
        assertEquals("0123456789ab", rows.get(1).get("ID").asText());
        assertEquals("0123456789abcdef0123", NetworkCommands.Ls.rows(list, true).get(1).get("ID").asText());
    }
}
