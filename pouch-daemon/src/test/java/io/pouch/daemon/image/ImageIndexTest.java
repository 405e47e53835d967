package io.pouch.daemon.image;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageIndexTest {
    private final IndexedImages images = new IndexedImages();
    private String busybox;
    private String alpine;
    private String dangling;

    @BeforeEach
    void fill() throws Exception {
        busybox = images.add("2024-01-01T00:00:00Z", Map.of(), 100, "docker.io/library/busybox:latest",
                "localhost:5000/x:1");
        images.name("docker.io/library/busybox@sha256:" + "b".repeat(64), images.manifestOf(busybox));
        alpine = images.add("2024-02-01T00:00:00Z", Map.of(), 200, "docker.io/library/alpine:3");
        dangling = images.add("2024-03-01T00:00:00Z", Map.of(), 300);
    }

    @Test
    void findsByNameTagIdPrefixAndManifestDigest() {
        ImageIndex index = images.index;
        ImageIndex.Found f = index.find("busybox");
        assertEquals(busybox, f.id());
        assertEquals("docker.io/library/busybox:latest", f.name());
        assertEquals("latest", f.ref().tag());
        assertEquals(alpine, index.find("alpine:3").id());
        ImageIndex.Found byId = index.find(alpine);
        assertEquals(alpine, byId.name());
        assertNull(byId.ref(), "by id: no reference");
        assertEquals(dangling, index.find(dangling.substring(7, 19)).id(), "a unique prefix");
        assertEquals(dangling, index.find(dangling.substring(0, 19)).id(), "with the algorithm");
        String byDigest = "busybox@" + images.manifestOf(busybox);
        assertEquals(busybox, index.find(byDigest).id(), "any record of the repository pointing at that manifest");
        assertEquals(busybox, index.find("localhost:5000/x:1").id());
    }

    @Test
    void refusesWhatItCannotResolve() {
        ImageIndex index = images.index;
        assertEquals("No such image: alpine", assertThrows(PouchException.class, () -> index.find("alpine")).getMessage());
        assertEquals(404, assertThrows(PouchException.class, () -> index.find(" ")).status());
        assertEquals(404, assertThrows(PouchException.class, () -> index.find("sha256:" + "0".repeat(64))).status());
        PouchException bad = assertThrows(PouchException.class, () -> index.find("Bad Name!"));
        assertEquals(400, bad.status(), "an unparseable reference that is no id prefix either");
        assertTrue(bad.getMessage().startsWith("invalid reference format"), bad.getMessage());
    }

    @Test
    void anAmbiguousPrefixIsNotFound() throws Exception {
        // ids are hashes: find two whose first hex digits agree by adding images until a collision on one digit
        String prefix = null;
        for (int i = 0; prefix == null && i < 64; i++) {
            String id = images.add("2020-01-01T00:00:" + String.format("%02d", i) + "Z", Map.of(), 1);
            for (String other : images.index.ids()) {
                if (!other.equals(id) && other.charAt(7) == id.charAt(7)) {
                    prefix = id.substring(7, 8);
                }
            }
        }
        String ambiguous = prefix;
        assertEquals(404, assertThrows(PouchException.class, () -> images.index.find(ambiguous)).status());
    }

    @Test
    void namesOfAnImage() {
        ImageIndex index = images.index;
        assertEquals(List.of("busybox:latest", "localhost:5000/x:1"), index.repoTags(busybox));
        assertEquals(List.of("busybox@sha256:" + "b".repeat(64)), index.repoDigests(busybox));
        assertEquals(List.of(), index.repoTags(dangling));
        assertEquals(List.of(), index.repoDigests(dangling));
        assertEquals(3, index.ids().size());
        assertEquals(200, index.size(alpine));
        assertEquals(busybox, index.idOf(index.names.get("localhost:5000/x:1")));
    }
}
