package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classic builder's cache as {@code docker system df} shows it (one entry per step, the size of the layer the
 * step added, its uses) and {@code docker builder prune}: it deletes the steps' images and tells the space
 * reclaimed. A private daemon, so the cache starts empty.
 */
@Tag("e2e")
class BuildCacheEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void dfListsTheBuildCacheAndBuilderPruneReclaimsItsLayers() throws Exception {
        try (PouchdHarness own = PouchdHarness.startPrivate("pbc", base -> { }, List.of())) {
            Path ctx = own.buildContext(Map.of("Dockerfile",
                    "FROM busybox\nRUN head -c 65536 /dev/urandom > /blob\nENV CACHED=1\n"));
            String id = own.classicBuild(ctx, "-q").ok().trimmed();
            // the same build again: both steps hit
            assertEquals(id, own.classicBuild(ctx, "-q").ok().trimmed());

            JsonNode cache = df(own).get("BuildCache");
            assertEquals(2, cache.size(), cache.toString());
            JsonNode run = entry(cache, "/bin/sh -c head -c 65536 /dev/urandom > /blob");
            JsonNode env = entry(cache, "ENV CACHED=1");
            assertTrue(run.get("Size").asLong() >= 65536, run.toString()); // random bytes do not compress
            assertEquals(0, env.get("Size").asLong(), env.toString());
            for (JsonNode e : List.of(run, env)) {
                assertEquals("regular", e.get("Type").asText(), e.toString());
                assertFalse(e.get("InUse").asBoolean(), e.toString());
                assertEquals(1, e.get("UsageCount").asLong(), e.toString());
                assertNotNull(e.get("CreatedAt").textValue(), e.toString());
                assertNotNull(e.get("LastUsedAt").textValue(), e.toString());
            }

            String verbose = own.docker("system", "df", "-v").ok().out();
            assertTrue(verbose.contains("Build cache usage:"), verbose);
            assertTrue(verbose.contains(run.get("ID").asText().substring(0, 12)), verbose);
            String table = own.docker("system", "df", "--format", "{{.Type}} {{.TotalCount}}").ok().out();
            assertTrue(table.contains("Build Cache 2"), table);

            String pruned = own.docker("builder", "prune", "-f").ok().out();
            assertTrue(pruned.contains(run.get("ID").asText()) && pruned.contains(env.get("ID").asText()), pruned);
            String reclaimed = pruned.lines().filter(l -> l.startsWith("Total reclaimed space:")).findFirst()
                    .orElseThrow(() -> new AssertionError(pruned));
            assertFalse(reclaimed.endsWith(" 0B"), pruned);
            assertTrue(reclaimed.matches("Total reclaimed space: [0-9.]+kB"), pruned); // the 64 KiB layer

            assertEquals(0, df(own).get("BuildCache").size());
            assertFalse(own.docker("images", "-a", "-q", "--no-trunc").ok().out().contains(id), "the build's image");
        }
    }

    private static JsonNode df(PouchdHarness h) throws Exception {
        Cmd.Result r = h.curl("/system/df");
        List<String> lines = new ArrayList<>(r.out().lines().toList());
        assertEquals("200", lines.removeLast(), r.toString());
        return JSON.readTree(String.join("\n", lines));
    }

    private static JsonNode entry(JsonNode cache, String descriptionEnd) {
        for (JsonNode e : cache) {
            if (e.get("Description").asText().endsWith(descriptionEnd)) {
                return e;
            }
        }
        throw new AssertionError("no build cache entry for " + descriptionEnd + " in " + cache);
    }
}
