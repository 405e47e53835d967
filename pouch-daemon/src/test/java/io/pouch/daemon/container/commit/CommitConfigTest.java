package io.pouch.daemon.container.commit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class CommitConfigTest {
    private static JsonNode json(String s) throws Exception {
        return Json.MAPPER.readTree(s);
    }

    @Test
    void theRunConfigKeepsDockersKeysThenTheOverrideThenTheChanges() throws Exception {
        JsonNode container = json("{\"Hostname\":\"h\",\"User\":\"nobody\",\"Cmd\":[\"sh\"],\"Env\":[\"A=1\"],"
                + "\"WorkingDir\":null,\"Image\":\"busybox\"}");
        ObjectNode run = CommitConfig.runConfig(container, json("{\"Cmd\":[\"top\"],\"Tty\":true,\"Env\":null}"),
                List.of("WORKDIR /w", " "));
        assertEquals("{\"User\":\"nobody\",\"Env\":[\"A=1\"],\"Cmd\":[\"top\"],\"WorkingDir\":\"/w\"}", run.toString());
        assertEquals("{\"User\":\"nobody\",\"Env\":[\"A=1\"],\"Cmd\":[\"sh\"]}",
                CommitConfig.runConfig(container, null, List.of()).toString());
    }

    @Test
    void theImageConfigAddsTheLayerAndItsHistory() throws Exception {
        ObjectNode parent = (ObjectNode) json("{\"architecture\":\"amd64\",\"config\":{\"Cmd\":[\"sh\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:1\"]},\"history\":[{\"created_by\":\"base\"}]}");
        ObjectNode run = (ObjectNode) json("{\"Cmd\":[\"top\"]}");
        ObjectNode cfg = CommitConfig.imageConfig(parent, run, "c1", "sha256:2", "me", "why", "sh -c make",
                Instant.parse("2024-05-06T07:08:09Z"));
        assertEquals("top", cfg.get("config").get("Cmd").get(0).asText());
        assertEquals("2024-05-06T07:08:09Z", cfg.get("created").asText());
        assertEquals("c1", cfg.get("container").asText());
        assertEquals("me", cfg.get("author").asText());
        assertEquals("why", cfg.get("comment").asText());
        assertEquals("[\"sha256:1\",\"sha256:2\"]", cfg.get("rootfs").get("diff_ids").toString());
        assertEquals("{\"created\":\"2024-05-06T07:08:09Z\",\"author\":\"me\",\"created_by\":\"sh -c make\","
                + "\"comment\":\"why\"}", cfg.get("history").get(1).toString());
        ObjectNode bare = CommitConfig.imageConfig((ObjectNode) json("{}"), run, "c1", "sha256:2", "", null, "sh",
                Instant.EPOCH);
        assertFalse(bare.has("author"));
        assertFalse(bare.has("comment"));
        assertEquals("{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"sh\"}", bare.get("history").get(0).toString());
        assertEquals("layers", bare.get("rootfs").get("type").asText());
    }
}
