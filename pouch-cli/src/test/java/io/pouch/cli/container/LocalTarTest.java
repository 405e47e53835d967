package io.pouch.cli.container;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalTarTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripWithRenames() throws Exception {
        Files.createDirectories(tmp.resolve("src/sub"));
        Files.writeString(tmp.resolve("src/a.txt"), "a");
        Files.writeString(tmp.resolve("src/sub/b"), "bb");
        Files.createSymbolicLink(tmp.resolve("src/l"), Path.of("a.txt"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = LocalTar.write(tmp.resolve("src/.").toString(), name -> name.replaceFirst("^\\.", "copy"), out);
        assertEquals(3, n);
        Path dest = Files.createDirectories(tmp.resolve("dest"));
        LocalTar.extract(new ByteArrayInputStream(out.toByteArray()), dest, UnaryOperator.identity());
        assertEquals("a", Files.readString(dest.resolve("copy/a.txt")));
        assertEquals("bb", Files.readString(dest.resolve("copy/sub/b")));
        assertEquals(Path.of("a.txt"), Files.readSymbolicLink(dest.resolve("copy/l")));
    }

    private static byte[] tar(String... entries) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(b)) {
            for (String e : entries) {
                String[] kv = e.split("=", 2);
                TarArchiveEntry te;
                if (kv[0].endsWith("/")) {
                    te = new TarArchiveEntry(kv[0]);
                } else if (kv.length > 1 && kv[1].startsWith("->")) {
                    te = new TarArchiveEntry(kv[0], TarArchiveEntry.LF_SYMLINK);
                    te.setLinkName(kv[1].substring(2));
                } else {
                    te = new TarArchiveEntry(kv[0]);
                    te.setSize(kv.length > 1 ? kv[1].length() : 0);
                }
                t.putArchiveEntry(te);
                if (!kv[0].endsWith("/") && kv.length > 1 && !kv[1].startsWith("->")) {
                    t.write(kv[1].getBytes(StandardCharsets.UTF_8));
                }
                t.closeArchiveEntry();
            }
        }
        return b.toByteArray();
    }

    @Test
    void entriesStayInsideTheDestination() throws Exception {
        Path dest = Files.createDirectories(tmp.resolve("d"));
        Path outside = tmp.resolve("outside");
        assertThrows(CopyPaths.CopyException.class, () -> LocalTar.extract(
                new ByteArrayInputStream(tar("../outside=x")), dest, UnaryOperator.identity()));
        assertFalse(Files.exists(outside));
        assertThrows(CopyPaths.CopyException.class, () -> LocalTar.extract(
                new ByteArrayInputStream(tar("l=->../../etc")), dest, UnaryOperator.identity()));
        // an absolute link is made as is, but the archive cannot write through it
        Files.createDirectories(outside);
        assertThrows(CopyPaths.CopyException.class, () -> LocalTar.extract(
                new ByteArrayInputStream(tar("abs=->" + outside, "abs/f=x")), dest, UnaryOperator.identity()));
        assertFalse(Files.exists(outside.resolve("f")));
    }

    @Test
    void neverReplacesADirectoryWithAFileOrTheReverse() throws Exception {
        Path dest = Files.createDirectories(tmp.resolve("d"));
        Files.createDirectories(dest.resolve("dir"));
        Files.writeString(dest.resolve("file"), "old");
        assertTrue(assertThrows(CopyPaths.CopyException.class, () -> LocalTar.extract(
                new ByteArrayInputStream(tar("dir=x")), dest, UnaryOperator.identity())).getMessage()
                .startsWith("cannot overwrite directory"));
        assertTrue(assertThrows(CopyPaths.CopyException.class, () -> LocalTar.extract(
                new ByteArrayInputStream(tar("file/")), dest, UnaryOperator.identity())).getMessage()
                .startsWith("cannot overwrite non-directory"));
        LocalTar.extract(new ByteArrayInputStream(tar("file=new", "dir/")), dest, UnaryOperator.identity());
        assertEquals("new", Files.readString(dest.resolve("file")));
    }
}
