package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.build.BuildCacheRecord;
import io.pouch.api.image.ImageDeleteItem;
import io.pouch.api.image.ImageHistoryItem;
import io.pouch.api.image.ImageInspect;
import io.pouch.api.image.ImageSummary;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.containerd.Content;
import io.pouch.daemon.containerd.Diff;
import io.pouch.daemon.containerd.ImageRecords;
import io.pouch.daemon.containerd.Leases;
import io.pouch.daemon.containerd.LocalContentStore;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.image.ImageIndex.ConfigEntry;
import io.pouch.daemon.image.ImageIndex.Found;
import io.pouch.daemon.query.Filters;
import io.pouch.daemon.registry.RegistryClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The image feature's facade: local images, all kept in containerd (blobs in its content store, one image record
 * per name, layers unpacked into overlayfs snapshots named by chain id), served from an in-memory index. It wires
 * the parts, each with one job: {@link ImageStore} (names, delete, prune), {@link ImageQueries} (list, inspect,
 * history), {@link ImageArchives} (load, import, save), {@link ImageCommitter}, {@link ImageDiskUsage}, and makes the
 * registry side ({@link ImagePuller}, {@link ImagePusher}) over the same parts. Writes run under a lease that is
 * dropped at the end, so an interrupted write leaves only garbage containerd collects; one lock serialises them.
 */
public final class ImageManager implements ImageLookup, ImageService, ImageSpecs {
    private final ImageIndex index = new ImageIndex();
    private final EventBus events;
    private final Content content;
    private final ImageLeases leases;
    private final LayerSnapshots layers;
    private final ImageWriter writer;
    private final ImageStore store;
    private final ImageQueries queries;
    private final ImageDiskUsage diskUsage;
    private final ImageArchives archives;
    private final ImageCommitter committer;
    private volatile ImageUsage usage = id -> List.of();
    private volatile Supplier<List<BuildCacheRecord>> buildCache = List::of;

    public ImageManager(Containerd ctd, DaemonConfig config, EventBus events) {
        this.events = events;
        // spools and staged blobs live in image/tmp, which reload() empties at start
        Path tmp = config.imagesDir().resolve("tmp");
        this.content = new Content(ctd, config.supervisesContainerd()
                ? LocalContentStore.of(config.containerdRoot(), tmp.resolve("blobs")) : Optional.empty());
        Snapshots snapshots = new Snapshots(ctd);
        Leases containerdLeases = new Leases(ctd);
        ReentrantLock lock = new ReentrantLock();
        ImageUsage users = new ImageUsage() {
            @Override
            public List<String> containersUsing(String imageId) {
                return usage.containersUsing(imageId);
            }

            @Override
            public List<String> runningContainersUsing(String imageId) {
                return usage.runningContainersUsing(imageId);
            }
        };
        this.leases = new ImageLeases(containerdLeases);
        this.layers = new LayerSnapshots(snapshots, containerdLeases, new Diff(ctd));
        this.writer = new ImageWriter(content, layers);
        this.store = new ImageStore(index, new ImageRecords(ctd), content, snapshots, events, users, lock);
        this.queries = new ImageQueries(index);
        this.diskUsage = new ImageDiskUsage(index, queries, users, () -> buildCache.get());
        this.archives = new ImageArchives(tmp, index, store, writer, leases, content, events, lock);
        this.committer = new ImageCommitter(index, store, writer, leases, lock);
    }

    /** Set by the daemon once the container manager exists (it depends on us for lookups). */
    public void setImageUsage(ImageUsage usage) {
        this.usage = usage;
    }

    /** Set by the daemon once the builder exists (it depends on us): its cache entries, for {@code /system/df}. */
    public void setBuildCache(Supplier<List<BuildCacheRecord>> buildCache) {
        this.buildCache = buildCache;
    }

    /** Rebuilds the index from containerd's image records and drops a dead pouchd's spools (startup). */
    public void reload() {
        archives.removeLeftoverSpools();
        store.reload();
    }

    /** The puller over this manager's store, for the pull routes (one per daemon: it shares downloads). */
    public PullService puller(RegistryClient registry) {
        return puller(registry, null);
    }

    /** The same with P2P: layers come through {@code peers}, or from the registry alone when it is null. */
    public PullService puller(RegistryClient registry, PeerPulls peers) {
        return new ImagePuller(store, content, layers, writer, leases, registry, events, peers);
    }

    public PushService pusher(RegistryClient registry) {
        return new ImagePusher(store, content, registry, events);
    }

    public ImageCommitter committer() {
        return committer;
    }

    @Override
    public LocalImage resolve(String reference) {
        Found f = index.find(reference);
        ConfigEntry c = index.configs.get(f.id());
        return new LocalImage(c.id(), f.name(), c.topChainId(), Snapshots.SNAPSHOTTER, c.run());
    }

    @Override
    public ObjectNode config(String reference) {
        return store.configJson(index.find(reference).id());
    }

    /** Number of images (distinct ids), for {@code /info}. */
    public int count() {
        return index.ids().size();
    }

    @Override
    public List<ImageSummary> list(Filters filters, ImageFields fields) {
        return queries.list(filters, fields, false);
    }

    @Override
    public List<ImageSummary> list(Filters filters, ImageFields fields, boolean all) {
        return queries.list(filters, fields, all);
    }

    @Override
    public ImageInspect inspect(String reference, ImageFields fields) {
        return queries.inspect(reference, fields);
    }

    @Override
    public List<ImageHistoryItem> history(String reference) {
        return queries.history(reference);
    }

    @Override
    public void tag(String source, String repo, String tag) {
        store.tag(source, repo, tag);
    }

    @Override
    public List<ImageDeleteItem> delete(String reference, boolean force) {
        return store.delete(reference, force, true);
    }

    @Override
    public List<ImageDeleteItem> delete(String reference, boolean force, boolean pruneParents) {
        return store.delete(reference, force, pruneParents);
    }

    @Override
    public Map<String, Object> prune(Filters filters) {
        return store.prune(filters);
    }

    @Override
    public Map<String, Object> diskUsage(ImageFields fields) {
        return diskUsage.diskUsage(fields);
    }

    @Override
    public List<String> load(InputStream archive) throws IOException {
        return archives.load(archive);
    }

    @Override
    public String importImage(InputStream rootfs, String repo, String tag, List<String> changes, String message)
            throws IOException {
        return archives.importImage(rootfs, repo, tag, changes, message);
    }

    @Override
    public List<SaveItem> planSave(List<String> names) {
        return archives.planSave(names);
    }

    @Override
    public void save(List<SaveItem> items, OutputStream out) throws IOException {
        archives.save(items, out);
    }
}
