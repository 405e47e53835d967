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
}
