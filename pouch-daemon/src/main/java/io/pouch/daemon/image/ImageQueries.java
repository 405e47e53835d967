package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.image.ImageConfig;
import io.pouch.api.image.ImageHistoryItem;
import io.pouch.api.image.ImageInspect;
import io.pouch.api.image.ImageSummary;
import io.pouch.daemon.containerd.Descriptor;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.image.ImageIndex.ConfigEntry;
import io.pouch.daemon.image.ImageIndex.Found;
import io.pouch.daemon.image.ImageIndex.ManifestEntry;
import io.pouch.daemon.image.ImageIndex.NameEntry;
import io.pouch.daemon.query.Filters;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The Engine API's views of the local images (list, inspect, history), read from the {@link ImageIndex} alone. */
final class ImageQueries {
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private final ImageIndex index;

    ImageQueries(ImageIndex index) {
        this.index = index;
    }

    /**
     * {@code GET /images/json}, as dockerd lists: an untagged image that is the parent of another (a build's
     * intermediate step, a committed container's base that lost its name) only with {@code all}; the
     * {@code dangling} filter never shows one.
     */
    List<ImageSummary> list(Filters filters, ImageFields fields, boolean all) {
        filters.validate(Set.of("reference", "dangling", "label", "before", "since"));
        Boolean dangling = filters.bool("dangling").orElse(null);
        Instant before = filters.has("before") ? created(filters.get("before").getFirst()) : null;
        Instant since = filters.has("since") ? created(filters.get("since").getFirst()) : null;
        List<PathMatcher> patterns = filters.get("reference").stream()
                .map(p -> FileSystems.getDefault().getPathMatcher("glob:" + p)).toList();
        boolean legacy = fields.virtualSize();
        List<ImageSummary> out = new ArrayList<>();
        Set<String> parents = index.parents();
        for (String id : index.ids()) {
            ConfigEntry c = index.configs.get(id);
            List<String> tags = index.repoTags(id);
            List<String> digests = index.repoDigests(id);
            boolean untagged = tags.isEmpty() && digests.isEmpty();
            if (dangling != null && dangling != untagged) {
                continue;
            }
            if (untagged && parents.contains(id) && (!all || Boolean.TRUE.equals(dangling))) {
                continue;
            }
            if (!patterns.isEmpty() && !matchesReference(patterns, tags, digests)) {
                continue;
            }
            if (!filters.matchesLabels("label", c.labels())) {
                continue;
            }
            if ((before != null && !c.created().isBefore(before)) || (since != null && !c.created().isAfter(since))) {
                continue;
            }
            long size = index.size(id);
            String parent = index.parentOf(id);
            out.add(new ImageSummary(id, parent == null ? "" : parent, tags.isEmpty() && legacy ? List.of("<none>:<none>") : tags,
                    digests.isEmpty() && legacy && tags.isEmpty() ? List.of("<none>@<none>") : digests,
                    c.created().getEpochSecond(), size, -1, legacy ? size : null, c.labels(), -1));
        }
        out.sort(Comparator.comparingLong(ImageSummary::created).reversed().thenComparing(ImageSummary::id));
        return out;
    }

    private Instant created(String reference) {
        return index.configs.get(index.find(reference).id()).created();
    }

    private static boolean matchesReference(List<PathMatcher> patterns, List<String> tags, List<String> digests) {
        for (String t : tags) {
            String name = t.substring(0, t.lastIndexOf(':'));
            for (PathMatcher p : patterns) {
                if (p.matches(Path.of(t)) || p.matches(Path.of(name))) {
                    return true;
                }
            }
        }
        for (String d : digests) {
            for (PathMatcher p : patterns) {
                if (p.matches(Path.of(d)) || p.matches(Path.of(d.substring(0, d.indexOf('@'))))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code GET /images/{name}/json}. */
    ImageInspect inspect(String reference, ImageFields fields) {
        Found f = index.find(reference);
        ConfigEntry c = index.configs.get(f.id());
        ObjectNode j = c.json();
        boolean legacyContainer = fields.containerFields();
        long size = index.size(f.id());
        Instant lastTag = index.namesOf(f.id()).stream().filter(NameEntry::tagged).map(NameEntry::updatedAt)
                .max(Comparator.naturalOrder()).orElse(null);
        String parent = index.parentOf(f.id());
        return new ImageInspect(f.id(), index.repoTags(f.id()), index.repoDigests(f.id()), parent == null ? "" : parent,
                j.path("comment").asText(""), c.created().toString(),
                legacyContainer ? j.path("container").asText("") : null,
                legacyContainer ? imageConfig(j.path("container_config")) : null,
                j.path("docker_version").asText(""), j.path("author").asText(""), imageConfig(j.path("config")),
                j.path("architecture").asText(""), j.path("variant").asText(null), j.path("os").asText(""),
                size, fields.virtualSize() ? size : null,
                new ImageInspect.GraphDriver(Snapshots.SNAPSHOTTER, Map.of()),
                new ImageInspect.RootFS("layers", c.diffIds()),
                new ImageInspect.Metadata(lastTag == null ? ZERO_TIME : lastTag.toString()));
    }

    private static ImageConfig imageConfig(JsonNode n) {
        try {
            return Json.MAPPER.treeToValue(n.isObject() ? n : Json.MAPPER.createObjectNode(), ImageConfig.class);
        } catch (IOException e) {
            return Json.MAPPER.convertValue(Json.MAPPER.createObjectNode(), ImageConfig.class);
        }
    }

    /** {@code GET /images/{name}/history}, newest first. */
    List<ImageHistoryItem> history(String reference) {
        Found f = index.find(reference);
        ConfigEntry c = index.configs.get(f.id());
        List<Descriptor> layers = index.manifestsOf(f.id()).stream().findFirst().map(ManifestEntry::layers).orElse(List.of());
        List<ImageHistoryItem> out = new ArrayList<>();
        JsonNode history = c.field("history");
        int layer = 0;
        if (history.isArray() && !history.isEmpty()) {
            for (JsonNode h : history) {
                boolean empty = h.path("empty_layer").asBoolean(false);
                long size = !empty && layer < layers.size() ? layers.get(layer++).size() : 0;
                out.add(new ImageHistoryItem("<missing>", ImageConfigs.parseTime(h.path("created").asText(null))
                        .getEpochSecond(), h.path("created_by").asText(""), null, size, h.path("comment").asText("")));
            }
        } else {
            for (Descriptor l : layers) {
                out.add(new ImageHistoryItem("<missing>", c.created().getEpochSecond(), "", null, l.size(), ""));
            }
        }
        Collections.reverse(out);
        // as dockerd: the entries, newest first, get the ids of the image and its parents while they are here
        String id = f.id();
        for (int i = 0; i < out.size() && id != null; i++) {
            ImageHistoryItem h = out.get(i);
            List<String> tags = index.repoTags(id);
            out.set(i, new ImageHistoryItem(id, h.created(), h.createdBy(), tags.isEmpty() && i > 0 ? null : tags,
                    h.size(), h.comment()));
            id = index.parentOf(id);
        }
        return out;
    }
}
