package io.pouch.daemon.image;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistributionLogicTest {

    @Test
    void humanSizesLikeGoUnits() {
        assertEquals("0B", ProgressWriter.humanSize(0));
        assertEquals("999B", ProgressWriter.humanSize(999));
        assertEquals("32.77kB", ProgressWriter.humanSize(32768));
        assertEquals("2.001MB", ProgressWriter.humanSize(2000827));
        assertEquals("2MB", ProgressWriter.humanSize(2_000_000));
    }

    @Test
    void progressBarHasFiftyColumnsAndDockersNumbers() {
        String start = ProgressWriter.bar(32768, 2000827);
        assertEquals("[>                                                  ]  32.77kB/2.001MB", start);
        String done = ProgressWriter.bar(2000827, 2000827);
        assertTrue(done.startsWith("[" + "=".repeat(50) + ">]"), done);
    }

    @Test
    void messagesAreOneJsonObjectPerLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressWriter w = new ProgressWriter(out);
        w.status("1", "Pulling from x");
        w.progress("abc", "Downloading", 1, 2);
        w.error("boom");
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\r\n");
        assertEquals("{\"status\":\"Pulling from x\",\"progressDetail\":{},\"id\":\"1\"}", lines[0]);
        assertTrue(lines[1].contains("\"progressDetail\":{\"current\":1,\"total\":2}"), lines[1]);
        assertEquals("{\"errorDetail\":{\"message\":\"boom\"},\"error\":\"boom\"}", lines[2]);
    }

    @Test
    void platformsDefaultToLinuxAmd64() {
        assertArrayEquals(new String[]{"linux", "amd64", null}, ImagePuller.platform(null));
        assertArrayEquals(new String[]{"linux", "arm64", "v8"}, ImagePuller.platform("linux/arm64/v8"));
        assertArrayEquals(new String[]{"linux", "amd64", null}, ImagePuller.platform("Linux/x86_64"));
        assertEquals(400, assertThrows(PouchException.class, () -> ImagePuller.platform("linux")).status());
    }

    @Test
    void noTagAnywhereMeansAllTagsAsInDockersApi() {
        assertTrue(ImagePuller.allTags("busybox", null));
        assertTrue(ImagePuller.allTags("127.0.0.1:5000/a/b", ""));
        assertFalse(ImagePuller.allTags("busybox", "latest"));
        assertFalse(ImagePuller.allTags("busybox:1", ""));
        assertFalse(ImagePuller.allTags("busybox@sha256:" + "a".repeat(64), null));
        assertFalse(ImagePuller.allTags("127.0.0.1:5000/a/b:2", null));
    }

    @Test
    void defaultRegistryNamespaceAppliesToOneComponentNamesOnly() {
        assertEquals("pouchns/busybox", ImagePuller.fetchPath(ImagePuller.reference("busybox", "1"), "busybox", "pouchns"));
        assertEquals("busybox", ImagePuller.fetchPath(ImagePuller.reference("busybox", "1"), "busybox", ""));
        assertEquals("library/busybox", ImagePuller.fetchPath(ImagePuller.reference("busybox", "1"), "busybox", "library"));
        // the user named the namespace or the registry: kept
        assertEquals("library/busybox", ImagePuller.fetchPath(ImagePuller.reference("library/busybox", "1"), "library/busybox", "pouchns"));
        assertEquals("library/busybox", ImagePuller.fetchPath(ImagePuller.reference("docker.io/busybox", "1"), "docker.io/busybox", "pouchns"));
        assertEquals("a/b", ImagePuller.fetchPath(ImagePuller.reference("127.0.0.1:5000/a/b", "1"), "127.0.0.1:5000/a/b", "pouchns"));
    }

    @Test
    void pullReferencesFromFromImageAndTag() {
        assertEquals("docker.io/library/busybox:latest", ImagePuller.reference("busybox", "").recordName());
        assertEquals("127.0.0.1:5000/a/b:1", ImagePuller.reference("127.0.0.1:5000/a/b", "1").recordName());
        String d = "sha256:" + "a".repeat(64);
        assertEquals(d, ImagePuller.reference("busybox", d).digest());
        assertEquals("2", ImagePuller.reference("busybox:2", null).tag());
        assertEquals(400, assertThrows(PouchException.class, () -> ImagePuller.reference("busybox", "bad/tag")).status());
        assertEquals(400, assertThrows(PouchException.class, () -> ImagePuller.reference("no spaces", "x")).status());
    }
}
