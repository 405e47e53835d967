package io.pouch.daemon.sys;

import io.pouch.api.PouchException;
import io.pouch.daemon.sys.ScopedPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScopedPathTest {
    @TempDir
    Path tmp;

    private Path root() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("tmp/sub"));
        Files.writeString(root.resolve("etc/passwd"), "inside");
        Files.createSymbolicLink(root.resolve("tmp/abs"), Path.of("/etc"));
        Files.createSymbolicLink(root.resolve("tmp/up"), Path.of("../../../../../../.."));
        Files.createSymbolicLink(root.resolve("tmp/sub/rel"), Path.of("../../etc/passwd"));
        Files.createSymbolicLink(root.resolve("tmp/loop"), Path.of("loop"));
        return root;
    }

    @Test
    void absoluteLinkResolvesInsideTheRoot() throws Exception {
        Path root = root();
        assertEquals(root.resolve("etc/passwd"), ScopedPath.resolve(root, "/tmp/abs/passwd", true));
    }

    @Test
    void dotDotNeverClimbsAboveTheRoot() throws Exception {
        Path root = root();
        assertEquals(root.resolve("etc/passwd"), ScopedPath.resolve(root, "/../../../etc/passwd", true));
        assertEquals(root.resolve("etc"), ScopedPath.resolve(root, "/tmp/up/etc", true));
        assertEquals(root, ScopedPath.resolve(root, "/tmp/up", true));
        assertTrue(ScopedPath.resolve(root, "/tmp/up/../../x", true).startsWith(root));
    }

    @Test
    void relativeLinkAndLastComponent() throws Exception {
        Path root = root();
        assertEquals(root.resolve("etc/passwd"), ScopedPath.resolve(root, "tmp/sub/rel", true));
        assertEquals(root.resolve("tmp/sub/rel"), ScopedPath.resolve(root, "tmp/sub/rel", false));
        assertEquals(root.resolve("etc/passwd"), ScopedPath.resolve(root, "/tmp/abs/passwd", false));
    }

    @Test
    void linkLoopIsAnError() throws Exception {
        Path root = root();
        assertThrows(PouchException.class, () -> ScopedPath.resolve(root, "/tmp/loop/x", true));
    }

    @Test
    void tarEntryNames() {
        assertEquals("a/b", ScopedPath.entryName("./a/./b/"));
        assertEquals("etc/passwd", ScopedPath.entryName("/etc/passwd"));
        assertEquals("", ScopedPath.entryName("./"));
        assertThrows(PouchException.class, () -> ScopedPath.entryName("../x"));
        assertThrows(PouchException.class, () -> ScopedPath.entryName("a/../../x"));
    }
}
