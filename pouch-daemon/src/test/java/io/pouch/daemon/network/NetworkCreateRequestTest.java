package io.pouch.daemon.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkCreateRequestTest {
    static JsonNode json(String s) throws Exception {
        return Json.MAPPER.readTree(s);
    }

    static NetworkCreateRequest.Ipam ipam(String config) throws Exception {
        return NetworkCreateRequest.Ipam.parse(json(config));
    }

    static NetworkCreateRequest.Ipam v4(String subnet, String gw, String range) {
        return new NetworkCreateRequest.Ipam(new NetworkCreateRequest.Pool(subnet, gw, range, Map.of()),
                NetworkCreateRequest.Pool.NONE);
    }

    @Test
    void ipamOfOneSubnet() throws Exception {
        assertEquals(v4("10.1.0.0/16", "10.1.0.254", "10.1.2.0/24"),
                ipam("[{\"Subnet\":\"10.1.0.0/16\",\"Gateway\":\"10.1.0.254\",\"IPRange\":\"10.1.2.0/24\"}]"));
        assertEquals(v4("10.1.0.0/16", "", ""), ipam("[{\"Subnet\":\"10.1.0.0/16\"}]"));
    }

    @Test
    void noConfigAsksForNothing() throws Exception {
        assertEquals(NetworkCreateRequest.Ipam.NONE, ipam("[]"));
        assertEquals(NetworkCreateRequest.Ipam.NONE, ipam("null"));
        assertEquals(NetworkCreateRequest.Ipam.NONE, ipam("{\"Subnet\":\"10.1.0.0/16\"}"));
        assertEquals(NetworkCreateRequest.Ipam.NONE, NetworkCreateRequest.Ipam.parse(null));
    }

    @Test
    void anIpv6EntryGoesToItsOwnPoolWithItsAuxiliaryAddresses() throws Exception {
        NetworkCreateRequest.Ipam i = ipam("[{\"Subnet\":\"10.1.0.0/16\",\"AuxiliaryAddresses\":{\"a\":\"10.1.0.9\"}},"
                + "{\"Subnet\":\"fd00:1::/64\",\"Gateway\":\"fd00:1::fe\",\"IPRange\":\"fd00:1::/80\","
                + "\"AuxiliaryAddresses\":{\"r\":\"fd00:1::5\"}}]");
        assertEquals(new NetworkCreateRequest.Pool("10.1.0.0/16", "", "", Map.of("a", "10.1.0.9")), i.v4());
        assertEquals(new NetworkCreateRequest.Pool("fd00:1::/64", "fd00:1::fe", "fd00:1::/80",
                Map.of("r", "fd00:1::5")), i.v6());
        // an IPv6 entry alone leaves the IPv4 pool to the defaults
        assertEquals(NetworkCreateRequest.Pool.NONE, ipam("[{\"Subnet\":\"fd00::/64\"}]").v4());
    }

    @Test
    void aSecondSubnetOfAFamilyIsRefused() {
        for (String body : new String[] {"[{\"Subnet\":\"10.1.0.0/16\"},{\"Subnet\":\"10.2.0.0/16\"}]",
                "[{\"Subnet\":\"fd00:1::/64\"},{\"Subnet\":\"fd00:2::/64\"}]"}) {
            PouchException e = assertThrows(PouchException.class, () -> ipam(body));
            assertEquals(400, e.status());
            assertEquals("bridge driver doesn't support multiple subnets", e.getMessage());
        }
    }

    @Test
    void anEntryWithoutSubnetIsReplacedByTheNextOne() throws Exception {
        assertEquals(v4("10.2.0.0/16", "", ""),
                ipam("[{\"Gateway\":\"10.1.0.1\"},{\"Subnet\":\"10.2.0.0/16\"}]"));
        assertEquals(v4("", "10.1.0.1", ""), ipam("[{\"Gateway\":\"10.1.0.1\"}]"));
    }

    @Test
    void fromBodyReadsEveryField() throws Exception {
        NetworkCreateRequest r = NetworkCreateRequest.fromBody(json("{\"Name\":\"n\",\"EnableIPv6\":true,"
                + "\"Attachable\":true,\"Ingress\":true,\"ConfigOnly\":true,\"ConfigFrom\":{\"Network\":\"c\"},"
                + "\"Scope\":\"swarm\",\"IPAM\":{\"Driver\":\"x\",\"Options\":{\"o\":\"1\"}}}"));
        assertTrue(r.enableIpv6());
        assertTrue(r.attachable());
        assertTrue(r.ingress());
        assertTrue(r.configOnly());
        assertEquals("c", r.configFrom());
        assertEquals("swarm", r.scope());
        assertEquals("x", r.ipamDriver());
        assertEquals(Map.of("o", "1"), r.ipamOptions());
    }

    @Test
    void fromBodyIsLenientAsDockerd() throws Exception {
        NetworkCreateRequest r = NetworkCreateRequest.fromBody(json("{\"Name\":\"web\",\"Driver\":null,"
                + "\"Internal\":\"true\",\"Labels\":{\"n\":5,\"b\":true},\"Options\":[1],"
                + "\"IPAM\":{\"Driver\":\"default\",\"Config\":[{\"Subnet\":\"10.1.0.0/16\"}]}}"));
        assertEquals("web", r.name());
        assertEquals("", r.driver());
        assertTrue(r.internal());
        assertEquals(Map.of("n", "5", "b", "true"), r.labels());
        assertEquals(Map.of(), r.options());
        assertEquals("10.1.0.0/16", r.subnet());
        NetworkCreateRequest empty = NetworkCreateRequest.fromBody(json("{}"));
        assertEquals(new NetworkCreateRequest("", "", "", "", "", false, Map.of(), Map.of()), empty);
        assertFalse(empty.internal());
    }

    @Test
    void anIpv6OnlyNetworkIsRefused() throws Exception {
        JsonNode body = json("{\"Name\":\"n\",\"EnableIPv4\":false}");
        PouchException e = assertThrows(PouchException.class, () -> NetworkCreateRequest.fromBody(body));
        assertEquals(400, e.status());
        assertEquals("EnableIPv4=false is not supported by pouchd: its bridge networks always have IPv4",
                e.getMessage());
        assertEquals("n", NetworkCreateRequest.fromBody(json("{\"Name\":\"n\",\"EnableIPv4\":true}")).name());
    }
}
