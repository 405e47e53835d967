package io.pouch.daemon.image;

import io.pouch.api.image.ImageDeleteItem;
import io.pouch.api.image.ImageHistoryItem;
import io.pouch.api.image.ImageInspect;
import io.pouch.api.image.ImageSummary;
import io.pouch.daemon.query.Filters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link ImageService} for route tests: the reads answer from {@link ImageQueries} over {@link IndexedImages},
 * every call is written down ({@link #calls}) with its arguments, and the writes answer fixed values.
 */
final class RecordingImages implements ImageService {
    final List<String> calls = new ArrayList<>();
    final IndexedImages indexed = new IndexedImages();
    private final ImageQueries queries = new ImageQueries(indexed.index);
    Filters lastFilters;

    @Override
    public List<ImageSummary> list(Filters filters, ImageFields fields) {
        lastFilters = filters;
        calls.add("list " + fields);
        return queries.list(filters, fields, false);
    }

    @Override
    public ImageInspect inspect(String reference, ImageFields fields) {
        calls.add("inspect " + reference + " " + fields);
        return queries.inspect(reference, fields);
    }

    @Override
    public List<ImageHistoryItem> history(String reference) {
        calls.add("history " + reference);
        return queries.history(reference);
    }

    @Override
    public void tag(String source, String repo, String tag) {
        calls.add("tag " + source + " " + repo + " " + tag);
    }

    @Override
    public List<ImageDeleteItem> delete(String reference, boolean force) {
        calls.add("delete " + reference + " " + force);
        return List.of(ImageDeleteItem.untagged("busybox:latest"), ImageDeleteItem.deleted("sha256:" + "a".repeat(64)));
    }

    @Override
    public Map<String, Object> prune(Filters filters) {
        lastFilters = filters;
        calls.add("prune");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ImagesDeleted", null);
        out.put("SpaceReclaimed", 0L);
        return out;
    }

    @Override
    public Map<String, Object> diskUsage(ImageFields fields) {
        calls.add("diskUsage " + fields);
        return Map.of("LayersSize", 42L);
    }

    @Override
    public List<String> load(InputStream archive) throws IOException {
        calls.add("load " + new String(archive.readAllBytes(), StandardCharsets.UTF_8));
        return List.of("Loaded image: busybox:latest", "Loaded image ID: sha256:" + "c".repeat(64));
    }

    @Override
    public String importImage(InputStream rootfs, String repo, String tag, List<String> changes, String message)
            throws IOException {
        calls.add("import " + new String(rootfs.readAllBytes(), StandardCharsets.UTF_8) + " " + repo + " " + tag + " "
                + changes + " " + message);
        return "sha256:" + "d".repeat(64);
    }

    @Override
    public List<SaveItem> planSave(List<String> names) {
        calls.add("planSave " + names);
        return names.stream().map(n -> new SaveItem("sha256:" + "e".repeat(64), List.of(n))).toList();
    }

    @Override
    public void save(List<SaveItem> items, OutputStream out) throws IOException {
        calls.add("save " + items.size());
        out.write("tar bytes".getBytes(StandardCharsets.US_ASCII));
    }
}
