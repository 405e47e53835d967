package io.pouch.daemon.cri.image;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.image.ImageConfig;
import io.pouch.api.image.ImageDeleteItem;
import io.pouch.api.image.ImageHistoryItem;
import io.pouch.api.image.ImageInspect;
import io.pouch.api.image.ImageSummary;
import io.pouch.daemon.image.ImageFields;
import io.pouch.daemon.image.ImageService;
import io.pouch.daemon.image.ImageSpecs;
import io.pouch.daemon.image.Reference;
import io.pouch.daemon.query.Filters;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;

/**
 * The images of a CRI test: each with its docker-style (short) names as the engine shows them, resolved by id, by
 * any spelling of a name, or by digest reference; delete follows the engine's rule the CRI service works around
 * (an image a running container uses cannot be deleted by id, even forced), and every delete is written down.
 */
final class FakeImages implements ImageService, ImageSpecs {
    private final Map<String, Stored> images = new LinkedHashMap<>();
    final Set<String> running = new HashSet<>();
    final List<String> deletes = new ArrayList<>();
    RuntimeException deleteFailure;

    private static final class Stored {
        final String id;
        final List<String> tags;
        final List<String> digests;
        final String user;
        final long size;
        final ObjectNode config;

        Stored(String id, List<String> tags, List<String> digests, String user, long size, ObjectNode config) {
            this.id = id;
            this.tags = new ArrayList<>(tags);
            this.digests = new ArrayList<>(digests);
            this.user = user;
            this.size = size;
            this.config = config;
        }
    }

    static String id(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    FakeImages add(String id, List<String> tags, List<String> digests, String user, long size) {
        ObjectNode config = Json.MAPPER.createObjectNode();
        config.put("created", "2024-01-02T03:04:05Z");
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.putObject("config").put("User", user == null ? "" : user);
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(id('d')).add(id('e'));
        config.putObject("container_config").put("Hostname", "docker-only");
        images.put(id, new Stored(id, tags, digests, user, size, config));
        return this;
    }

    private Stored find(String reference) {
        Stored byId = images.get(reference);
        if (byId != null) {
            return byId;
        }
        String wanted = Reference.parseNormalized(reference).toString();
        for (Stored s : images.values()) {
            for (String n : s.tags) {
                if (Reference.parseNormalized(n).toString().equals(wanted)) {
                    return s;
                }
            }
            for (String n : s.digests) {
                if (Reference.parseNormalized(n).toString().equals(wanted)) {
                    return s;
                }
            }
        }
        throw PouchException.notFound("No such image: " + reference);
    }

    @Override
    public List<ImageSummary> list(Filters filters, ImageFields fields) {
        return images.values().stream().map(s -> new ImageSummary(s.id, "", s.tags, s.digests, 0, s.size, -1, null,
                Map.of(), -1)).toList();
    }

    @Override
    public ImageInspect inspect(String reference, ImageFields fields) {
        Stored s = find(reference);
        ImageConfig config = Json.MAPPER.convertValue(Map.of("User", s.user == null ? "" : s.user), ImageConfig.class);
        return new ImageInspect(s.id, List.copyOf(s.tags), List.copyOf(s.digests), "", "", "2024-01-02T03:04:05Z",
                null, null, "", "", config, "amd64", null, "linux", s.size, null,
                new ImageInspect.GraphDriver("overlayfs", Map.of()), new ImageInspect.RootFS("layers", List.of()),
                new ImageInspect.Metadata("0001-01-01T00:00:00Z"));
    }

    @Override
    public ObjectNode config(String reference) {
        return find(reference).config.deepCopy();
    }

    @Override
    public List<ImageDeleteItem> delete(String reference, boolean force) {
        deletes.add(reference + (force ? " force" : ""));
        if (deleteFailure != null) {
            throw deleteFailure;
        }
        Stored s = find(reference);
        if (reference.equals(s.id)) {
            if (running.contains(s.id)) {
                throw PouchException.conflict("conflict: unable to delete " + s.id.substring(7, 19)
                        + " (cannot be forced) - image is being used by running container 0123456789ab");
            }
            images.remove(s.id);
            return List.of(ImageDeleteItem.deleted(s.id));
        }
        String wanted = Reference.parseNormalized(reference).toString();
        s.tags.removeIf(n -> Reference.parseNormalized(n).toString().equals(wanted));
        s.digests.removeIf(n -> Reference.parseNormalized(n).toString().equals(wanted));
        if (s.tags.isEmpty() && s.digests.isEmpty() && !running.contains(s.id)) {
            images.remove(s.id);
        }
        return List.of(ImageDeleteItem.untagged(reference));
    }

    boolean has(String id) {
        return images.containsKey(id);
    }

    List<String> namesOf(String id) {
        Stored s = images.get(id);
        List<String> out = new ArrayList<>(s.tags);
        out.addAll(s.digests);
        return out;
    }

    @Override
    public List<ImageHistoryItem> history(String reference) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void tag(String source, String repo, String tag) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Map<String, Object> prune(Filters filters) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Map<String, Object> diskUsage(ImageFields fields) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<String> load(InputStream archive) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String importImage(InputStream rootfs, String repo, String tag, List<String> changes, String message) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<io.pouch.daemon.image.SaveItem> planSave(List<String> names) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void save(List<io.pouch.daemon.image.SaveItem> items, OutputStream out) {
        throw new UnsupportedOperationException();
    }
}
