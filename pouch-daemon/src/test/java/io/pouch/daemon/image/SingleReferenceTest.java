package io.pouch.daemon.image;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** dockerd's isSingleReference: when the removal of one name would orphan an image a container uses. */
class SingleReferenceTest {
    private static final String DIGEST = "sha256:" + "a".repeat(64);

    private static ImageIndex.NameEntry name(String n) {
        return new ImageIndex.NameEntry(n, DIGEST, Instant.EPOCH);
    }

    @Test
    void oneTagWithTheDigestsOfItsRepositoryIsASingleReference() {
        assertFalse(ImageStore.isSingleReference(List.of()));
        assertTrue(ImageStore.isSingleReference(List.of(name("docker.io/library/x:1"))));
        assertTrue(ImageStore.isSingleReference(List.of(name("docker.io/library/x:1"),
                name("docker.io/library/x@" + DIGEST))));
        assertTrue(ImageStore.isSingleReference(List.of(name("docker.io/library/x@" + DIGEST),
                name("docker.io/library/x@sha256:" + "b".repeat(64)))));
    }

    @Test
    void twoTagsOrSeveralRepositoriesAreNot() {
        // dockerd untags x:1 without a check while x:2 is left, even when a container uses the image
        assertFalse(ImageStore.isSingleReference(List.of(name("docker.io/library/x:1"), name("docker.io/library/x:2"))));
        assertFalse(ImageStore.isSingleReference(List.of(name("docker.io/library/x:1"), name("docker.io/library/y:1"))));
        assertFalse(ImageStore.isSingleReference(List.of(name("docker.io/library/x:1"),
                name("docker.io/library/y@" + DIGEST))));
        assertFalse(ImageStore.isSingleReference(List.of(name("docker.io/library/x@" + DIGEST),
                name("docker.io/library/y@" + DIGEST))));
    }
}
