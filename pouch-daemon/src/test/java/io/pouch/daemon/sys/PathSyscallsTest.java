package io.pouch.daemon.sys;

import io.pouch.daemon.sys.PathSyscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PathSyscallsTest {
    @TempDir
    Path dir;

    @Test
    void lexistsSeesThePathItselfWithoutFollowingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        Path toDir = Files.createSymbolicLink(dir.resolve("to-dir"), dir);

        assertTrue(PathSyscalls.lexists(file));
        assertTrue(PathSyscalls.lexists(dir));
        assertTrue(PathSyscalls.lexists(dangling), "a dangling symlink is something at that path");
        assertTrue(PathSyscalls.lexists(toDir));
        assertFalse(PathSyscalls.lexists(dir.resolve("missing")));
        assertFalse(PathSyscalls.lexists(dir.resolve("missing/below")));
        assertFalse(PathSyscalls.lexists(file.resolve("below")), "ENOTDIR: a file is no directory");
        assertFalse(PathSyscalls.lexists(dangling.resolve("below")));
    }
}
