package io.pouch.daemon.container.rich;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DumbInitBinaryTest {
    @Test
    void theCopyLoadsTheHostLoaderAndLibcFromThePouchDirectory(@TempDir Path cache) throws Exception {
        assumeTrue(Files.isExecutable(DumbInitBinary.HOST_BINARY), "the host has no dumb-init");
        Path dir = DumbInitBinary.prepare(cache);
        byte[] elf = Files.readAllBytes(dir.resolve("dumb-init"));
        if (DumbInitBinary.ElfPatch.interpreter(Files.readAllBytes(DumbInitBinary.HOST_BINARY)) != null) {
            assertEquals("/.pouch/ld.so", DumbInitBinary.ElfPatch.interpreter(elf));
            assertEquals(List.of("/.pouch/c"), DumbInitBinary.ElfPatch.needed(elf));
            assertTrue(Files.isExecutable(dir.resolve("ld.so")));
            assertTrue(Files.isExecutable(dir.resolve("c")));
        }
        assertEquals(dir, DumbInitBinary.prepare(cache)); // made once
        assertEquals(Files.size(DumbInitBinary.HOST_BINARY), elf.length);
    }
}
