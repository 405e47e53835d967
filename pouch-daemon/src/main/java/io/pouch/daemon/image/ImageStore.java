package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.PouchException;
import io.pouch.api.image.ImageDeleteItem;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Content;
import io.pouch.daemon.containerd.Descriptor;
import io.pouch.daemon.containerd.ImageRecord;
import io.pouch.daemon.containerd.ImageRecords;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.image.ImageIndex.ConfigEntry;
import io.pouch.daemon.image.ImageIndex.Found;
import io.pouch.daemon.image.ImageIndex.ManifestEntry;
import io.pouch.daemon.image.ImageIndex.NameEntry;
import io.pouch.daemon.query.Filters;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The local images' names and their removal: one containerd image record per name (target = the manifest), mirrored
 * in the {@link ImageIndex}; tag, delete and prune with dockerd's rules and wording. An untagged image still used by a
 * container keeps a {@code pouch-dangling@<manifest digest>} record. GC labels on the manifest (config and layers)
 * and the config (top snapshot) keep everything alive while a record points at the manifest. Changes are serialised
 * by the lock every image write shares (image changes are rare); lookups read the index without it.
 */
final class ImageStore {
    private static final Logger LOG = Logger.getLogger(ImageStore.class.getName());

    private final ImageIndex index;
    private final ImageRecords records;
    private final Content content;
    private final Snapshots snapshots;
    private final EventBus events;
    private final ImageUsage usage;
    private final ReentrantLock lock;

    ImageStore(ImageIndex index, ImageRecords records, Content content, Snapshots snapshots, EventBus events,
               ImageUsage usage, ReentrantLock lock) {
        this.index = index;
        this.records = records;
        this.content = content;
        this.snapshots = snapshots;
        this.events = events;
        this.usage = usage;
        this.lock = lock;
    }

    // ------------------------------------------------------------------ startup

