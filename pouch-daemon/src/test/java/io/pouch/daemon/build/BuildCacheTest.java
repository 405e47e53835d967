package io.pouch.daemon.build;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuildCacheTest {
    @TempDir
    Path dir;

    private static final String IMG_A = "sha256:" + "a".repeat(64);
    private static final String IMG_B = "sha256:" + "b".repeat(64);

    @Test
    void readsTheOldFormatOfKeyToImageIdDatedByTheFile() throws IOException {
        Path file = dir.resolve("cache.json");
        Files.writeString(file, "{\"k1\":\"" + IMG_A + "\",\"k2\":\"" + IMG_B + "\"}");
        Instant written = Instant.parse("2026-01-02T03:04:05Z");
        Files.setLastModifiedTime(file, FileTime.from(written));

        BuildCache cache = new BuildCache(file);

        Map<String, BuildCache.Entry> entries = cache.entries();
        assertEquals(List.of("k1", "k2"), List.copyOf(entries.keySet()));
        BuildCache.Entry e = entries.get("k1");
        assertEquals(IMG_A, e.imageId());
        assertEquals(written.toString(), e.createdAt());
        assertNull(e.lastUsedAt());
        assertEquals(0, e.usageCount());
        assertEquals(IMG_B, cache.get("k2"));
    }

    @Test
    void keepsEachEntrysStepTimesAndUsesAcrossARestart() {
        Path file = dir.resolve("cache.json");
        Deque<Instant> times = new ArrayDeque<>(List.of(Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-01T00:01:00Z"), Instant.parse("2026-01-01T00:02:00Z")));
        BuildCache cache = new BuildCache(file, times::pop);
        cache.put("k", IMG_B, IMG_A, "/bin/sh -c echo hi");
        assertEquals(IMG_B, cache.get("k"));
        assertEquals(IMG_B, cache.get("k"));
        assertNull(cache.get("missing"));
        assertEquals(0, new BuildCache(file).entries().get("k").usageCount(), "hits are written when the build ends");
        cache.flush();

        BuildCache.Entry e = new BuildCache(file).entries().get("k");
        assertEquals(new BuildCache.Entry(IMG_B, IMG_A, "/bin/sh -c echo hi", "2026-01-01T00:00:00Z",
                "2026-01-01T00:02:00Z", 2), e);
    }

    @Test
    void clearForgetsEveryEntryAndAnswersThem() {
        Path file = dir.resolve("cache.json");
        BuildCache cache = new BuildCache(file);
        cache.put("k1", IMG_A, null, "FROM");
        cache.put("k2", IMG_B, IMG_A, "/bin/sh -c true");

        Map<String, BuildCache.Entry> was = cache.clear();

        assertEquals(List.of("k1", "k2"), List.copyOf(was.keySet()));
        assertTrue(cache.entries().isEmpty());
        assertTrue(new BuildCache(file).entries().isEmpty());
    }

    @Test
    void anUnreadableFileStartsEmpty() throws IOException {
        Path file = dir.resolve("cache.json");
        Files.writeString(file, "{\"k\": [1, 2]}");
        assertTrue(new BuildCache(file).entries().isEmpty());
    }
}
