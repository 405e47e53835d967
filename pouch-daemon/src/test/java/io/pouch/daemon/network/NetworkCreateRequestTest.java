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

    @Test
    void ipamOfOneSubnet() throws Exception {
        assertEquals(new NetworkCreateRequest.Ipam("10.1.0.0/16", "10.1.0.254", "10.1.2.0/24"),
                ipam("[{\"Subnet\":\"10.1.0.0/16\",\"Gateway\":\"10.1.0.254\",\"IPRange\":\"10.1.2.0/24\"}]"));
        assertEquals(new NetworkCreateRequest.Ipam("10.1.0.0/16", "", ""), ipam("[{\"Subnet\":\"10.1.0.0/16\"}]"));
    }

    @Test
    void noConfigAsksForNothing() throws Exception {
        assertEquals(NetworkCreateRequest.Ipam.NONE, ipam("[]"));
        assertEquals(NetworkCreateRequest.Ipam.NONE, ipam("null"));
        assertEquals(NetworkCreateRequest.Ipam.NONE, ipam("{\"Subnet\":\"10.1.0.0/16\"}"));
        assertEquals(NetworkCreateRequest.Ipam.NONE, NetworkCreateRequest.Ipam.parse(null));
    }

    @Test
    void ipv6IsRefused() {
        PouchException e = assertThrows(PouchException.class, () -> ipam("[{\"Subnet\":\"fd00::/64\"}]"));
        assertEquals(400, e.status());
        assertEquals("IPv6 subnets are not supported by pouchd yet: fd00::/64", e.getMessage());
        // also behind an IPv4 one
        assertThrows(PouchException.class, () -> ipam("[{\"Subnet\":\"10.1.0.0/16\"},{\"Subnet\":\"fd00::/64\"}]"));
    }

    @Test
    void aSecondSubnetIsRefused() {
        PouchException e = assertThrows(PouchException.class,
                () -> ipam("[{\"Subnet\":\"10.1.0.0/16\"},{\"Subnet\":\"10.2.0.0/16\"}]"));
        assertEquals(400, e.status());
        assertEquals("only one IPv4 subnet per network is supported", e.getMessage());
    }

    @Test
    void anEntryWithoutSubnetIsReplacedByTheNextOne() throws Exception {
        assertEquals(new NetworkCreateRequest.Ipam("10.2.0.0/16", "", ""),
                ipam("[{\"Gateway\":\"10.1.0.1\"},{\"Subnet\":\"10.2.0.0/16\"}]"));
        assertEquals(new NetworkCreateRequest.Ipam("", "10.1.0.1", ""), ipam("[{\"Gateway\":\"10.1.0.1\"}]"));
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
        assertTrue(r.checkDuplicate());
        NetworkCreateRequest empty = NetworkCreateRequest.fromBody(json("{}"));
        assertEquals(new NetworkCreateRequest("", "", "", "", "", false, Map.of(), Map.of(), true), empty);
        assertFalse(empty.internal());
    }
}
