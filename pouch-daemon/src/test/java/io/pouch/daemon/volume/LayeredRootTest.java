package io.pouch.daemon.volume;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayeredRootTest {
    @TempDir
    Path tmp;

    @Test
    void symlinksResolveInsideTheContainersRoot() throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Files.createDirectories(lower.resolve("etc"));
        Files.writeString(lower.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        Files.createSymbolicLink(lower.resolve("abs"), Path.of("/etc"));
        Files.createSymbolicLink(lower.resolve("up"), Path.of("../../../../.."));
        Files.createSymbolicLink(upper.resolve("loop"), Path.of("loop"));
        LayeredRoot r = new LayeredRoot(List.of(upper, lower));
        assertEquals("etc", r.resolve("/abs"));
        assertEquals("etc/passwd", r.resolve("/abs/passwd"));
        assertEquals("", r.resolve("/up"));
        assertEquals("etc", r.resolve("/up/etc"));
        assertEquals(null, r.resolve("/loop"));
        assertTrue(r.hasContent("/abs"));
        // the host's /etc is never what is read: only the layer's one file is copied
        Path vol = Files.createDirectories(tmp.resolve("vol"));
        r.copyTo("/up/abs", vol);
        try (var s = Files.list(vol)) {
            assertEquals(List.of(vol.resolve("passwd")), s.toList());
        }
    }

    @Test
    void upperLayersHideLowerOnes() throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Files.createDirectories(lower.resolve("d/sub"));
        Files.writeString(lower.resolve("d/a"), "lower");
        Files.writeString(lower.resolve("d/sub/x"), "x");
        Files.writeString(lower.resolve("d/b"), "b");
        Files.createDirectories(upper.resolve("d"));
        Files.writeString(upper.resolve("d/a"), "upper");
        Files.writeString(upper.resolve("d/sub"), "now a file");
        Files.createSymbolicLink(upper.resolve("d/link"), Path.of("/etc/shadow"));
        Path vol = Files.createDirectories(tmp.resolve("vol"));
        new LayeredRoot(List.of(upper, lower)).copyTo("/d", vol);
        assertEquals("upper", Files.readString(vol.resolve("a")));
        assertEquals("b", Files.readString(vol.resolve("b")));
        assertTrue(Files.isRegularFile(vol.resolve("sub")));
        assertTrue(Files.isSymbolicLink(vol.resolve("link")));
        assertEquals(Path.of("/etc/shadow"), Files.readSymbolicLink(vol.resolve("link")));
        assertFalse(new LayeredRoot(List.of(upper, lower)).hasContent("/nothing"));
    }

    @Test
    void anOpaqueDirectoryHidesTheLayersBelow() throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Files.createDirectories(lower.resolve("d/sub"));
        Files.writeString(lower.resolve("d/sub/old"), "old");
        Files.writeString(lower.resolve("d/kept"), "kept");
        Files.createDirectories(upper.resolve("d/sub"));
        Files.writeString(upper.resolve("d/sub/new"), "new");
        var view = Files.getFileAttributeView(upper.resolve("d/sub"),
                UserDefinedFileAttributeView.class);
        try {
            view.write("overlay.opaque", ByteBuffer.wrap("y".getBytes()));
        } catch (IOException | UnsupportedOperationException e) {
            Assumptions.abort("no user xattrs on " + tmp + ": " + e);
        }
        assertTrue(Xattrs.opaque(upper.resolve("d/sub")));
        assertFalse(Xattrs.opaque(lower.resolve("d/sub")));
        Path vol = Files.createDirectories(tmp.resolve("vol"));
        new LayeredRoot(List.of(upper, lower)).copyTo("/d", vol);
        assertTrue(Files.exists(vol.resolve("sub/new")));
        assertFalse(Files.exists(vol.resolve("sub/old")), "hidden by the opaque directory above it");
        assertTrue(Files.exists(vol.resolve("kept")));
    }
}
