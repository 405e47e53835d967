package io.pouch.daemon.cri.cni;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkConfigListTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aListKeepsItsPluginsInOrder() {
        NetworkConfigList l = NetworkConfigList.parseList(b("""
                {"cniVersion":"1.0.0","name":"pouch-cni","plugins":[
                  {"type":"bridge","bridge":"b0","ipam":{"type":"host-local","subnet":"10.88.0.0/16"}},
                  {"type":"portmap","capabilities":{"portMappings":true}}]}"""));
        assertEquals("pouch-cni", l.name());
        assertEquals("1.0.0", l.cniVersion());
        assertFalse(l.disableCheck());
        assertEquals(List.of("bridge", "portmap"), List.of(l.type(0), l.type(1)));
        assertEquals(List.of("bridge", "host-local", "portmap"), List.copyOf(l.binaries()));
        assertTrue(l.atLeast040());
    }

    @Test
    void aSingleConfBecomesAOnePluginList() {
        NetworkConfigList l = NetworkConfigList.parseSingle(b("""
                {"cniVersion":"0.3.1","name":"one","type":"bridge"}"""));
        assertEquals("one", l.name());
        assertEquals("0.3.1", l.cniVersion());
        assertEquals(1, l.plugins().size());
        assertEquals("bridge", l.type(0));
        assertFalse(l.atLeast040());
        assertEquals("one", l.raw().get("name").asText());
        assertEquals("bridge", l.raw().get("plugins").get(0).get("type").asText());
    }

    @Test
    void invalidConfigurationsSayWhatIsWrong() {
        assertEquals("no network name", assertThrows(IllegalArgumentException.class,
                () -> NetworkConfigList.parseList(b("{\"plugins\":[{\"type\":\"x\"}]}"))).getMessage());
        assertEquals("no plugins in network \"n\"", assertThrows(IllegalArgumentException.class,
                () -> NetworkConfigList.parseList(b("{\"name\":\"n\",\"plugins\":[]}"))).getMessage());
        assertEquals("plugin 0 of network \"n\" has no type", assertThrows(IllegalArgumentException.class,
                () -> NetworkConfigList.parseList(b("{\"name\":\"n\",\"plugins\":[{}]}"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> NetworkConfigList.parseList(b("{\"name\":\"n\",\"plugins\":[{\"type\":\"../sh\"}]}")))
                .getMessage().contains("invalid type \"../sh\""));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> NetworkConfigList.parseList(b("{\"name\":\"a b\",\"plugins\":[{\"type\":\"x\"}]}")))
                .getMessage().startsWith("invalid network name \"a b\""));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> NetworkConfigList.parseList(b("{\"name\":"))).getMessage().startsWith("not valid JSON"));
        assertEquals("the ipam of plugin 0 of network \"n\" has no type", assertThrows(IllegalArgumentException.class,
                () -> NetworkConfigList.parseList(b("{\"name\":\"n\",\"plugins\":[{\"type\":\"x\",\"ipam\":{\"type\":\"\"}}]}")))
                .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> NetworkConfigList.parseSingle(b("{\"name\":\"n\",\"plugins\":[{\"type\":\"x\"}]}")))
                .getMessage().contains(".conflist"));
        assertEquals("invalid cniVersion \"one\"", assertThrows(IllegalArgumentException.class,
                () -> NetworkConfigList.parseList(b("{\"cniVersion\":\"one\",\"name\":\"n\",\"plugins\":[{\"type\":\"x\"}]}")))
                .getMessage());
    }

    @Test
    void noVersionMeansTheFirstAndDisableCheckIsRead() {
        NetworkConfigList l = NetworkConfigList.parseList(b("""
                {"name":"n","disableCheck":true,"plugins":[{"type":"x"}]}"""));
        assertEquals("0.1.0", l.cniVersion());
        assertTrue(l.disableCheck());
    }

    @Test
    void versionsCompareNumerically() {
        assertTrue(NetworkConfigList.compareVersions("0.10.0", "0.4.0") > 0);
        assertTrue(NetworkConfigList.compareVersions("0.3.1", "0.4.0") < 0);
        assertEquals(0, NetworkConfigList.compareVersions("1.0.0", "1.0.0"));
    }
}
