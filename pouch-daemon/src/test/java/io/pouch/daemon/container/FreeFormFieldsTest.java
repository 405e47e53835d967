package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.api.JsonBody;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FreeFormFieldsTest {
    static void check(String body) throws Exception {
        JsonNode n = Json.MAPPER.readTree(body);
        FreeFormFields.check(JsonBody.convert(n, null, ContainerConfig.class),
                n.has("HostConfig") ? JsonBody.convert(n.get("HostConfig"), "HostConfig", HostConfig.class) : null);
    }

    static String refusal(String body) {
        PouchException e = assertThrows(PouchException.class, () -> check(body));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    static String bindings(String json) {
        return "{\"HostConfig\":{\"PortBindings\":" + json + "}}";
    }

    @Test
    void portBindingsAsDockerdAcceptsThem() {
        for (String ok : new String[] {"{\"80\":[{\"HostPort\":\"8080\"}]}", "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}",
                "{\"53/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"5300-5310\"}]}", "{\"9/sctp\":null}",
                "{\"80/tcp\":[]}", "{\"80/tcp\":[{\"HostIp\":\"::1\",\"HostPort\":\"0\"}]}", "{}", "null"}) {
            assertDoesNotThrow(() -> check(bindings(ok)), ok);
        }
    }

    @Test
    void badPortBindingsAreRefusedWithDockerdsMessages() {
        assertEquals("invalid value for HostConfig.PortBindings.80/tcp: \"x\" is not an array",
                refusal(bindings("{\"80/tcp\":\"x\"}")));
        assertEquals("invalid value for HostConfig.PortBindings.80/tcp[0]: \"8080\" is not an object",
                refusal(bindings("{\"80/tcp\":[\"8080\"]}")));
        assertEquals("invalid value for HostConfig.PortBindings.80/tcp[0].HostPort: the number 8080 is not a string",
                refusal(bindings("{\"80/tcp\":[{\"HostPort\":8080}]}")));
        assertEquals("invalid port specification: \"http\"", refusal(bindings("{\"http/tcp\":[]}")));
        assertEquals("invalid port specification: \"70000\"", refusal(bindings("{\"70000\":[]}")));
        assertEquals("invalid port specification: \"80-90\"", refusal(bindings("{\"80-90/tcp\":[]}")));
        assertEquals("invalid proto: icmp", refusal(bindings("{\"80/icmp\":[]}")));
        assertEquals("invalid port specification: \"x\"", refusal(bindings("{\"80/tcp\":[{\"HostPort\":\"x\"}]}")));
        assertEquals("invalid port specification: \"90-80\"",
                refusal(bindings("{\"80/tcp\":[{\"HostPort\":\"90-80\"}]}")));
        assertEquals("invalid IP address: 1.2.3", refusal(bindings("{\"80/tcp\":[{\"HostIp\":\"1.2.3\"}]}")));
        assertEquals("invalid IP address: ::g", refusal(bindings("{\"80/tcp\":[{\"HostIp\":\"::g\"}]}")));
    }

    @Test
    void exposedPortsAndVolumesAreMapsOfObjects() {
        assertDoesNotThrow(() -> check("{\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{},\"8000-8010/tcp\":{}},"
                + "\"Volumes\":{\"/data\":{}}}"));
        assertEquals("invalid value for ExposedPorts.80/tcp: \"x\" is not an object",
                refusal("{\"ExposedPorts\":{\"80/tcp\":\"x\"}}"));
        assertEquals("invalid port specification: \"web\"", refusal("{\"ExposedPorts\":{\"web\":{}}}"));
        assertEquals("invalid value for Volumes./data: the boolean true is not an object",
                refusal("{\"Volumes\":{\"/data\":true}}"));
    }

    @Test
    void typedFieldsAreRefusedByTheDecoder() {
        assertEquals("invalid value for Env[0]: an object is not a string", refusal("{\"Env\":{\"A\":\"1\"}}"));
        assertEquals("invalid value for HostConfig.Tmpfs./run: an array is not a string",
                refusal("{\"HostConfig\":{\"Tmpfs\":{\"/run\":[]}}}"));
        assertEquals("invalid value for HostConfig.LogConfig.Config.max-size: the number 1 is not a string",
                refusal("{\"HostConfig\":{\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{\"max-size\":1}}}}"));
        assertEquals("invalid value for HostConfig.RestartPolicy.MaximumRetryCount: \"3\" is not an integer",
                refusal("{\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":\"3\"}}}"));
        assertEquals("invalid value for HostConfig.Ulimits[0]: \"nofile\" is not an object",
                refusal("{\"HostConfig\":{\"Ulimits\":[\"nofile\"]}}"));
    }
}
