package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnsupportedFieldsTest {

    /** The body the docker CLI 28.2.2 sends for {@code docker create busybox}, captured on the wire. */
    private static ObjectNode dockerCliDefault() throws Exception {
        try (InputStream in = UnsupportedFieldsTest.class.getResourceAsStream("/wire/docker-cli-28-create-default.json")) {
            return (ObjectNode) Json.MAPPER.readTree(in);
        }
    }

    @Test
    void theDockerCliDefaultsPass() throws Exception {
        assertDoesNotThrow(() -> UnsupportedFields.refuse(dockerCliDefault()));
    }

    @Test
    void anEmptyBodyAndUnknownFieldsPass() {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("SomethingNew", "x");
        body.putObject("HostConfig").put("AlsoNew", 7);
        assertDoesNotThrow(() -> UnsupportedFields.refuse(body));
    }

    @Test
    void everyRuleRefusesASetValueAndNamesTheField() throws Exception {
        for (UnsupportedFields.Rule r : UnsupportedFields.RULES) {
            ObjectNode body = dockerCliDefault();
            ObjectNode section = r.section().isEmpty() ? body : (ObjectNode) body.get(r.section());
            JsonNode value = r.field().equals("Healthcheck")
                    ? Json.MAPPER.createObjectNode().set("Test", Json.MAPPER.createArrayNode().add("CMD").add("true"))
                    : (section.path(r.field()).isNumber() ? IntNode.valueOf(7) : TextNode.valueOf("x7"));
            section.set(r.field(), value);
            PouchException e = assertThrows(PouchException.class, () -> UnsupportedFields.refuse(body), r.path());
            assertEquals(400, e.status(), r.path());
            assertTrue(e.getMessage().startsWith(r.path() + " "), e.getMessage());
        }
    }

    @Test
    void neutralValuesOfTheirOwnPass() throws Exception {
        ObjectNode body = dockerCliDefault();
        ObjectNode hc = (ObjectNode) body.get("HostConfig");
        hc.put("IpcMode", "private").put("CgroupnsMode", "host").put("UsernsMode", "host")
                .put("MemorySwappiness", -1).put("Isolation", "default");
        body.putObject("Healthcheck").putArray("Test").add("NONE");
        assertDoesNotThrow(() -> UnsupportedFields.refuse(body));
    }

    @Test
    void theMessageSaysWhatWasAskedAndWhy() throws Exception {
        ObjectNode body = dockerCliDefault();
        ((ObjectNode) body.get("HostConfig")).put("UsernsMode", "private");
        PouchException e = assertThrows(PouchException.class, () -> UnsupportedFields.refuse(body));
        assertEquals("HostConfig.UsernsMode \"private\": user namespaces are not supported: containers here always"
                + " share the host's user namespace (UsernsMode \"host\" or empty); remove it to create the container",
                e.getMessage());
        ObjectNode pouch = dockerCliDefault();
        ((ObjectNode) pouch.get("HostConfig")).put("ScheLatSwitch", 1);
        e = assertThrows(PouchException.class, () -> UnsupportedFields.refuse(pouch));
        assertEquals("HostConfig.ScheLatSwitch 1: is one of Pouch's own options, which this engine does not provide yet", e.getMessage());
    }
}
