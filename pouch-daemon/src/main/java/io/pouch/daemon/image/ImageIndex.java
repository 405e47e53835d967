package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import containerd.types.DescriptorOuterClass.Descriptor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The image manager's in-memory mirror of what containerd holds, so that resolve (called on every container
 * create) never goes to containerd: record names -> manifests -> parsed configs. Readers use it without a lock;
 * the manager mutates it under its own lock, after containerd has accepted the change.
 */
final class ImageIndex {
    /** Prefix of the record that keeps an untagged image (and its content) alive in containerd. */
    static final String DANGLING_PREFIX = "pouch-dangling@";

    record NameEntry(String name, String manifestDigest, Instant updatedAt) {
        boolean dangling() {
            return name.startsWith(DANGLING_PREFIX);
        }

        /** A digest record ({@code docker.io/library/busybox@sha256:..}). */
        boolean canonical() {
            return !dangling() && name.contains("@");
        }

        boolean tagged() {
            return !dangling() && !canonical();
        }
    }

    record ManifestEntry(String digest, String mediaType, long size, String configDigest, List<Descriptor> layers) {
        Descriptor descriptor() {
            return Descriptor.newBuilder().setMediaType(mediaType).setDigest(digest).setSize(size).build();
        }

        long layersSize() {
            return layers.stream().mapToLong(Descriptor::getSize).sum();
        }
    }

    /**
     * A parsed image config. {@code chainIds.getLast()} names the snapshot of the whole image.
     */
    record ConfigEntry(String id, ObjectNode json, List<String> diffIds, List<String> chainIds,
                       LocalImage.RunConfig run, Instant created, Map<String, String> labels) {
        String topChainId() {
            return chainIds.isEmpty() ? null : chainIds.getLast();
        }

        JsonNode field(String name) {
            return json.path(name);
        }
    }

    final Map<String, NameEntry> names = new ConcurrentHashMap<>();
    final Map<String, ManifestEntry> manifests = new ConcurrentHashMap<>();
    final Map<String, ConfigEntry> configs = new ConcurrentHashMap<>();

    String idOf(NameEntry n) {
        ManifestEntry m = manifests.get(n.manifestDigest());
        return m == null ? null : m.configDigest();
    }

    List<NameEntry> namesOf(String id) {
        List<NameEntry> out = new ArrayList<>();
        for (NameEntry n : names.values()) {
            if (id.equals(idOf(n))) {
                out.add(n);
            }
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    List<ManifestEntry> manifestsOf(String id) {
        return manifests.values().stream().filter(m -> m.configDigest().equals(id)).toList();
    }

    /** Ids that have at least one record (named, digest or dangling): the images that exist. */
    List<String> ids() {
        return names.values().stream().map(this::idOf).filter(i -> i != null && configs.containsKey(i))
                .distinct().toList();
    }
}
