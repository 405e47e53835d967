package io.pouch.daemon.build;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * The classic builder's cache: a step's key (the image it starts from, the instruction as it resolved, and for
 * COPY/ADD the digest of what it copies, as Docker keys it) to the image the step made. Kept in one JSON file so a
 * restarted pouchd still hits; an entry whose image was deleted since is simply a miss. Each entry keeps what
 * {@code docker system df -v} shows of it (the step, when it was made, last hit and how often); a file of the
 * older format (key to image id alone) still loads, its entries dated by the file.
 */
final class BuildCache {
    private static final Logger LOG = Logger.getLogger(BuildCache.class.getName());

    /** One cached step: the image it made, the image it started from, and its use. */
    record Entry(@JsonProperty("image") String imageId,
                 @JsonProperty("parent") String parentId,
                 @JsonProperty("description") String description,
                 @JsonProperty("createdAt") String createdAt,
                 @JsonProperty("lastUsedAt") String lastUsedAt,
                 @JsonProperty("usageCount") long usageCount) {
    }

    private final Path file;
    private final Supplier<Instant> clock;
    private final Map<String, Entry> entries = new TreeMap<>();
    private boolean usesUnsaved;

    BuildCache(Path file) {
        this(file, Instant::now);
    }

    BuildCache(Path file, Supplier<Instant> clock) {
        this.file = file;
        this.clock = clock;
        try {
            if (Files.isRegularFile(file)) {
                String written = Files.getLastModifiedTime(file).toInstant().toString();
                JsonNode root = Json.MAPPER.readTree(Files.readAllBytes(file));
                for (var it = root.properties().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    entries.put(e.getKey(), e.getValue().isTextual()
                            ? new Entry(e.getValue().asText(), null, "", written, null, 0)
                            : Json.MAPPER.treeToValue(e.getValue(), Entry.class));
                }
            }
        } catch (IOException | RuntimeException e) {
            entries.clear();
            LOG.warning("the build cache " + file + " is unreadable, starting empty: " + e.getMessage());
        }
    }

    /** The key of a step: what it starts from and what it does. */
    static String key(String parentId, String... parts) {
        var md = SourceTar.sha256();
        md.update(String.valueOf(parentId).getBytes(StandardCharsets.UTF_8));
        for (String p : parts) {
            md.update((byte) 0);
            md.update(p.getBytes(StandardCharsets.UTF_8));
        }
        return SourceTar.hex(md);
    }

    /**
     * The image of a step, null on a miss; a hit counts as a use of the entry. Uses are written with the next
     * {@link #put} or {@link #flush}, not on every hit: a cached rebuild stays free of file writes, and a use count
     * lost to a crash costs nothing.
     */
    synchronized String get(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        entries.put(key, new Entry(e.imageId(), e.parentId(), e.description(), e.createdAt(), clock.get().toString(),
                e.usageCount() + 1));
        usesUnsaved = true;
        return e.imageId();
    }

    synchronized void put(String key, String imageId, String parentId, String description) {
        entries.put(key, new Entry(imageId, parentId, description, clock.get().toString(), null, 0));
        save();
    }

    /** Writes the uses counted since the last write (a build calls it when it ends). */
    synchronized void flush() {
        if (usesUnsaved) {
            save();
        }
    }

    /** Every entry by its key (a copy). */
    synchronized Map<String, Entry> entries() {
        return new TreeMap<>(entries);
    }

    /** Forgets every entry; answers what they were, by key. */
    synchronized Map<String, Entry> clear() {
        Map<String, Entry> was = new TreeMap<>(entries);
        entries.clear();
        save();
        return was;
    }

    private void save() {
        usesUnsaved = false;
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, Json.MAPPER.writeValueAsBytes(entries));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warning("cannot save the build cache " + file + ": " + e.getMessage());
        }
    }
}
