package io.pouch.daemon.cri.cni;

import io.pouch.api.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CniResultsTest {
    @Test
    void bridgeResultTakesThePodSideOnlyIpv4First() throws Exception {
        assertEquals(List.of("10.88.0.5", "fd00::5"), CniResults.podIps(Json.MAPPER.readTree("""
                {"cniVersion":"1.0.0",
                 "interfaces":[{"name":"cni0","mac":"aa"},{"name":"veth1","mac":"bb"},
                               {"name":"eth0","mac":"cc","sandbox":"/var/run/netns/x"}],
                 "ips":[{"address":"fd00::5/64","interface":2},{"address":"10.88.0.5/16","gateway":"10.88.0.1","interface":2},
                        {"address":"10.99.0.1/24","interface":0}]}""")));
    }

    @Test
    void addressesWithoutInterfaceAndOldVersions() throws Exception {
        assertEquals(List.of("10.1.0.2"), CniResults.podIps(Json.MAPPER.readTree(
                "{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":\"4\",\"address\":\"10.1.0.2/24\"}]}")));
        assertEquals(List.of("10.2.0.2", "fd01::2"), CniResults.podIps(Json.MAPPER.readTree(
                "{\"cniVersion\":\"0.2.0\",\"ip4\":{\"ip\":\"10.2.0.2/24\"},\"ip6\":{\"ip\":\"fd01::2/64\"}}")));
        assertEquals(List.of(), CniResults.podIps(null));
    }
}