    /** Rebuilds the index from containerd's image records (startup). Unreadable records are skipped. */
    void reload() {
        lock.lock();
        try {
            index.names.clear();
            index.manifests.clear();
            index.configs.clear();
            for (ImageRecord img : records.list()) {
                try {
                    ManifestEntry m = loadManifest(img.target());
                    index.names.put(img.name(), new NameEntry(img.name(), m.digest(), img.updatedAt()));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "skipping image " + img.name() + ": " + e.getMessage());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private ManifestEntry loadManifest(Descriptor target) {
        ManifestEntry cached = index.manifests.get(target.digest());
        if (cached != null) {
            return cached;
        }
        JsonNode node = ArchiveLoader.parse(content.read(target.digest()), "manifest " + target.digest());
        String mt = node.path("mediaType").asText(target.mediaType());
        if (mt.equals(ArchiveLoader.OCI_INDEX) || mt.equals(ArchiveLoader.DOCKER_LIST) || node.has("manifests")) {
            for (JsonNode m : node.path("manifests")) {
                JsonNode p = m.path("platform");
                if ((p.isMissingNode() || "amd64".equals(p.path("architecture").asText()))
                        && content.info(m.path("digest").asText()).isPresent()) {
                    return loadManifest(descriptor(m));
                }
            }
            throw new IllegalStateException("no manifest for linux/amd64 present in index " + target.digest());
        }
        List<Descriptor> layers = new ArrayList<>();
        node.path("layers").forEach(l -> layers.add(descriptor(l)));
        String configDigest = node.path("config").path("digest").asText();
        ManifestEntry m = new ManifestEntry(target.digest(), target.mediaType(), target.size(), configDigest,
                List.copyOf(layers));
        if (!index.configs.containsKey(configDigest)) {
            index.configs.put(configDigest, ImageConfigs.parse(configDigest, content.read(configDigest)));
        }
        index.manifests.put(m.digest(), m);
        return m;
    }

    private static Descriptor descriptor(JsonNode d) {
        return new Descriptor(d.path("mediaType").asText(), d.path("digest").asText(), d.path("size").asLong());
    }

    // ------------------------------------------------------------------ records

    /**
     * Indexes an image whose blobs and snapshots are stored and gives it its names (or a dangling record). Returns
     * the image id.
     */
    String record(PendingImage p, String manifestDigest) {
        lock.lock();
        try {
            ManifestEntry m = new ManifestEntry(manifestDigest, p.manifestMediaType(), p.manifest().length,
                    p.configDigest(), p.layerDescriptors());
            index.configs.putIfAbsent(p.configDigest(), ImageConfigs.parse(p.configDigest(), p.config()));
            index.manifests.put(manifestDigest, m);
            if (p.names().isEmpty()) {
                if (index.namesOf(p.configDigest()).isEmpty()) {
                    putRecord(ImageIndex.DANGLING_PREFIX + manifestDigest, m);
                }
            } else {
                for (String name : p.names()) {
                    assignName(name, m);
                }
            }
            return p.configDigest();
        } finally {
            lock.unlock();
        }
    }

    private void putRecord(String name, ManifestEntry m) {
        ImageRecord img = records.put(null, name, m.descriptor(), Map.of());
        index.names.put(name, new NameEntry(name, m.digest(), img.updatedAt()));
    }

    private void removeRecord(String name) {
        records.delete(name);
        index.names.remove(name);
    }

    /** Points {@code name} at {@code m}; the image that loses its last name stays as a dangling image. */
    private void assignName(String name, ManifestEntry m) {
        NameEntry old = index.names.get(name);
        if (old != null && old.manifestDigest().equals(m.digest())) {
            return; // already so (a rebuild from the cache tags the same image again)
        }
        putRecord(name, m);
        if (old != null && !old.manifestDigest().equals(m.digest())) {
            ManifestEntry oldM = index.manifests.get(old.manifestDigest());
            if (oldM != null && !oldM.configDigest().equals(m.configDigest()) && index.namesOf(oldM.configDigest()).isEmpty()) {
                putRecord(ImageIndex.DANGLING_PREFIX + oldM.digest(), oldM);
            }
        }
        for (NameEntry n : index.namesOf(m.configDigest())) {
            if (n.dangling()) {
                removeRecord(n.name());
            }
        }
    }

    /** The manifest digest record {@code recordName} points at, or null. */
    String manifestDigestOf(String recordName) {
        NameEntry n = index.names.get(recordName);
        return n == null ? null : n.manifestDigest();
    }

    /** The image config JSON of an image id (a copy), for building a committed image on top of it. */
    ObjectNode configJson(String imageId) {
        ConfigEntry c = index.configs.get(imageId);
        if (c == null) {
            throw PouchException.notFound("No such image: " + imageId);
        }
        return c.json().deepCopy();
    }

    /** What a push sends: the stored manifest of {@code reference}, and the other names of that image. */
    record PushSource(ManifestEntry manifest, byte[] manifestBytes, List<String> otherNames) {
    }

    PushSource pushSource(String reference) {
        Found f = index.find(reference);
        NameEntry n = index.names.get(f.name());
        ManifestEntry m = n != null ? index.manifests.get(n.manifestDigest()) : index.manifestsOf(f.id()).getFirst();
        List<String> others = index.namesOf(f.id()).stream().map(NameEntry::name).filter(x -> !x.equals(f.name())).toList();
        return new PushSource(m, content.read(m.digest()), others);
    }

    // ------------------------------------------------------------------ tag / delete / prune

    /** {@code POST /images/{name}/tag?repo=&tag=}. */
    void tag(String source, String repo, String tag) {
        if (repo == null || repo.isEmpty()) {
            throw PouchException.invalidArgument("repository name must have at least one component");
        }
        Reference target = Reference.newTag(repo, tag);
        lock.lock();
        try {
            Found f = index.find(source);
            ManifestEntry m = f.ref() != null ? index.manifests.get(index.names.get(f.name()) != null
                    ? index.names.get(f.name()).manifestDigest() : "") : null;
            if (m == null) {
                m = index.manifestsOf(f.id()).getFirst();
            }
            assignName(target.recordName(), m);
            events.publish(Event.of("image", "tag", f.id(), Map.of("name", target.familiar())));
        } catch (ContainerdException e) {
            throw internal("tagging failed in containerd", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code DELETE /images/{name}}, with dockerd's rules and wording. By name: the name goes (with the digest
     * references of its repository when no tag of that repository is left); an image left without names is deleted
     * unless a running container uses it (then it stays, dangling). A stopped container's image is only removed by
     * name with {@code force} when it is its last reference (else 409); with force it is deleted as dockerd does,
     * the container keeps its snapshot. By id: all its names and the image go; refused (409) while a running
     * container uses it, and without force while a stopped one does or it has names in several repositories.
     * An image that is another's parent is never deleted (by id a 409; by name it stays, untagged); once an image is
     * deleted its parent goes too when {@code pruneParents} and nothing else holds it (no name, no other child, no
     * container), and so on up: the intermediate images of a build go with its result.
     */
    List<ImageDeleteItem> delete(String reference, boolean force, boolean pruneParents) {
        lock.lock();
        try {
            Found f = index.find(reference);
            String id = f.id();
            List<NameEntry> refs = named(id);
            boolean single = isSingleReference(refs);
            List<String> users = usage.containersUsing(id);
            List<String> running = usage.runningContainersUsing(id);
            List<ImageDeleteItem> out = new ArrayList<>();
            boolean byId = f.ref() == null || !index.names.containsKey(f.name());
            String child = index.childOf(id);
            if (byId && child != null) {
                throw PouchException.conflict("conflict: unable to delete " + shortId(id)
                        + " (cannot be forced) - image has dependent child images");
            }
            String parent = index.parentOf(id);
            if (!byId) {
                if (!force && single && !users.isEmpty()) {
                    throw PouchException.conflict("conflict: unable to remove repository reference \"" + reference
                            + "\" (must force) - container " + shortId(users.getFirst())
                            + " is using its referenced image " + shortId(id));
                }
                ManifestEntry m = index.manifests.get(index.names.get(f.name()).manifestDigest());
                NameEntry removed = index.names.get(f.name());
                removeRecord(f.name());
                out.add(ImageDeleteItem.untagged(Reference.parseNormalized(f.name()).familiar()));
                events.publish(Event.of("image", "untag", id, Map.of("name", id)));
                if (removed.tagged()) {
                    out.addAll(untagDigestsOfRepository(id, repository(removed)));
                }
                if (!named(id).isEmpty()) {
                    return out;
                }
                if (child != null || !running.isEmpty() || (!force && !users.isEmpty())) {
                    // dockerd keeps an image a container or a child image still needs, now without a name
                    putRecord(ImageIndex.DANGLING_PREFIX + m.digest(), m);
                    return out;
                }
            } else {
                if (!running.isEmpty()) {
                    throw PouchException.conflict("conflict: unable to delete " + shortId(id)
                            + " (cannot be forced) - image is being used by running container "
                            + shortId(running.getFirst()));
                }
                if (!force && (single || refs.isEmpty()) && !users.isEmpty()) {
                    throw PouchException.conflict("conflict: unable to delete " + shortId(id)
                            + " (must be forced) - image is being used by stopped container " + shortId(users.getFirst()));
                }
                if (!force && !single && !refs.isEmpty()) {
                    throw PouchException.conflict("conflict: unable to delete " + shortId(id)
                            + " (must be forced) - image is referenced in multiple repositories");
                }
                for (NameEntry n : refs) {
                    removeRecord(n.name());
                    out.add(ImageDeleteItem.untagged(Reference.parseNormalized(n.name()).familiar()));
                    events.publish(Event.of("image", "untag", id, Map.of("name", id)));
                }
            }
            out.addAll(removeImage(id));
            if (pruneParents) {
                out.addAll(removeUnusedParents(parent));
            }
            return out;
        } catch (ContainerdException e) {
            throw internal("removing the image from containerd failed", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * dockerd's prune of the parents after a delete: {@code parent}, then its parent..., each deleted while it has no
     * name, no child and no container; the first one held stops it, quietly.
     */
    private List<ImageDeleteItem> removeUnusedParents(String parent) {
        List<ImageDeleteItem> out = new ArrayList<>();
        String p = parent;
        while (p != null && index.configs.containsKey(p) && named(p).isEmpty() && index.childOf(p) == null
                && usage.containersUsing(p).isEmpty()) {
            String next = index.parentOf(p);
            out.addAll(removeImage(p));
            p = next;
        }
        return out;
    }

    /** The tag and digest references of image {@code id} (not its dangling record). */
    private List<NameEntry> named(String id) {
        return index.namesOf(id).stream().filter(n -> !n.dangling()).toList();
    }

    private static String repository(NameEntry n) {
        return Reference.parseNormalized(n.name()).name();
    }

    /**
     * dockerd's rule after a tag went: when no tag of that repository is left on the image, its digest references
     * in that repository go too (untagged, without an event of their own).
     */
    private List<ImageDeleteItem> untagDigestsOfRepository(String id, String repository) {
        List<NameEntry> left = named(id);
        if (left.stream().anyMatch(n -> n.tagged() && repository(n).equals(repository))) {
            return List.of();
        }
        List<ImageDeleteItem> out = new ArrayList<>();
        for (NameEntry n : left) {
            if (n.canonical() && repository(n).equals(repository)) {
                removeRecord(n.name());
                out.add(ImageDeleteItem.untagged(Reference.parseNormalized(n.name()).familiar()));
            }
        }
        return out;
    }

    /**
     * dockerd's {@code isSingleReference}: one name, or at most one tag with digest references all in its
     * repository (or digest references of one repository alone).
     */
    static boolean isSingleReference(List<NameEntry> refs) {
        if (refs.size() <= 1) {
            return refs.size() == 1;
        }
        NameEntry single = null;
        Set<String> digestRepos = new HashSet<>();
        for (NameEntry n : refs) {
            if (n.canonical()) {
                digestRepos.add(repository(n));
            } else if (single == null) {
                single = n;
            } else {
                return false;
            }
        }
        String repo = repository(single == null ? refs.getFirst() : single);
        return digestRepos.size() == 1 && digestRepos.contains(repo);
    }

    /**
     * {@code POST /images/prune}: removes images no container uses; only untagged ones unless
     * {@code dangling=false}. Returns dockerd's answer ({@code ImagesDeleted}, {@code SpaceReclaimed}).
     */
    Map<String, Object> prune(Filters filters) {
        filters.validate(Set.of("dangling", "label", "label!"));
        boolean danglingOnly = filters.bool("dangling").orElse(true);
        List<ImageDeleteItem> deleted = new ArrayList<>();
        long reclaimed = 0;
        lock.lock();
        try {
            // as dockerd: only images that are no other's parent are candidates, each taking its untagged parents
            // along; without dangling-only a parent whose children went is a candidate on the next round
            boolean again = true;
            while (again) {
                again = false;
                Set<String> parents = index.parents();
                for (String id : List.copyOf(index.ids())) {
                    ConfigEntry c = index.configs.get(id);
                    if (c == null || parents.contains(id) || !usage.containersUsing(id).isEmpty()) {
                        continue;
                    }
                    if (danglingOnly && !index.repoTags(id).isEmpty()) {
                        continue;
                    }
                    if (filters.has("label") && !filters.matchesLabels("label", c.labels())) {
                        continue;
                    }
                    if (filters.has("label!") && filters.matchesLabels("label!", c.labels())) {
                        continue;
                    }
                    String parent = index.parentOf(id);
                    reclaimed += index.size(id);
                    for (NameEntry n : index.namesOf(id)) {
                        if (!n.dangling()) {
                            deleted.add(ImageDeleteItem.untagged(Reference.parseNormalized(n.name()).familiar()));
                        }
                    }
                    deleted.addAll(removeImage(id));
                    for (ImageDeleteItem gone : removeUnusedParents(parent)) {
                        deleted.add(gone);
                    }
                    again = !danglingOnly;
                }
            }
        } catch (ContainerdException e) {
            throw internal("pruning images in containerd failed", e);
        } finally {
            lock.unlock();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ImagesDeleted", deleted.isEmpty() ? null : deleted);
        out.put("SpaceReclaimed", reclaimed);
        events.publish(Event.of("image", "prune", "", Map.of("reclaimed", Long.toString(reclaimed))));
        return out;
    }

    /** Removes every record, blob and snapshot of image {@code id} that no other image shares. */
    private List<ImageDeleteItem> removeImage(String id) {
        List<ImageDeleteItem> out = new ArrayList<>();
        for (NameEntry n : index.namesOf(id)) {
            removeRecord(n.name());
        }
        ConfigEntry c = index.configs.get(id);
        List<ManifestEntry> mine = index.manifestsOf(id);
        Set<String> otherLayers = new HashSet<>();
        Set<String> otherChains = new HashSet<>();
        for (ManifestEntry m : index.manifests.values()) {
            if (!m.configDigest().equals(id)) {
                m.layers().forEach(l -> otherLayers.add(l.digest()));
                ConfigEntry oc = index.configs.get(m.configDigest());
                if (oc != null) {
                    otherChains.addAll(oc.chainIds());
                }
            }
        }
        for (ManifestEntry m : mine) {
            content.delete(m.digest());
            index.manifests.remove(m.digest());
        }
        content.delete(id);
        for (ManifestEntry m : mine) {
            for (Descriptor l : m.layers()) {
                if (!otherLayers.contains(l.digest())) {
                    content.delete(l.digest());
                }
            }
        }
        out.add(ImageDeleteItem.deleted(id));
        if (c != null) {
            List<String> chain = new ArrayList<>(c.chainIds());
            Collections.reverse(chain);
            for (String chainId : chain) {
                if (otherChains.contains(chainId) || !snapshots.remove(chainId)) {
                    break;
                }
                out.add(ImageDeleteItem.deleted(chainId));
            }
        }
        index.configs.remove(id);
        events.publish(Event.of("image", "delete", id, Map.of("name", id)));
        return out;
    }

    private static String shortId(String id) {
        String hex = id.startsWith("sha256:") ? id.substring(7) : id;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    /** A failed containerd call of an image change, as the Engine API reports it: 500 saying what failed. */
    static PouchException internal(String what, ContainerdException e) {
        return PouchException.internal(what + ": " + e.getMessage(), e);
    }
}
