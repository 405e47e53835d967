package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PortSpecsTest {
    @Test
    void cliSyntax() {
        assertEquals(Map.of("80/tcp", List.of(Map.of("HostIp", "", "HostPort", ""))), PortSpecs.parse("80"));
        assertEquals(Map.of("80/tcp", List.of(Map.of("HostIp", "", "HostPort", "8080"))), PortSpecs.parse("8080:80"));
        assertEquals(Map.of("53/udp", List.of(Map.of("HostIp", "127.0.0.1", "HostPort", "5353"))),
                PortSpecs.parse("127.0.0.1:5353:53/udp"));
        assertEquals(Map.of("80/tcp", List.of(Map.of("HostIp", "127.0.0.1", "HostPort", ""))),
                PortSpecs.parse("127.0.0.1::80"));
        var r = PortSpecs.parse("8000-8001:80-81");
        assertEquals(List.of(Map.of("HostIp", "", "HostPort", "8000")), r.get("80/tcp"));
        assertEquals(List.of(Map.of("HostIp", "", "HostPort", "8001")), r.get("81/tcp"));
        assertEquals(List.of(Map.of("HostIp", "", "HostPort", "9000-9010")), PortSpecs.parse("9000-9010:80").get("80/tcp"));
    }

    @Test
    void cliSyntaxErrors() {
        for (String bad : new String[] {"", "x", "80/icmp", "8000-8002:80-81", "1.2.3:80:80", "70000:80", "80:0"}) {
            assertEquals(400, assertThrows(PouchException.class, () -> PortSpecs.parse(bad), bad).status(), bad);
        }
    }

    @Test
    void apiBindingsAndPublishAll() {
        Map<String, Object> b = Map.of("80/tcp", List.of(Map.of("HostIp", "0.0.0.0", "HostPort", "8080")),
                "53/udp", List.of(Map.of("HostIp", "127.0.0.1", "HostPort", "")));
        List<PortSpecs.Request> r = PortSpecs.requests(b, Map.of("80/tcp", Map.of(), "443/tcp", Map.of()), true);
        assertEquals(3, r.size());
        assertEquals(true, r.contains(new PortSpecs.Request("tcp", 80, "", 8080, 8080)));
        assertEquals(true, r.contains(new PortSpecs.Request("udp", 53, "127.0.0.1", 0, 0)));
        assertEquals(true, r.contains(new PortSpecs.Request("tcp", 443, "", 0, 0)));
        assertEquals(List.of(), PortSpecs.requests(null, Map.of("80/tcp", Map.of()), false));
        assertEquals(400, assertThrows(PouchException.class, () -> PortSpecs.requests(
                Map.of("80/tcp", List.of(Map.of("HostPort", "abc"))), null, false)).status());
        assertEquals(400, assertThrows(PouchException.class, () -> PortSpecs.requests(
                Map.of("80/tcp", List.of(Map.of("HostIp", "300.1.1.1"))), null, false)).status());
        assertEquals(400, assertThrows(PouchException.class, () -> PortSpecs.requests(
                Map.of("x/tcp", List.of()), null, false)).status());
    }

    @Test
    void ipv6HostAddressesAreReadInCanonicalForm() {
        List<PortSpecs.Request> r = PortSpecs.requests(Map.of("80/tcp", List.of(Map.of("HostIp", "[0::0]",
                "HostPort", "8080"), Map.of("HostIp", "FD00:0::5", "HostPort", "8081"))), null, false);
        assertEquals(List.of("::", "fd00::5"), r.stream().map(PortSpecs.Request::hostIp).toList());
        assertThrows(PouchException.class, () -> PortSpecs.requests(Map.of("80/tcp", List.of(Map.of("HostIp", "fd00:::5",
                "HostPort", "8080"))), null, false));
    }

    @Test
    void hostBindingIpv4IsTheDefaultHostAddressAndIpv6OnesNeedAnIpv6Endpoint() {
        List<PortSpecs.Request> reqs = List.of(new PortSpecs.Request("tcp", 80, "", 0, 0),
                new PortSpecs.Request("tcp", 81, "127.0.0.1", 0, 0), new PortSpecs.Request("tcp", 82, "::", 0, 0));
        assertEquals(List.of("10.0.0.5", "127.0.0.1", "::"), PortSpecs.withHostIp(reqs, "10.0.0.5", true).stream()
                .map(PortSpecs.Request::hostIp).toList());
        assertEquals(List.of("", "127.0.0.1"), PortSpecs.withHostIp(reqs, "", false).stream()
                .map(PortSpecs.Request::hostIp).toList());
    }
}
