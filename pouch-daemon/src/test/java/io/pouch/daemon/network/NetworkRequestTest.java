package io.pouch.daemon.network;

import io.pouch.api.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NetworkRequestTest {
    @Test
    void readsEndpointsLinksAndMacFromACreateBody() throws Exception {
        NetworkRequest r = NetworkRequest.fromCreateBody(Json.MAPPER.readTree("""
                {"Image":"busybox","MacAddress":"02:42:00:00:00:09","HostConfig":{"NetworkMode":"net1",
                 "Links":["/web:/me/webby"]},
                 "NetworkingConfig":{"EndpointsConfig":{"net1":{"IPAMConfig":{"IPv4Address":"10.231.3.4"},
                 "Aliases":["a","b"],"MacAddress":null,"GwPriority":0,"DNSNames":null}}}}"""));
        assertEquals(List.of("/web:/me/webby"), r.links());
        EndpointConfig e = r.forMode("net1");
        assertEquals("10.231.3.4", e.ipv4Address());
        assertEquals(List.of("a", "b"), e.aliases());
        assertEquals("02:42:00:00:00:09", e.macAddress());
    }

    @Test
    void toleratesNullsAndTheDefaultKey() throws Exception {
        NetworkRequest r = NetworkRequest.fromCreateBody(Json.MAPPER.readTree("""
                {"Image":"busybox","HostConfig":{"Links":null},"NetworkingConfig":{"EndpointsConfig":{"default":{}}}}"""));
        assertEquals(List.of(), r.links());
        assertEquals("", r.forMode("default").ipv4Address());
        assertEquals(NetworkRequest.EMPTY, NetworkRequest.fromCreateBody(Json.MAPPER.readTree("{\"NetworkingConfig\":null}")));
    }

    @Test
    void readsIpv6AndLinkLocalAddressesAndTheCliRepeatedLinks() throws Exception {
        NetworkRequest r = NetworkRequest.fromCreateBody(Json.MAPPER.readTree("""
                {"HostConfig":{"NetworkMode":"n","Links":["a:b"]},"NetworkingConfig":{"EndpointsConfig":{"n":{
                 "IPAMConfig":{"IPv6Address":"fd00::5","LinkLocalIPs":["169.254.1.1"]},"Links":["a:b","c:d"],
                 "DriverOpts":{},"GwPriority":0}}}}"""));
        EndpointConfig e = r.forMode("n");
        assertEquals("fd00::5", e.ipv6Address());
        assertEquals(List.of("169.254.1.1"), e.linkLocalIps());
        assertEquals(List.of("a:b", "c:d"), r.links());
    }

    @Test
    void driverOptsAndAGatewayPriorityAreRefusedWithTheirNames() throws Exception {
        io.pouch.api.PouchException opts = org.junit.jupiter.api.Assertions.assertThrows(
                io.pouch.api.PouchException.class, () -> NetworkRequest.endpoint("n",
                        Json.MAPPER.readTree("{\"DriverOpts\":{\"k\":\"v\"}}")));
        assertEquals(400, opts.status());
        assertEquals("DriverOpts k of network n is not supported: the bridge driver has no endpoint options",
                opts.getMessage());
        io.pouch.api.PouchException gw = org.junit.jupiter.api.Assertions.assertThrows(
                io.pouch.api.PouchException.class, () -> NetworkRequest.endpoint("n",
                        Json.MAPPER.readTree("{\"GwPriority\":10}")));
        assertEquals(400, gw.status());
        assertEquals("GwPriority 10 of network n is not supported by pouchd: the default route is through the first"
                + " network", gw.getMessage());
    }
}
