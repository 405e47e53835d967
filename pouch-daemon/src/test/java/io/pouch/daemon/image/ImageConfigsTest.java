package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.Mount;
import io.pouch.daemon.containerd.SnapshotMounts;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Image configs read into the index, configs made by import, names given by tag and import, unpack targets. */
class ImageConfigsTest {
    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);

    @Test
    void aConfigGivesRunSettingsDiffIdsAndChainIds() {
        byte[] cfg = ("{\"created\":\"2024-01-02T03:04:05.123456789+02:00\",\"config\":{\"User\":\"nobody\","
                + "\"Env\":[\"A=b\"],\"Cmd\":[\"sh\"],\"Labels\":{\"k\":\"v\"},\"ExposedPorts\":{\"80/tcp\":{}}},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + D1 + "\",\"" + D2 + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        ImageIndex.ConfigEntry c = ImageConfigs.parse("sha256:" + "f".repeat(64), cfg);
        assertEquals(List.of(D1, D2), c.diffIds());
        assertEquals(ChainIds.of(List.of(D1, D2)), c.chainIds());
        assertEquals(c.chainIds().getLast(), c.topChainId());
        assertEquals("nobody", c.run().user());
        assertEquals(List.of("A=b"), c.run().env());
        assertEquals(List.of("sh"), c.run().cmd());
        assertNull(c.run().entrypoint());
        assertEquals(Map.of("k", "v"), c.labels());
        assertTrue(c.run().exposedPorts().containsKey("80/tcp"));
        assertEquals(Instant.parse("2024-01-02T01:04:05.123456789Z"), c.created());
    }

    @Test
    void aConfigThatIsNoObjectIsRefused() {
        assertEquals(400, assertThrows(PouchException.class,
                () -> ImageConfigs.parse("sha256:x", "[1]".getBytes(StandardCharsets.UTF_8))).status());
    }

    @Test
    void timesThatCannotBeReadAreTheEpoch() {
        assertEquals(Instant.EPOCH, ImageConfigs.parseTime(null));
        assertEquals(Instant.EPOCH, ImageConfigs.parseTime("yesterday"));
        assertEquals(Instant.parse("2024-01-01T00:00:00Z"), ImageConfigs.parseTime("2024-01-01T00:00:00Z"));
    }

    @Test
    void anImportedImageHasOneLayerAndItsMessage() {
        ObjectNode run = Json.MAPPER.createObjectNode();
        run.putArray("Cmd").add("sh");
        Instant now = Instant.parse("2024-05-06T07:08:09Z");
        ObjectNode plain = ImageArchives.importConfig(run, null, D1, now);
        assertEquals("{\"architecture\":\"amd64\",\"config\":{\"Cmd\":[\"sh\"]},\"created\":\"2024-05-06T07:08:09Z\","
                + "\"history\":[{\"created\":\"2024-05-06T07:08:09Z\",\"comment\":\"Imported from -\"}],\"os\":\"linux\","
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + D1 + "\"]}}", plain.toString());
        ObjectNode withMessage = ImageArchives.importConfig(run, "hello", D1, now);
        assertEquals("hello", withMessage.get("comment").asText());
        assertEquals("hello", withMessage.get("history").get(0).get("comment").asText());
    }

    @Test
    void aNewNameTakesTheTagGivenElseItsOwnElseLatest() {
        assertEquals("docker.io/library/x:1", Reference.newTag("x", "1").recordName());
        assertEquals("docker.io/library/x:2", Reference.newTag("x:2", null).recordName());
        assertEquals("docker.io/library/x:latest", Reference.newTag("x", "").recordName());
        assertEquals("localhost:5000/a/b:latest", Reference.newTag("localhost:5000/a/b", null).recordName());
        assertEquals("refusing to create a tag with a digest reference", assertThrows(PouchException.class,
                () -> Reference.newTag("x@" + D1, null)).getMessage());
        assertEquals(400, assertThrows(PouchException.class, () -> Reference.newTag("x", "bad/tag")).status());
    }

    @Test
    void unpackTargetsAreActiveSnapshotsOfOneMount() {
        LayerUnpacker.Target bottom = LayerUnpacker.Target.of(SnapshotMounts.of(List.of(
                new Mount("bind", "/s/1/fs", "", List.of("rw", "rbind"))))).orElseThrow();
        assertEquals(new LayerUnpacker.Target(Path.of("/s/1/fs"), List.of()), bottom);
        LayerUnpacker.Target upper = LayerUnpacker.Target.of(SnapshotMounts.of(List.of(new Mount("overlay", "overlay",
                "", List.of("workdir=/s/3/work", "upperdir=/s/3/fs", "lowerdir=/s/2/fs:/s/1/fs"))))).orElseThrow();
        assertEquals(new LayerUnpacker.Target(Path.of("/s/3/fs"), List.of(Path.of("/s/2/fs"), Path.of("/s/1/fs"))), upper);
        assertTrue(LayerUnpacker.Target.of(SnapshotMounts.of(List.of(
                new Mount("bind", "/s/1/fs", "", List.of("ro", "rbind"))))).isEmpty(), "a view");
        assertTrue(LayerUnpacker.Target.of(SnapshotMounts.of(List.of(new Mount("overlay", "overlay", "",
                List.of("lowerdir=/s/2/fs:/s/1/fs"))))).isEmpty(), "a view of two layers");
        assertTrue(LayerUnpacker.Target.of(SnapshotMounts.of(List.of())).isEmpty());
    }
}
