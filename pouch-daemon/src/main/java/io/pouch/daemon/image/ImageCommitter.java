package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Descriptor;
import io.pouch.daemon.image.ImageIndex.ConfigEntry;
import io.pouch.daemon.image.ImageIndex.ManifestEntry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The image side of {@code docker commit}: a new image made of the parent image's layers plus one new layer whose
 * blob is already in containerd's content store, with a complete config; unpacked and named like any other image.
 */
public final class ImageCommitter {
    /** Stands for a layer file that is not there: the blob is in the store, so it is adopted and never read. */
    private static final Path STORED = Path.of("/nonexistent");

    private final ImageIndex index;
    private final ImageStore store;
    private final ImageWriter writer;
    private final ImageLeases leases;
    private final ReentrantLock lock;

    ImageCommitter(ImageIndex index, ImageStore store, ImageWriter writer, ImageLeases leases, ReentrantLock lock) {
        this.index = index;
        this.store = store;
        this.writer = writer;
        this.leases = leases;
        this.lock = lock;
    }

    /** The image config JSON of an image id (a copy), for building a committed image on top of it. */
    public ObjectNode configJson(String imageId) {
        return store.configJson(imageId);
    }

    /**
     * The size of the layer an image's last step added, as a build cache entry reports it: 0 when that step changed
     * the config alone (its history entry is an empty layer), or the image is gone.
     */
    public long lastLayerSize(String imageId) {
        ConfigEntry c = index.configs.get(imageId);
        if (c == null) {
            return 0;
        }
        var history = c.json().path("history");
        if (history.isArray() && !history.isEmpty() && history.get(history.size() - 1).path("empty_layer").asBoolean(false)) {
            return 0;
        }
        return index.manifestsOf(imageId).stream().map(ManifestEntry::layers).filter(l -> !l.isEmpty())
                .mapToLong(l -> l.getLast().size()).max().orElse(0);
    }

    /**
     * Stores a new image made of the parent image's layers plus {@code layer} (a blob already in containerd's
     * content store, kept by the caller's lease until this returns), with {@code config} (complete: rootfs.diff_ids
     * must already list the parent's diff ids and {@code diffId}). Unpacks it, names it {@code repo:tag} when repo
     * is given. Returns the new image id. A null {@code layer} makes an image of the parent's layers with a new
     * config alone (a build's ENV, CMD, LABEL... step).
     */
    public String commit(String parentId, Descriptor layer, String diffId, byte[] config, String repo, String tag)
            throws IOException {
        return commit(parentId, layer, diffId, config, repo, tag, null);
    }

    /**
     * A lease for a series of commits (a build): what they store stays until the images' records hold it, and what
     * no record came to hold goes when it is {@linkplain #release released}.
     */
    public String lease(String purpose) {
        try {
            return leases.create(purpose);
        } catch (ContainerdException e) {
            throw ImageStore.internal("cannot create a lease", e);
        }
    }

    public void release(String lease) {
        try {
            leases.delete(lease);
        } catch (ContainerdException e) {
            // it expires by itself
        }
    }

    /**
     * As {@link #commit} for an image whose layers are all in place: the parent's held by the parent image, the new
     * one's blob and committed snapshot (under its chain id) held by {@code lease} (from {@link #lease}), which then
     * holds config and manifest too. Only config, manifest and record are written: a build step's image.
     */
    public String commitInPlace(String lease, String parentId, Descriptor layer, String diffId, byte[] config)
            throws IOException {
        return commit(parentId, layer, diffId, config, null, null, lease);
    }

    private String commit(String parentId, Descriptor layer, String diffId, byte[] config, String repo, String tag,
                          String inPlaceLease) throws IOException {
        List<PendingImage.Layer> layers = new ArrayList<>();
        if (parentId != null) {
            ConfigEntry pc = index.configs.get(parentId);
            ManifestEntry pm = index.manifests.values().stream().filter(m -> m.configDigest().equals(parentId))
                    .findFirst().orElseThrow(() -> PouchException.notFound("No such image: " + parentId));
            for (int i = 0; i < pm.layers().size(); i++) {
                Descriptor d = pm.layers().get(i);
                layers.add(new PendingImage.Layer(STORED, d.digest(), d.size(), d.mediaType(), pc.diffIds().get(i)));
            }
        }
        if (layer != null) {
            layers.add(new PendingImage.Layer(STORED, layer.digest(), layer.size(), layer.mediaType(), diffId));
        }
        if (parentId != null) {
            // the base the image was made from, kept as Docker's image format names it: dockerd lists an untagged
            // parent only with -a and deletes it with its last child
            ObjectNode json = (ObjectNode) ArchiveLoader.parse(config, "committed config");
            json.put("parent", parentId);
            config = io.pouch.api.Json.MAPPER.writeValueAsBytes(json);
        }
        String configDigest = ChainIds.sha256(config);
        List<String> names = repo != null && !repo.isEmpty()
                ? List.of(Reference.parseNormalizedName(repo).tagged(tag).recordName()) : List.of();
        PendingImage p = new PendingImage(names, config, configDigest, layers,
                ArchiveLoader.schema2Manifest(configDigest, config.length, layers), ArchiveLoader.DOCKER_MANIFEST);
        if (inPlaceLease != null) {
            try {
                // nothing is unpacked: the store's lock is only taken by the record
                return store.record(p, writer.writeImageBlobs(inPlaceLease, p));
            } catch (ContainerdException e) {
                throw ImageStore.internal("storing the committed image failed", e);
            }
        }
        lock.lock();
        try {
            String lease = leases.create("commit");
            try {
                return store.record(p, writer.write(lease, p));
            } finally {
                leases.delete(lease);
            }
        } catch (ContainerdException e) {
            throw ImageStore.internal("storing the committed image failed", e);
        } finally {
            lock.unlock();
        }
    }
}
