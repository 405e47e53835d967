package io.pouch.daemon.image;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReferenceTest {
    private static final String D = "sha256:" + "a".repeat(64);

    @Test
    void normalisesLikeDocker() {
        assertEquals("docker.io/library/busybox:latest", Reference.parseNormalized("busybox").toString());
        assertEquals("docker.io/library/busybox:1.36", Reference.parseNormalized("busybox:1.36").toString());
        assertEquals("docker.io/user/app:latest", Reference.parseNormalized("user/app").toString());
        assertEquals("docker.io/library/busybox:latest", Reference.parseNormalized("docker.io/busybox").toString());
        assertEquals("docker.io/library/busybox:latest", Reference.parseNormalized("index.docker.io/library/busybox").toString());
        assertEquals("localhost:5000/x:latest", Reference.parseNormalized("localhost:5000/x").toString());
        assertEquals("localhost/x:2", Reference.parseNormalized("localhost/x:2").toString());
        assertEquals("127.0.0.1:5077/e2e/busybox:1.29-2", Reference.parseNormalized("127.0.0.1:5077/e2e/busybox:1.29-2").toString());
        assertEquals("quay.io/a/b/c:latest", Reference.parseNormalized("quay.io/a/b/c").toString());
        Reference d = Reference.parseNormalized("busybox@" + D);
        assertEquals(D, d.digest());
        assertNull(d.tag());
        assertEquals("docker.io/library/busybox@" + D, d.recordName());
    }

    @Test
    void familiarForms() {
        assertEquals("busybox:latest", Reference.parseNormalized("docker.io/library/busybox:latest").familiar());
        assertEquals("user/app:1", Reference.parseNormalized("user/app:1").familiar());
        assertEquals("localhost:5000/x:1", Reference.parseNormalized("localhost:5000/x:1").familiar());
        assertEquals("library/a/b:latest", Reference.parseNormalized("library/a/b").familiar());
        assertEquals("busybox", Reference.parseNormalizedName("busybox").familiarName());
        assertNull(Reference.parseNormalizedName("busybox").tag());
    }

    @Test
    void refusesInvalid() {
        for (String bad : new String[]{"", "Busybox", "busybox:", ":tag", "a//b", "a:b:c", "busybox@sha256:12",
                "-x", "x-", "a/b/", "bad tag", "busybox:" + "t".repeat(129), "a..b"}) {
            PouchException e = assertThrows(PouchException.class, () -> Reference.parseNormalized(bad), bad);
            assertEquals(400, e.status());
            assertTrue(e.getMessage().startsWith("invalid reference format"), bad + ": " + e.getMessage());
        }
        PouchException hex = assertThrows(PouchException.class, () -> Reference.parseNormalized("a".repeat(64)));
        assertTrue(hex.getMessage().contains("cannot specify 64-byte hexadecimal strings"));
        assertThrows(PouchException.class, () -> Reference.parseNormalizedName("x").withTag("-bad"));
    }

    @Test
    void uppercaseDomainIsADomain() {
        assertEquals("Registry.Example:5000/x:latest", Reference.parseNormalized("Registry.Example:5000/x").toString());
    }
}
