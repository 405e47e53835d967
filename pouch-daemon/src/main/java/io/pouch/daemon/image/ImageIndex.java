package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.Descriptor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The in-memory mirror of what containerd holds of the local images, so that resolve (called on every container
 * create) never goes to containerd: record names -> manifests -> parsed configs. Readers use it without a lock;
 * {@link ImageStore} mutates it under its lock, after containerd has accepted the change.
 */
final class ImageIndex {
    /** Prefix of the record that keeps an untagged image (and its content) alive in containerd. */
    static final String DANGLING_PREFIX = "pouch-dangling@";
    private static final Pattern FULL_ID = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final Pattern ID_PREFIX = Pattern.compile("(sha256:)?[a-f0-9]{1,64}");

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
            return new Descriptor(mediaType, digest, size);
        }

        long layersSize() {
            return layers.stream().mapToLong(Descriptor::size).sum();
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

    /** What a user typed, resolved to an image id and the record name that matched (the id when by id). */
    record Found(String id, String name, Reference ref) {
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

    /**
     * Resolves {@code busybox}, {@code busybox:latest}, {@code name@sha256:..}, a full image id or a unique id prefix.
     *
     * @throws PouchException 404 {@code No such image: <reference>}, or 400 for a reference that cannot be parsed
     */
    Found find(String reference) {
        if (reference == null || reference.isBlank()) {
            throw PouchException.notFound("No such image: " + reference);
        }
        if (FULL_ID.matcher(reference).matches() && configs.containsKey(reference) && hasRecord(reference)) {
            return new Found(reference, reference, null);
        }
        PouchException parseError = null;
        Reference ref = null;
        try {
            ref = Reference.parseNormalized(reference);
        } catch (PouchException e) {
            parseError = e;
        }
        if (ref != null) {
            NameEntry n = names.get(ref.recordName());
            if (n != null && idOf(n) != null && configs.containsKey(idOf(n))) {
                return new Found(idOf(n), n.name(), ref);
            }
            if (ref.digest() != null) {
                // name@<manifest digest>: any record of that repository pointing at that manifest
                for (NameEntry e : names.values()) {
                    if (e.manifestDigest().equals(ref.digest()) && e.name().startsWith(ref.name()) && idOf(e) != null) {
                        return new Found(idOf(e), ref.recordName(), ref);
                    }
                }
            }
        }
        if (ID_PREFIX.matcher(reference).matches()) {
            String prefix = reference.startsWith("sha256:") ? reference : "sha256:" + reference;
            List<String> hits = ids().stream().filter(id -> id.startsWith(prefix)).toList();
            if (hits.size() == 1) {
                return new Found(hits.getFirst(), hits.getFirst(), null);
            }
        }
        if (parseError != null) {
            throw parseError;
        }
        throw PouchException.notFound("No such image: " + reference);
    }

    /**
     * The image {@code id} was made from (a {@code docker commit} or build step's base, the config's {@code parent}
     * as Docker's image format names it), or null when it has none or that image is gone.
     */
    String parentOf(String id) {
        ConfigEntry c = configs.get(id);
        String p = c == null ? "" : c.json().path("parent").asText("");
        return !p.isEmpty() && !p.equals(id) && configs.containsKey(p) && hasRecord(p) ? p : null;
    }

    /** The ids of the images that are the parent of another image (dockerd hides those when untagged). */
    Set<String> parents() {
        Set<String> out = new HashSet<>();
        for (String id : ids()) {
            String p = parentOf(id);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /** The first image whose parent is {@code id}, or null. */
    String childOf(String id) {
        for (String other : ids()) {
            if (id.equals(parentOf(other))) {
                return other;
            }
        }
        return null;
    }

    private boolean hasRecord(String id) {
        return names.values().stream().anyMatch(n -> id.equals(idOf(n)));
    }

    /** The familiar tags of image {@code id} ({@code busybox:latest}). */
    List<String> repoTags(String id) {
        return namesOf(id).stream().filter(NameEntry::tagged)
                .map(n -> Reference.parseNormalized(n.name()).familiar()).toList();
    }

    /** The familiar digest references of image {@code id} ({@code busybox@sha256:..}). */
    List<String> repoDigests(String id) {
        return namesOf(id).stream().filter(NameEntry::canonical)
                .map(n -> Reference.parseNormalized(n.name()).familiar()).toList();
    }

    /** The size of image {@code id}: its layers' blobs (the largest manifest's, should it have several). */
    long size(String id) {
        return manifestsOf(id).stream().mapToLong(ManifestEntry::layersSize).max().orElse(0);
    }
}
