package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;
import io.pouch.daemon.config.RegistryConfig;
import io.pouch.daemon.containerd.BlobSink;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Content;
import io.pouch.daemon.containerd.Descriptor;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.p2p.P2pTransfer;
import io.pouch.daemon.registry.Credentials;
import io.pouch.daemon.registry.RegistryClient;
import io.pouch.daemon.registry.RegistryException;
import io.pouch.daemon.registry.Repository;
import io.pouch.daemon.sys.Trace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import java.util.logging.Logger;

/**
 * {@code POST /images/create?fromImage=}: resolves the manifest (errors before the stream starts are plain
 * statuses), then streams the missing layers, three at a time and earliest first ({@link DownloadOrder}), from
 * the registry into containerd's content store ({@link BlobSink}; each blob's digest is checked on commit). Each
 * layer is unpacked in chain order as soon as it is stored (its snapshot prepared while it downloads) and its diff
 * id checked; the config and manifest are stored meanwhile, so only the image records are written at the end.
 * Everything is held by the pull's lease until then, so an interrupted pull leaves nothing. A layer another pull is
 * already downloading is waited for, not fetched twice.
 */
final class ImagePuller implements PullService {
    private static final Logger LOG = Logger.getLogger(ImagePuller.class.getName());
    private static final int PARALLEL = Integer.getInteger("pouch.pull.parallel", 3);
    private static final long PROGRESS_STEP = 512 << 10;
    /** Stands for a layer file that is not there: a blob in the store is adopted, one that is not fails to open. */
    private static final Path STORED = Path.of("/nonexistent");

    private final ImageStore store;
    private final Content content;
    private final LayerSnapshots layers;
    private final ImageWriter writer;
    private final ImageLeases leases;
    private final RegistryClient registry;
    private final EventBus events;
    /** Null: layers come from the registry alone ({@link Repository#streamBlob}), as without P2P. */
    private final PeerPulls peers;
    private final Map<String, CompletableFuture<Downloaded>> inFlight = new ConcurrentHashMap<>();
    private final Semaphore slots = new Semaphore(PARALLEL);

    ImagePuller(ImageStore store, Content content, LayerSnapshots layers, ImageWriter writer, ImageLeases leases,
                RegistryClient registry, EventBus events, PeerPulls peers) {
        this.store = store;
        this.content = content;
        this.layers = layers;
        this.writer = writer;
        this.leases = leases;
        this.registry = registry;
        this.events = events;
        this.peers = peers;
    }

    /** One pull's layer bytes by where they came from, for its last status line when P2P is on. */
    private record PullTally(LongAdder fromRegistry, LongAdder fromPeers) {
        PullTally() {
            this(new LongAdder(), new LongAdder());
        }
    }

    /** A layer blob committed in containerd's content store under the pull's lease (digest and size checked). */
    private record Downloaded() {
    }

    static Reference reference(String fromImage, String tag) {
        Reference r = Reference.parseNormalized(fromImage);
        if (tag != null && !tag.isEmpty()) {
            if (Reference.isDigest(tag)) {
                return new Reference(r.domain(), r.path(), null, tag);
            }
            if (!Reference.isValidTag(tag)) {
                throw PouchException.invalidArgument("invalid tag format");
            }
            return r.withTag(tag);
        }
        return r.tag() == null && r.digest() == null ? r.withTag(Reference.DEFAULT_TAG) : r;
    }

    /**
     * Docker's semantics of {@code POST /images/create}: no tag parameter and a name without tag or digest pulls
     * every tag of the repository ({@code docker pull --all-tags}).
     */
    static boolean allTags(String fromImage, String tag) {
        if (tag != null && !tag.isEmpty()) {
            return false;
        }
        Reference r = Reference.parseNormalizedName(fromImage);
        return r.tag() == null && r.digest() == null;
    }

    /** The tags of {@code fromImage}'s repository, for {@link #allTags}. */
    @Override
    public List<String> tags(String fromImage, Credentials creds) {
        Reference ref = Reference.parseNormalizedName(fromImage);
        Repository repo = registry.repository(fetchDomain(ref, fromImage),
                fetchPath(ref, fromImage, registry.config().defaultNamespace()), creds, false);
        List<String> tags = repo.tags(ref.familiar());
        if (tags.isEmpty()) {
            throw PouchException.notFound("repository " + ref.familiar() + " has no tags");
        }
        return tags;
    }

