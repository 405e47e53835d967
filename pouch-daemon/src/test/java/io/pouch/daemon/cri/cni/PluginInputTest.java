package io.pouch.daemon.cri.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PluginInputTest {
    private static final NetworkConfigList LIST = NetworkConfigList.parseList("""
            {"cniVersion":"1.0.0","name":"pouch-cni","plugins":[
              {"type":"bridge","bridge":"b0","name":"ignored","cniVersion":"0.1.0"},
              {"type":"portmap","capabilities":{"portMappings":true,"bandwidth":true,"ips":false}},
              {"type":"tuning","capabilities":{"portMappings":false}}]}""".getBytes(StandardCharsets.UTF_8));

    private static JsonNode json(String s) throws Exception {
        return Json.MAPPER.readTree(s);
    }

    @Test
    void theListsNameAndVersionAreInjected() throws Exception {
        ObjectNode in = PluginInput.stdin(LIST, 0, null, PluginInput.capabilityArgs(List.of()));
        assertEquals(json("{\"type\":\"bridge\",\"bridge\":\"b0\",\"name\":\"pouch-cni\",\"cniVersion\":\"1.0.0\"}"), in);
        assertEquals("ignored", LIST.plugins().get(0).get("name").asText(), "the configuration itself is not changed");
    }

    @Test
    void prevResultAndDeclaredCapabilitiesOnly() throws Exception {
        JsonNode prev = json("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.88.0.2/16\"}]}");
        ObjectNode caps = PluginInput.capabilityArgs(List.of(
                new PortMapping(8080, 80, "TCP", "127.0.0.1"),
                new PortMapping(0, 81, "tcp", ""),
                new PortMapping(5353, 53, "UDP", null),
                new PortMapping(9000, 9000, null, null)));
        caps.putArray("ips").add("10.0.0.1");
        ObjectNode pm = PluginInput.stdin(LIST, 1, prev, caps);
        assertEquals(prev, pm.get("prevResult"));
        assertEquals(json("""
                {"portMappings":[
                  {"hostPort":8080,"containerPort":80,"protocol":"tcp","hostIP":"127.0.0.1"},
                  {"hostPort":5353,"containerPort":53,"protocol":"udp"},
                  {"hostPort":9000,"containerPort":9000,"protocol":"tcp"}]}"""), pm.get("runtimeConfig"),
                "only hostPort > 0, protocol in lower case, no capability the plugin does not declare true");
        ObjectNode tuning = PluginInput.stdin(LIST, 2, prev, caps);
        assertFalse(tuning.has("runtimeConfig"), "portMappings: false gets none");
        assertFalse(PluginInput.stdin(LIST, 0, prev, caps).has("runtimeConfig"), "no capabilities, none");
    }

    @Test
    void emptyMappingsAreStillPassedToPortmap() {
        ObjectNode pm = PluginInput.stdin(LIST, 1, null, PluginInput.capabilityArgs(List.of()));
        assertEquals(0, pm.get("runtimeConfig").get("portMappings").size());
        assertFalse(pm.has("prevResult"));
    }

    @Test
    void badMappingsAreRefused() {
        assertTrue(assertThrows(PouchException.class, () -> PluginInput.capabilityArgs(List.of(
                new PortMapping(80, 80, "icmp", null)))).getMessage().contains("\"icmp\""));
        assertEquals(400, assertThrows(PouchException.class, () -> PluginInput.capabilityArgs(List.of(
                new PortMapping(70000, 80, "tcp", null)))).status());
    }

    @Test
    void cniArgsAsKubeletPassesThem() {
        PodNetworkRequest r = new PodNetworkRequest("abc123", "/var/run/netns/x", "web", "default", "uid-1", null);
        assertEquals("IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=abc123;"
                + "K8S_POD_UID=uid-1", PluginInput.cniArgs(r));
        assertThrows(PouchException.class, () -> PluginInput.cniArgs(
                new PodNetworkRequest("abc", "", "a;b=c", "default", "u", List.of())));
    }

    @Test
    void theEnvironment() {
        assertEquals(Map.of("CNI_COMMAND", "DEL", "CNI_CONTAINERID", "abc", "CNI_NETNS", "", "CNI_IFNAME", "eth0",
                        "CNI_PATH", "/opt/cni/bin:/usr/lib/cni", "CNI_ARGS", "IgnoreUnknown=1"),
                PluginInput.env("DEL", "abc", null, "eth0", List.of(Path.of("/opt/cni/bin"), Path.of("/usr/lib/cni")),
                        "IgnoreUnknown=1"));
    }
}
