package io.pouch.daemon.build;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pouch.api.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * The classic builder's cache: a step's key (the image it starts from, the instruction as it resolved, and for
 * COPY/ADD the digest of what it copies, as Docker keys it) to the image the step made. Kept in one JSON file so a
 * restarted pouchd still hits; an entry whose image was deleted since is simply a miss.
 */
final class BuildCache {
    private static final Logger LOG = Logger.getLogger(BuildCache.class.getName());

    private final Path file;
    private final Map<String, String> entries = new TreeMap<>();

    BuildCache(Path file) {
        this.file = file;
        try {
            if (Files.isRegularFile(file)) {
                entries.putAll(Json.MAPPER.readValue(Files.readAllBytes(file), new TypeReference<Map<String, String>>() {
                }));
            }
        } catch (IOException e) {
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

    synchronized String get(String key) {
        return entries.get(key);
    }

    synchronized void put(String key, String imageId) {
        entries.put(key, imageId);
        save();
    }

    /** Forgets every entry; answers the images the entries named (distinct). */
    synchronized List<String> clear() {
        List<String> ids = new ArrayList<>(entries.values().stream().distinct().toList());
        entries.clear();
        save();
        return ids;
    }

    private void save() {
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