    /** The domain to fetch from: Pouch's default-registry replaces docker.io unless the user wrote docker.io. */
    private String fetchDomain(Reference ref, String fromImage) {
        String def = registry.config().defaultRegistry();
        if (ref.domain().equals(Reference.DEFAULT_DOMAIN) && def != null && !def.equals(Reference.DEFAULT_DOMAIN)
                && !fromImage.startsWith("docker.io/") && !fromImage.startsWith("index.docker.io/")) {
            return def;
        }
        return ref.domain();
    }

    /**
     * The repository path to fetch: a one-component name the user gave without a domain ({@code busybox}) lives
     * in Pouch's default-registry-namespace ({@code library} unless configured; empty: no namespace).
     */
    static String fetchPath(Reference ref, String fromImage, String namespace) {
        String lib = RegistryConfig.DEFAULT_NAMESPACE + "/";
        if (fromImage.contains("/") || namespace == null || namespace.equals(RegistryConfig.DEFAULT_NAMESPACE)
                || !ref.path().startsWith(lib)) {
            return ref.path();
        }
        String name = ref.path().substring(lib.length());
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }

    @Override
    public Plan resolve(String fromImage, String tag, String platform, Credentials creds) {
        Reference ref = reference(fromImage, tag);
        String[] want = platform(platform);
        Repository repo = registry.repository(fetchDomain(ref, fromImage),
                fetchPath(ref, fromImage, registry.config().defaultNamespace()), creds, false);
        String display = ref.familiar();
        Repository.Manifest top = repo.manifest(ref.digest() != null ? ref.digest() : ref.tag(), display);
        Repository.Manifest image = top;
        for (int depth = 0; image.isIndex(); depth++) {
            if (depth > 3) {
                throw new RegistryException(500, "image index of " + display + " nested too deeply");
            }
            JsonNode chosen = null;
            for (JsonNode m : image.json().path("manifests")) {
                JsonNode p = m.path("platform");
                if (want[0].equals(p.path("os").asText()) && want[1].equals(p.path("architecture").asText())
                        && (want[2] == null || want[2].equals(p.path("variant").asText()))) {
                    chosen = m;
                    break;
                }
            }
            if (chosen == null) {
                throw PouchException.notFound("no matching manifest for " + String.join("/", want[0], want[1])
                        + (want[2] == null ? "" : "/" + want[2]) + " in the manifest list entries of " + display);
            }
            image = repo.manifest(chosen.path("digest").asText(), display);
        }
        JsonNode m = image.json();
        String configDigest = m.path("config").path("digest").asText();
        if (!Reference.isDigest(configDigest)) {
            throw new RegistryException(500, "the manifest of " + display + " has no valid config digest");
        }
        List<JsonNode> manifestLayers = new ArrayList<>();
        for (JsonNode l : m.path("layers")) {
            if (!Reference.isDigest(l.path("digest").asText()) || l.path("size").asLong(-1) < 0) {
                throw new RegistryException(500, "the manifest of " + display + " lists a layer without a valid digest or size");
            }
            // zstd layers (tar+zstd) pass through as they are: containerd's diff service unpacks them itself
            manifestLayers.add(l);
        }
        byte[] config = repo.smallBlob(configDigest, m.path("config").path("size").asLong());
        List<String> diffIds = ArchiveLoader.diffIds(config, "config " + configDigest);
        if (diffIds.size() != manifestLayers.size()) {
            throw new RegistryException(500, "the manifest of " + display + " lists " + manifestLayers.size()
                    + " layers but its config has " + diffIds.size() + " diff ids");
        }
        return new Plan(ref, repo, top, image, config, configDigest, diffIds, manifestLayers);
    }

