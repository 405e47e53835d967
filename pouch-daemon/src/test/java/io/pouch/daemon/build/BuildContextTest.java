package io.pouch.daemon.build;

import io.pouch.api.PouchException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuildContextTest {
    @TempDir
    Path tmp;

    private static byte[] tar(Map<String, String> files, Map<String, String> links,
                              Function<OutputStream, OutputStream> compress) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream c = compress.apply(bytes); TarArchiveOutputStream t = new TarArchiveOutputStream(c)) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                byte[] data = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(data.length);
                t.putArchiveEntry(e);
                t.write(data);
                t.closeArchiveEntry();
            }
            for (Map.Entry<String, String> l : links.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(l.getKey(), TarArchiveEntry.LF_SYMLINK);
                e.setLinkName(l.getValue());
                t.putArchiveEntry(e);
                t.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static OutputStream wrap(OutputStream o, String how) {
        try {
            return switch (how) {
                case "gzip" -> new GzipCompressorOutputStream(o);
                case "bzip2" -> new BZip2CompressorOutputStream(o);
                case "xz" -> new XZCompressorOutputStream(o);
                default -> o;
            };
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void everyCompressionIsRead() throws IOException {
        for (String how : List.of("plain", "gzip", "bzip2", "xz")) {
            byte[] body = tar(Map.of("Dockerfile", "FROM busybox\n", "a.txt", "a"), Map.of(), o -> wrap(o, how));
            try (BuildContext c = BuildContext.extract(new ByteArrayInputStream(body), tmp, 1 << 20, "Dockerfile")) {
                assertEquals("FROM busybox\n", c.dockerfile(), how);
                assertEquals("a", Files.readString(c.sources("a.txt", "COPY").getFirst()), how);
            }
        }
    }

    @Test
    void aContextOverTheLimitIsA413() throws IOException {
        byte[] body = tar(Map.of("Dockerfile", "FROM busybox\n", "big", "x".repeat(100_000)), Map.of(), o -> o);
        PouchException e = assertThrows(PouchException.class,
                () -> BuildContext.extract(new ByteArrayInputStream(body), tmp, 10_000, "Dockerfile"));
        assertEquals(413, e.status());
        assertTrue(e.getMessage().contains("limit of 10000 bytes"), e.getMessage());
        try (var s = Files.list(tmp)) {
            assertEquals(0, s.count(), "the partial context is removed");
        }
    }

    @Test
    void dockerignoreAndWildcards() throws IOException {
        byte[] body = tar(Map.of("Dockerfile", "FROM busybox\n", ".dockerignore", "*.log\n**/tmp\n!keep.log\n",
                "a.log", "x", "keep.log", "k", "src/a.go", "a", "src/b.go", "b", "src/tmp/t", "t"), Map.of(), o -> o);
        try (BuildContext c = BuildContext.extract(new ByteArrayInputStream(body), tmp, 1 << 20, "Dockerfile")) {
            assertFalse(Files.exists(c.dir().resolve("a.log")));
            assertTrue(Files.exists(c.dir().resolve("keep.log")));
            assertFalse(Files.exists(c.dir().resolve("src/tmp")));
            assertEquals(List.of("a.go", "b.go"), c.sources("src/*.go", "COPY").stream()
                    .map(p -> p.getFileName().toString()).toList());
            PouchException e = assertThrows(PouchException.class, () -> c.sources("a.log", "COPY"));
            assertTrue(e.getMessage().contains("excluded by .dockerignore"), e.getMessage());
            e = assertThrows(PouchException.class, () -> c.sources("*.none", "COPY"));
            assertTrue(e.getMessage().contains("no source files were specified"), e.getMessage());
        }
    }

    @Test
    void sourcesThatLeaveTheContextAreRefused() throws IOException {
        byte[] body = tar(Map.of("Dockerfile", "FROM busybox\n", "in.txt", "i"),
                Map.of("out", "/etc/passwd", "up", "../../x", "ok", "in.txt"), o -> o);
        try (BuildContext c = BuildContext.extract(new ByteArrayInputStream(body), tmp, 1 << 20, "Dockerfile")) {
            for (String bad : List.of("../x", "out", "up", "a/../../b")) {
                PouchException e = assertThrows(PouchException.class, () -> c.sources(bad, "COPY"), bad);
                assertTrue(e.getMessage().contains("forbidden path outside the build context"), e.getMessage());
            }
            assertEquals(1, c.sources("ok", "COPY").size());
        }
    }

    /** The index answers a COPY's cache digest and its tar without the context ever being extracted. */
    @Test
    void theIndexDigestsAndTarsWhatACopyTakes() throws IOException {
        Map<String, String> files = Map.of("Dockerfile", "FROM busybox\n", ".dockerignore", "**/*.log\n",
                "src/a.txt", "a", "src/lib/b.txt", "b", "src/x.log", "x", "top.txt", "t");
        String digest;
        try (BuildContext c = BuildContext.extract(new ByteArrayInputStream(tar(files, Map.of("ln", "top.txt"), o -> o)),
                tmp, 1 << 20, "Dockerfile")) {
            List<ContextIndex.Match> src = c.select(List.of("src/"), "COPY");
            assertEquals(List.of(new ContextIndex.Match("src", true)), src);
            digest = c.digest(src, null);
            assertTrue(digest.startsWith("multi:"), digest);
            assertTrue(c.digest(c.select(List.of("top.txt"), "COPY"), null).startsWith("file:"));
            assertFalse(digest.equals(c.digest(src, 0600)), "--chmod is part of the digest");
            assertEquals(2, c.select(List.of("src/*.txt", "top.txt"), "COPY").size());
            assertEquals(null, c.select(List.of("ln"), "COPY"), "a link is left to the lookup on disk");
            assertEquals(null, c.select(List.of("src/x.log"), "COPY"), "ignored");
            assertEquals(null, c.select(List.of("nope"), "COPY"));

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            c.writeTar(src.getFirst(), "src", null, out);
            List<String> names = new java.util.ArrayList<>();
            try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                    new ByteArrayInputStream(out.toByteArray()))) {
                for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                    names.add(e.getName());
                }
            }
            assertEquals(List.of("a.txt", "lib/b.txt"), names.stream().sorted().toList());
            try (var dir = Files.list(tmp)) {
                assertEquals(0, dir.filter(Files::isDirectory).flatMap(d -> {
                    try {
                        return Files.list(d);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }).count(), "nothing was extracted");
            }
        }
        try (BuildContext c = BuildContext.extract(new ByteArrayInputStream(tar(files, Map.of(), o -> o)), tmp,
                1 << 20, "Dockerfile")) {
            assertEquals(digest, c.digest(c.select(List.of("src"), "COPY"), null), "the same files, the same digest");
        }
        Map<String, String> changed = new java.util.HashMap<>(files);
        changed.put("src/lib/b.txt", "B");
        try (BuildContext c = BuildContext.extract(new ByteArrayInputStream(tar(changed, Map.of(), o -> o)), tmp,
                1 << 20, "Dockerfile")) {
            assertFalse(digest.equals(c.digest(c.select(List.of("src"), "COPY"), null)));
        }
    }

    @Test
    void aMissingDockerfileIsNamed() throws IOException {
        byte[] body = tar(Map.of("a", "a"), Map.of(), o -> o);
        PouchException e = assertThrows(PouchException.class,
                () -> BuildContext.extract(new ByteArrayInputStream(body), tmp, 1 << 20, "sub/Dockerfile.dev"));
        assertEquals("Cannot locate specified Dockerfile: sub/Dockerfile.dev", e.getMessage());
    }
}
