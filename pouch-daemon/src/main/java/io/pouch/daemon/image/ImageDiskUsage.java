package io.pouch.daemon.image;

import io.pouch.api.build.BuildCacheRecord;
import io.pouch.api.image.ImageSummary;
import io.pouch.daemon.containerd.Descriptor;
import io.pouch.daemon.image.ImageIndex.ManifestEntry;
import io.pouch.daemon.query.Filters;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code GET /system/df}: every image with the number of containers using it, and the size of all layers (each
 * counted once), and the builder's cache entries (from the builder, which depends on the image package, so it is
 * handed in as a supplier). Containers and volumes are listed empty: their managers do not offer a size query yet.
 */
final class ImageDiskUsage {
    private final ImageIndex index;
    private final ImageQueries queries;
    private final ImageUsage usage;
    private final Supplier<List<BuildCacheRecord>> buildCache;

    ImageDiskUsage(ImageIndex index, ImageQueries queries, ImageUsage usage, Supplier<List<BuildCacheRecord>> buildCache) {
        this.index = index;
        this.queries = queries;
        this.usage = usage;
        this.buildCache = buildCache;
    }

    Map<String, Object> diskUsage(ImageFields fields) {
        List<ImageSummary> images = new ArrayList<>();
        long layers = 0;
        Set<String> seen = new HashSet<>();
        for (ImageSummary s : queries.list(Filters.NONE, fields, false)) {
            images.add(new ImageSummary(s.id(), s.parentId(), s.repoTags(), s.repoDigests(), s.created(), s.size(),
                    s.sharedSize(), s.virtualSize(), s.labels(), usage.containersUsing(s.id()).size()));
            for (ManifestEntry m : index.manifestsOf(s.id())) {
                for (Descriptor d : m.layers()) {
                    if (seen.add(d.digest())) {
                        layers += d.size();
                    }
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("LayersSize", layers);
        out.put("Images", images);
        out.put("Containers", List.of());
        out.put("Volumes", List.of());
        List<BuildCacheRecord> cache = buildCache.get();
        out.put("BuildCache", cache);
        // API < 1.42 clients read the cache's total here
        out.put("BuilderSize", cache.stream().mapToLong(BuildCacheRecord::size).sum());
        return out;
    }
}