    /** {@code os/arch[/variant]}, default linux/amd64. */
    static String[] platform(String p) {
        if (p == null || p.isBlank()) {
            return new String[]{"linux", "amd64", null};
        }
        String[] parts = p.trim().toLowerCase().split("/");
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw PouchException.invalidArgument("invalid platform \"" + p + "\": expected os/arch[/variant]");
        }
        String arch = parts[1].equals("x86_64") || parts[1].equals("x86-64") ? "amd64" : parts[1];
        return new String[]{parts[0], arch, parts.length == 3 ? parts[2] : null};
    }

    private static String shortId(String digest) {
        return digest.substring(7, 19);
    }

    /** Streams the pull; throws on failure (the caller writes it as the stream's error message). */
    @Override
    public void pull(Plan plan, ProgressWriter out) throws IOException {
        Reference ref = plan.ref();
        String label = ref.tag() != null ? ref.tag() : ref.digest();
        Trace.mark("pull", shortId(plan.top().digest()), "planned");
        out.status(label, "Pulling from " + ref.path());
        String recordName = ref.recordName();
        if (plan.image().digest().equals(store.manifestDigestOf(recordName))) {
            out.status("Digest: " + plan.top().digest());
            out.status("Status: Image is up to date for " + ref.familiar());
            return;
        }
        List<String> ids = plan.layers().stream().map(l -> l.path("digest").asText()).toList();
        boolean[] present = new boolean[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            present[i] = content.info(ids.get(i)).isPresent();
            out.status(shortId(ids.get(i)), present[i] ? "Already exists" : "Pulling fs layer");
        }
        List<Future<Downloaded>> downloads = new ArrayList<>();
        PullTally tally = new PullTally();
        DownloadOrder order = new DownloadOrder(ids.size());
        UnpackHandoff[] handoffs = new UnpackHandoff[ids.size()];
        // each layer is stored into containerd by its download task and unpacked (in chain order) by the
        // unpacker below while later layers still download; a failed pull collects all that with this lease
        String lease = leases.create("pulling");
        boolean stored = false;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < ids.size(); i++) {
                if (present[i]) {
                    downloads.add(null);
                    continue;
                }
                JsonNode l = plan.layers().get(i);
                int index = i;
                UnpackHandoff handoff = LayerUnpacker.ENABLED ? new UnpackHandoff() : null;
                handoffs[i] = handoff;
                downloads.add(pool.submit(() -> layer(plan.repo(), l, out, lease, order, index, handoff, tally)));
            }
            Future<?> unpacked = pool.submit(() -> {
                unpackInOrder(plan, ids, downloads, lease, handoffs);
                return null;
            });
            List<PendingImage.Layer> pendingLayers = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                JsonNode l = plan.layers().get(i);
                String mt = l.path("mediaType").asText(ArchiveLoader.DOCKER_LAYER_GZIP);
                // file null: the blob is stored by its download (or was there), under the pull's lease
                pendingLayers.add(new PendingImage.Layer(null, ids.get(i), l.path("size").asLong(), mt,
                        plan.diffIds().get(i)));
            }
            List<String> names = new ArrayList<>();
            names.add(recordName);
            if (ref.digest() == null) {
                names.add(ref.name() + "@" + plan.top().digest());
            }
            PendingImage pending = new PendingImage(List.copyOf(names), plan.config(), plan.configDigest(),
                    List.copyOf(pendingLayers), plan.image().bytes(), plan.image().mediaType());
            // config and manifest need nothing downloaded: stored meanwhile, so only the records are left at the end
            Future<String> blobs = pool.submit(() -> storeImageBlobs(lease, pending));
            try {
                for (Future<Downloaded> d : downloads) {
                    if (d != null) {
                        awaitAny(d);
                    }
                }
                long unpackWait = System.nanoTime();
                awaitAny(unpacked);
                LOG.fine(() -> "pull " + ref.familiar() + ": waited " + (System.nanoTime() - unpackWait) / 1_000_000
                        + " ms for the unpacking after the downloads");
                for (int i = 0; i < ids.size(); i++) {
                    if (!present[i]) {
                        out.status(shortId(ids.get(i)), "Extracting");
                    }
                }
                long storeStart = System.nanoTime();
                String manifestDigest = awaitAny(blobs);
                String id = record(pending, manifestDigest);
                stored = true;
                Trace.mark("pull", shortId(plan.top().digest()), "recorded");
                LOG.fine(() -> "pull " + ref.familiar() + ": stored in " + (System.nanoTime() - storeStart) / 1_000_000 + " ms");
                for (int i = 0; i < ids.size(); i++) {
                    if (!present[i]) {
                        out.status(shortId(ids.get(i)), "Pull complete");
                    }
                }
                if (peers != null) {
                    out.status("P2P: " + PeerPulls.summary(tally.fromPeers.sum(), tally.fromRegistry.sum()));
                }
                out.status("Digest: " + plan.top().digest());
                out.status("Status: Downloaded newer image for " + ref.familiar());
                events.publish(Event.of("image", "pull", ref.familiar(), Map.of("name", ref.name())));
                if (id == null) {
                    throw new IllegalStateException("no image id");
                }
            } finally {
                for (Future<Downloaded> f : downloads) {
                    if (f != null) {
                        f.cancel(true);
                    }
                }
                unpacked.cancel(true);
                blobs.cancel(true);
            }
        } finally {
            try {
                // the image records hold everything now; a failed pull waits until containerd collected its layers
                leases.delete(lease, !stored);
            } catch (RuntimeException e) {
                LOG.warning("ending the lease " + lease + " of a pull failed: " + e);
            }
        }
    }

    /**
     * Unpacks the layers in chain order, each as soon as it is stored (layers that were already there are
     * adopted by the lease), so only the last layers' unpacking is left when the downloads end.
     */
    private void unpackInOrder(Plan plan, List<String> ids, List<Future<Downloaded>> downloads, String lease,
                               UnpackHandoff[] handoffs) throws Exception {
        List<String> chainIds = ChainIds.of(plan.diffIds());
        String parent = "";
        for (int i = 0; i < ids.size(); i++) {
            JsonNode l = plan.layers().get(i);
            long size = l.path("size").asLong();
            // the snapshot needs only its parent: prepared while the layer still downloads
            UnpackTarget target = layers.prepare(lease, chainIds.get(i), parent);
            // the download unpacks into it from here on, or has given that up
            boolean offered = handoffs[i] != null && handoffs[i].offer(target);
            String unpacked = null;
            try {
                if (downloads.get(i) == null) {
                    // present before the pull: keep it under this lease too (never opens the path)
                    keepStored(lease, ids.get(i), size);
                } else if (offered) {
                    unpacked = handoffs[i].awaitUnpacked(downloads.get(i));
                }
                if (unpacked == null && downloads.get(i) != null) {
                    downloads.get(i).get();
                }
            } catch (Exception | Error e) {
                try {
                    layers.abandon(target);
                } catch (RuntimeException cleanup) {
                    // the pull's lease still holds it: containerd collects it when the failed pull ends the lease
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            // unpacked while it downloaded: committed once its diff id matches, while containerd may still be
            // committing (fsync) the blob (the image is recorded only after every blob is committed); else Apply
            layers.finish(lease, target, offered ? handoffs[i] : null, unpacked, parent,
                    new Descriptor(l.path("mediaType").asText(ArchiveLoader.DOCKER_LAYER_GZIP), ids.get(i), size),
                    plan.diffIds().get(i));
            Trace.mark("layer", shortId(ids.get(i)), "snapshot committed");
            parent = chainIds.get(i);
        }
    }

    /**
     * A pull's config and manifest blobs, written under its lease while the layers still download (their labels
     * need only the manifest and the diff ids). Returns the manifest digest.
     */
    private String storeImageBlobs(String lease, PendingImage p) throws IOException {
        try {
            return writer.writeImageBlobs(lease, p);
        } catch (ContainerdException e) {
            throw ImageStore.internal("storing the pulled image in containerd failed", e);
        }
    }

    /**
     * Names the pulled image, whose blobs and snapshots are all stored under the pull's lease: only the records are
     * left to write, and the lease ends after. Returns the image id.
     */
    private String record(PendingImage p, String manifestDigest) {
        try {
            return store.record(p, manifestDigest);
        } catch (ContainerdException e) {
            throw ImageStore.internal("storing the pulled image in containerd failed", e);
        }
    }

    /** Puts a layer blob the store has (present before the pull, or stored by another) under the pull's lease. */
    private void keepStored(String lease, String digest, long size) throws IOException {
        content.write(lease, digest, size, () -> Files.newInputStream(STORED), Map.of());
    }

    private static void awaitTurn(DownloadOrder order, int index) {
        try {
            order.awaitTurn(index);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PouchException.internal("pull interrupted", e);
        }
    }

    private static <T> T awaitAny(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PouchException.internal("pull interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PouchException p) {
                throw p;
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw PouchException.internal("pull failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * One layer: joins a download of the same blob already running for another pull (the blob is then in the
     * content store: adopted under this pull's lease), or runs it. The bytes go from the registry into the blob's
     * sink for containerd's content store (the commit checks the expected digest and size) and through the
     * tar entry check at the same time, which unpacks the entries into the layer's snapshot once {@code handoff}
     * gives it and hashes what it unpacked (the diff id, checked before the snapshot is committed).
     */
    private Downloaded layer(Repository repo, JsonNode l, ProgressWriter out, String lease, DownloadOrder order,
                             int index, UnpackHandoff handoff, PullTally tally) throws Exception {
        String digest = l.path("digest").asText();
        long size = l.path("size").asLong();
        String id = shortId(digest);
        CompletableFuture<Downloaded> mine = new CompletableFuture<>();
        CompletableFuture<Downloaded> running = inFlight.putIfAbsent(digest, mine);
        if (running != null) {
            if (handoff != null) {
                handoff.giveUp(); // no bytes pass here: containerd unpacks the stored blob
            }
            out.status(id, "Waiting");
            Downloaded d = running.get();
            out.status(id, "Download complete");
            try {
                keepStored(lease, digest, size);
            } catch (IOException | RuntimeException gone) {
                throw PouchException.internal("layer " + digest + " vanished while another pull stored it", gone);
            }
            return d;
        }
        try {
            slots.acquire();
            BlobSink ingest;
            try {
                ingest = content.ingest(lease, digest, size);
            } catch (RuntimeException e) {
                slots.release();
                throw e;
            }
            StreamingLayerCheck[] check = {new StreamingLayerCheck("layer " + digest, false, handoff)};
            boolean[] exists = {false};
            boolean slotHeld = true;
            try {
                long[] last = {0};
                long t0 = System.nanoTime();
                order.progressed(index);
                LongConsumer progress = current -> {
                    if (current - last[0] >= PROGRESS_STEP || current == size) {
                        last[0] = current;
                        out.progress(id, "Downloading", current, size);
                    }
                };
                Repository.ChunkSink sink = (offset, data, len) -> {
                    check[0].accept(offset, data, len);
                    if (!exists[0]) {
                        try {
                            ingest.write(offset, data, 0, len);
                        } catch (ContainerdException e) {
                            if (!e.isAlreadyExists()) {
                                throw e;
                            }
                            exists[0] = true; // another pull stored it meanwhile: adopted below
                        }
                    }
                    awaitTurn(order, index);
                };
                try {
                    if (peers == null) {
                        repo.streamBlob(digest, size, progress, sink);
                    } else {
                        P2pTransfer t = peers.stream(repo, digest, size, progress, sink);
                        tally.fromRegistry.add(t.fromRegistry());
                        tally.fromPeers.add(t.fromPeers());
                    }
                } finally {
                    order.finished(index);
                }
                // the bytes are all here: the next download may start while this one is committed (digest check, fsync)
                slotHeld = false;
                slots.release();
                long t1 = System.nanoTime();
                check[0].inputEnded();
                out.status(id, "Verifying Checksum");
                // the blob's commit (its digest check, then an fsync) first: the entry check unpacks the last
                // bytes meanwhile, on its own thread. Neither needs the other; a check that fails after the commit
                // fails the pull, and the pull's lease takes the committed blob with it.
                if (!exists[0]) {
                    try {
                        ingest.commit(Map.of());
                    } catch (ContainerdException e) {
                        if (e.code() == ContainerdException.Code.FAILED_PRECONDITION) {
                            // containerd compared the digest (or size) of what it received with the expected one
                            throw new RegistryException(500, "filesystem layer verification failed for digest "
                                    + digest + " (" + e.description() + ")");
                        }
                        if (!e.isAlreadyExists()) {
                            throw ImageStore.internal("storing layer " + digest + " in containerd failed", e);
                        }
                        exists[0] = true;
                    }
                }
                long t2 = System.nanoTime();
                check[0].result(null);
                if (exists[0]) {
                    keepStored(lease, digest, size);
                }
                out.status(id, "Download complete");
                LOG.fine(() -> "layer " + id + ": download " + (t1 - t0) / 1_000_000 + " ms, commit "
                        + (t2 - t1) / 1_000_000 + " ms, entry check after it " + (System.nanoTime() - t2) / 1_000_000
                        + " ms");
                Downloaded d = new Downloaded();
                mine.complete(d);
                return d;
            } catch (Exception e) {
                check[0].cancel();
                ingest.abort();
                throw e;
            } finally {
                if (slotHeld) {
                    slots.release();
                }
            }
        } catch (Exception e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(digest, mine);
        }
    }
}
