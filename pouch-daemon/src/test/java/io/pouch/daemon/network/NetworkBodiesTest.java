package io.pouch.daemon.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NetworkBodiesTest {
    static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String refusal(Consumer<JsonNode> check, String json) {
        PouchException e = assertThrows(PouchException.class, () -> check.accept(tree(json)));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void wrongTypesInNetworkBodiesNameTheField() {
        assertEquals("invalid value for Internal: \"yes\" is not a boolean",
                refusal(NetworkBodies::checkCreate, "{\"Name\":\"n\",\"Internal\":\"yes\"}"));
        assertEquals("invalid value for Labels.a: the number 1 is not a string",
                refusal(NetworkBodies::checkCreate, "{\"Name\":\"n\",\"Labels\":{\"a\":1}}"));
        assertEquals("invalid value for IPAM.Config[0].Subnet: the number 10 is not a string",
                refusal(NetworkBodies::checkCreate, "{\"Name\":\"n\",\"IPAM\":{\"Config\":[{\"Subnet\":10}]}}"));
        assertEquals("invalid value for EndpointConfig.Aliases[0]: an object is not a string",
                refusal(NetworkBodies::checkConnect, "{\"Container\":\"c\",\"EndpointConfig\":{\"Aliases\":{}}}"));
        assertEquals("invalid value for Force: \"x\" is not a boolean",
                refusal(NetworkBodies::checkDisconnect, "{\"Container\":\"c\",\"Force\":\"x\"}"));
        assertEquals("invalid value for NetworkingConfig.EndpointsConfig.n.IPAMConfig.IPv4Address: the number 1 is not"
                + " a string", refusal(NetworkBodies::checkNetworkingConfig,
                "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":{\"IPAMConfig\":{\"IPv4Address\":1}}}}}"));
    }

    @Test
    void wellTypedBodiesPass() {
        assertDoesNotThrow(() -> NetworkBodies.checkCreate(tree("{\"Name\":\"n\",\"Driver\":\"bridge\",\"Internal\":true,"
                + "\"IPAM\":{\"Driver\":\"default\",\"Config\":[{\"Subnet\":\"10.1.0.0/24\"}]},\"Options\":{},"
                + "\"Labels\":{\"a\":\"b\"},\"Unknown\":[1]}")));
        assertDoesNotThrow(() -> NetworkBodies.checkConnect(tree("{\"Container\":\"c\",\"EndpointConfig\":"
                + "{\"Aliases\":[\"x\"],\"IPAMConfig\":{\"IPv4Address\":\"10.1.0.5\"}}}")));
        assertDoesNotThrow(() -> NetworkBodies.checkNetworkingConfig(tree("{\"NetworkingConfig\":null}")));
    }
}
