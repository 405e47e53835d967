package io.pouch.daemon.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.HostConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonBodyTest {
    static <T> T decode(String json, Class<T> type) {
        return JsonBody.decode(json.getBytes(StandardCharsets.UTF_8), type);
    }

    /** The 400 message of decoding {@code json} as a create body (config, then its HostConfig). */
    static String createError(String json) {
        PouchException e = assertThrows(PouchException.class, () -> {
            JsonNode body = decode(json, JsonNode.class);
            JsonBody.convert(body, null, ContainerConfig.class);
            JsonBody.convert(body.get("HostConfig"), "HostConfig", HostConfig.class);
        });
        assertEquals(400, e.status());
        assertFalse(e.getMessage().contains("java."), e.getMessage());
        assertFalse(e.getMessage().contains("`"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aWrongTypeIs400NamingTheFieldPath() {
        assertEquals("invalid value for Tty: \"yes\" is not a boolean", createError("{\"Tty\":\"yes\"}"));
        assertEquals("invalid value for HostConfig.Memory: \"lots\" is not an integer",
                createError("{\"HostConfig\":{\"Memory\":\"lots\"}}"));
        assertEquals("invalid value for Labels: an array is not an object", createError("{\"Labels\":[\"a\"]}"));
        assertEquals("invalid value for StopTimeout: \"x\" is not an integer", createError("{\"StopTimeout\":\"x\"}"));
        assertEquals("invalid value for Env[1]: an object is not a string",
                createError("{\"Env\":[\"A=1\",{\"B\":2}]}"));
        assertEquals("invalid value for HostConfig.Ulimits[0].Soft: \"x\" is not an integer",
                createError("{\"HostConfig\":{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":\"x\"}]}}"));
    }

    @Test
    void typesAreAsStrictAsGo() {
        assertEquals("invalid value for HostConfig.Memory: \"123\" is not an integer",
                createError("{\"HostConfig\":{\"Memory\":\"123\"}}"));
        assertEquals("invalid value for Labels.a: the number 1 is not a string", createError("{\"Labels\":{\"a\":1}}"));
        assertEquals("invalid value for Tty: the number 1 is not a boolean", createError("{\"Tty\":1}"));
        assertEquals("invalid value for HostConfig.Memory: the number 1.5 is not an integer",
                createError("{\"HostConfig\":{\"Memory\":1.5}}"));
        assertEquals("invalid value for Image: the boolean true is not a string", createError("{\"Image\":true}"));
    }

    @Test
    void wellTypedBodiesStillDecode() {
        JsonNode body = decode("{\"Image\":\"busybox\",\"Cmd\":\"true\",\"Tty\":true,\"Labels\":{\"a\":\"1\"},"
                + "\"HostConfig\":{\"Memory\":6000000,\"Binds\":null}}", JsonNode.class);
        ContainerConfig c = JsonBody.convert(body, null, ContainerConfig.class);
        assertTrue(c.tty());
        assertEquals(List.of("true"), c.cmd(), "a single string for Cmd, as dockerd's StrSlice");
        assertEquals(6000000, JsonBody.convert(body.get("HostConfig"), "HostConfig", HostConfig.class).memory());
        assertNull(decode(" \n", JsonNode.class));
    }

    @Test
    void malformedJsonSaysWhere() {
        PouchException e = assertThrows(PouchException.class, () -> decode("{\"Image\":", JsonNode.class));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("invalid JSON"), e.getMessage());
        assertFalse(e.getMessage().contains("java."), e.getMessage());
        PouchException trailing = assertThrows(PouchException.class, () -> decode("{\"Tty\":tru}", JsonNode.class));
        assertTrue(trailing.getMessage().startsWith("invalid JSON at line 1, column"), trailing.getMessage());
    }

    @Test
    void anOutOfRangeNumberNamesTheField() {
        String m = createError("{\"HostConfig\":{\"Memory\":1e400}}");
        assertTrue(m.contains("HostConfig.Memory"), m);
    }

    @Test
    void aJacksonErrorThrownByAHandlerIsA400WithoutAStackTrace() {
        Exception e = assertThrows(Exception.class,
                () -> JsonBody.STRICT.readValue("{\"Memory\":\"lots\"}", HostConfig.class));
        assertEquals(400, ErrorResponses.status(e));
        assertTrue(ErrorResponses.clientError(e));
        assertTrue(ErrorResponses.message(e).startsWith("invalid value for Memory: "), ErrorResponses.message(e));
        assertEquals("invalid value for Tty: \"yes\" is not a boolean",
                assertThrows(PouchException.class, () -> decode("{\"Tty\":\"yes\"}", ContainerConfig.class))
                        .getMessage(), "a typed body names the value too");
    }
}
