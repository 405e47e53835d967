package io.pouch.daemon.image;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import containerd.services.images.v1.ImagesOuterClass;
import containerd.types.DescriptorOuterClass.Descriptor;
import io.grpc.StatusRuntimeException;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.image.ImageConfig;
import io.pouch.api.image.ImageDeleteItem;
import io.pouch.api.image.ImageHistoryItem;
import io.pouch.api.image.ImageInspect;
import io.pouch.api.image.ImageSummary;
import io.pouch.daemon.api.ApiVersion;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.image.ImageIndex.ConfigEntry;
import io.pouch.daemon.image.ImageIndex.ManifestEntry;
import io.pouch.daemon.image.ImageIndex.NameEntry;
import io.pouch.daemon.query.Filters;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Local images, all kept in containerd: blobs in its content store, one image record per name (target = the
 * manifest), layers unpacked into overlayfs snapshots named by chain id. GC labels on the manifest (config and
 * layers) and the config (top snapshot) keep everything alive while a record points at the manifest; an
 * untagged image still used by a container keeps a {@code pouch-dangling@<manifest digest>} record.
 * Writes run under a lease that is dropped at the end, so an interrupted load leaves only garbage containerd
 * collects. Mutations are serialised by one lock (image changes are rare); lookups read an in-memory index.
 */
public final class ImageManager implements ImageLookup {
    private static final Logger LOG = Logger.getLogger(ImageManager.class.getName());
    private static final Pattern FULL_ID = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final Pattern ID_PREFIX = Pattern.compile("(sha256:)?[a-f0-9]{1,64}");
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private final ContainerdImages backend;
    private final DaemonConfig config;
    private final EventBus events;
    private final ImageIndex index = new ImageIndex();
    private final ReentrantLock lock = new ReentrantLock();
    private volatile ImageUsage usage = id -> List.of();

    public ImageManager(Containerd containerd, DaemonConfig config, EventBus events) {
        this.config = config;
        // staged in the spool directory, which reload() empties at start
        this.backend = new ContainerdImages(containerd, config.supervisesContainerd()
                ? LocalContentStore.of(config.containerdRoot(), tmpDir().resolve("blobs")) : Optional.empty());
        this.events = events;
    }

    /** Set by the daemon once the container manager exists (it depends on us for lookups). */
    public void setImageUsage(ImageUsage usage) {
        this.usage = usage;
    }

    private Path tmpDir() {
        return config.imagesDir().resolve("tmp");
    }

    // ------------------------------------------------------------------ startup

    /** Rebuilds the in-memory index from containerd's image records (startup). Unreadable records are skipped. */
    public void reload() {
        lock.lock();
        try {
            removeLeftoverSpools();
            index.names.clear();
            index.manifests.clear();
            index.configs.clear();
            for (ImagesOuterClass.Image img : backend.listImages()) {
                try {
                    ManifestEntry m = loadManifest(img.getTarget());
                    Instant updated = Instant.ofEpochSecond(img.getUpdatedAt().getSeconds(), img.getUpdatedAt().getNanos());
                    index.names.put(img.getName(), new NameEntry(img.getName(), m.digest(), updated));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "skipping image " + img.getName() + ": " + e.getMessage());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Spool and import files of a pouchd that died mid-load; nothing else uses {@code image/tmp}. */
    private void removeLeftoverSpools() {
        if (!Files.isDirectory(tmpDir())) {
            return;
        }
        try (var walk = Files.walk(tmpDir())) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(tmpDir())) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not clean " + tmpDir() + ": " + e.getMessage());
        }
    }

    private ManifestEntry loadManifest(Descriptor target) {
        ManifestEntry cached = index.manifests.get(target.getDigest());
        if (cached != null) {
            return cached;
        }
        JsonNode node = ArchiveLoader.parse(backend.readBlob(target.getDigest()), "manifest " + target.getDigest());
        String mt = node.path("mediaType").asText(target.getMediaType());
        if (mt.equals(ArchiveLoader.OCI_INDEX) || mt.equals(ArchiveLoader.DOCKER_LIST) || node.has("manifests")) {
            for (JsonNode m : node.path("manifests")) {
                JsonNode p = m.path("platform");
                if ((p.isMissingNode() || "amd64".equals(p.path("architecture").asText()))
                        && backend.blobInfo(m.path("digest").asText()).isPresent()) {
                    return loadManifest(descriptor(m));
                }
            }
            throw new IllegalStateException("no manifest for linux/amd64 present in index " + target.getDigest());
        }
        List<Descriptor> layers = new ArrayList<>();
        node.path("layers").forEach(l -> layers.add(descriptor(l)));
        String configDigest = node.path("config").path("digest").asText();
        ManifestEntry m = new ManifestEntry(target.getDigest(), target.getMediaType(), target.getSize(), configDigest,
                List.copyOf(layers));
        if (!index.configs.containsKey(configDigest)) {
            index.configs.put(configDigest, parseConfig(configDigest, backend.readBlob(configDigest)));
        }
        index.manifests.put(m.digest(), m);
        return m;
    }

    private static Descriptor descriptor(JsonNode d) {
        return Descriptor.newBuilder().setMediaType(d.path("mediaType").asText())
                .setDigest(d.path("digest").asText()).setSize(d.path("size").asLong()).build();
    }

    static ConfigEntry parseConfig(String id, byte[] bytes) {
        JsonNode n = ArchiveLoader.parse(bytes, "config " + id);
        if (!(n instanceof ObjectNode json)) {
            throw PouchException.invalidArgument("image config " + id + " is not a JSON object");
        }
        List<String> diffIds = ArchiveLoader.diffIds(bytes, id);
        JsonNode c = json.path("config");
        LocalImage.RunConfig run = new LocalImage.RunConfig(text(c, "User"), strings(c.path("Env")),
                strings(c.path("Entrypoint")), strings(c.path("Cmd")), text(c, "WorkingDir"),
                stringMap(c.path("Labels")), text(c, "StopSignal"), objectMap(c.path("ExposedPorts")),
                objectMap(c.path("Volumes")));
        return new ConfigEntry(id, json, diffIds, ChainIds.of(diffIds), run, parseTime(json.path("created").asText(null)),
                run.labels() == null ? Map.of() : run.labels());
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    private static List<String> strings(JsonNode n) {
        if (!n.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return Collections.unmodifiableList(out);
    }

    private static Map<String, String> stringMap(JsonNode n) {
        if (!n.isObject()) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, Object> objectMap(JsonNode n) {
        if (!n.isObject()) {
            return null;
        }
        return Collections.unmodifiableMap(Json.MAPPER.convertValue(n, new TypeReference<LinkedHashMap<String, Object>>() {
        }));
    }

    private static Instant parseTime(String s) {
        if (s == null) {
            return Instant.EPOCH;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e2) {
                return Instant.EPOCH;
            }
        }
    }

    // ------------------------------------------------------------------ lookups

    /** What a user typed, resolved to an image id and the record name that matched (the id when by id). */
    private record Found(String id, String name, Reference ref) {
    }

    @Override
    public LocalImage resolve(String reference) {
        Found f = find(reference);
        ConfigEntry c = index.configs.get(f.id());
        return new LocalImage(c.id(), f.name(), c.topChainId(), ContainerdImages.SNAPSHOTTER, c.run());
    }

    private Found find(String reference) {
        if (reference == null || reference.isBlank()) {
            throw PouchException.notFound("No such image: " + reference);
        }
        if (FULL_ID.matcher(reference).matches() && index.configs.containsKey(reference) && hasRecord(reference)) {
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
            NameEntry n = index.names.get(ref.recordName());
            if (n != null && index.idOf(n) != null && index.configs.containsKey(index.idOf(n))) {
                return new Found(index.idOf(n), n.name(), ref);
            }
            if (ref.digest() != null) {
                // name@<manifest digest>: any record of that repository pointing at that manifest
                for (NameEntry e : index.names.values()) {
                    if (e.manifestDigest().equals(ref.digest()) && e.name().startsWith(ref.name())
                            && index.idOf(e) != null) {
                        return new Found(index.idOf(e), ref.recordName(), ref);
                    }
                }
            }
        }
        if (ID_PREFIX.matcher(reference).matches()) {
            String prefix = reference.startsWith("sha256:") ? reference : "sha256:" + reference;
            List<String> hits = index.ids().stream().filter(id -> id.startsWith(prefix)).toList();
            if (hits.size() == 1) {
                return new Found(hits.getFirst(), hits.getFirst(), null);
            }
        }
        if (parseError != null) {
            throw parseError;
        }
        throw PouchException.notFound("No such image: " + reference);
    }

    private boolean hasRecord(String id) {
        return index.names.values().stream().anyMatch(n -> id.equals(index.idOf(n)));
    }

    /** Number of images (distinct ids), for {@code /info}. */
    public int count() {
        return index.ids().size();
    }

    private List<String> repoTags(String id) {
        return index.namesOf(id).stream().filter(NameEntry::tagged)
                .map(n -> Reference.parseNormalized(n.name()).familiar()).toList();
    }

    private List<String> repoDigests(String id) {
        return index.namesOf(id).stream().filter(NameEntry::canonical)
                .map(n -> Reference.parseNormalized(n.name()).familiar()).toList();
    }

    private long size(String id) {
        return index.manifestsOf(id).stream().mapToLong(ManifestEntry::layersSize).max().orElse(0);
    }

    /** {@code GET /images/json}. {@code all} is accepted and ignored: there are no intermediate images. */
    public List<ImageSummary> list(Filters filters, ApiVersion version) {
        filters.validate(Set.of("reference", "dangling", "label", "before", "since"));
        Boolean dangling = null;
        if (filters.has("dangling")) {
            String v = filters.get("dangling").getFirst();
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false") && !v.equals("1") && !v.equals("0")) {
                throw PouchException.invalidArgument("Invalid filter 'dangling=" + v + "'");
            }
            dangling = v.equalsIgnoreCase("true") || v.equals("1");
        }
        Instant before = filters.has("before") ? index.configs.get(find(filters.get("before").getFirst()).id()).created() : null;
        Instant since = filters.has("since") ? index.configs.get(find(filters.get("since").getFirst()).id()).created() : null;
        List<PathMatcher> patterns = filters.get("reference").stream()
                .map(p -> FileSystems.getDefault().getPathMatcher("glob:" + p)).toList();
        boolean legacy = !version.atLeast(1, 44);
        List<ImageSummary> out = new ArrayList<>();
        for (String id : index.ids()) {
            ConfigEntry c = index.configs.get(id);
            List<String> tags = repoTags(id);
            List<String> digests = repoDigests(id);
            if (dangling != null && dangling != (tags.isEmpty() && digests.isEmpty())) {
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
            long size = size(id);
            out.add(new ImageSummary(id, "", tags.isEmpty() && legacy ? List.of("<none>:<none>") : tags,
                    digests.isEmpty() && legacy && tags.isEmpty() ? List.of("<none>@<none>") : digests,
                    c.created().getEpochSecond(), size, -1, legacy ? size : null, c.labels(), -1));
        }
        out.sort(Comparator.comparingLong(ImageSummary::created).reversed().thenComparing(ImageSummary::id));
        return out;
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
    public ImageInspect inspect(String reference, ApiVersion version) {
        Found f = find(reference);
        ConfigEntry c = index.configs.get(f.id());
        ObjectNode j = c.json();
        boolean legacyContainer = !version.atLeast(1, 45);
        long size = size(f.id());
        Instant lastTag = index.namesOf(f.id()).stream().filter(NameEntry::tagged).map(NameEntry::updatedAt)
                .max(Comparator.naturalOrder()).orElse(null);
        return new ImageInspect(f.id(), repoTags(f.id()), repoDigests(f.id()), "",
                j.path("comment").asText(""), c.created().toString(),
                legacyContainer ? j.path("container").asText("") : null,
                legacyContainer ? imageConfig(j.path("container_config")) : null,
                j.path("docker_version").asText(""), j.path("author").asText(""), imageConfig(j.path("config")),
                j.path("architecture").asText(""), j.path("variant").asText(null), j.path("os").asText(""),
                size, version.atLeast(1, 44) ? null : size,
                new ImageInspect.GraphDriver(ContainerdImages.SNAPSHOTTER, Map.of()),
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
    public List<ImageHistoryItem> history(String reference) {
        Found f = find(reference);
        ConfigEntry c = index.configs.get(f.id());
        List<Descriptor> layers = index.manifestsOf(f.id()).stream().findFirst().map(ManifestEntry::layers).orElse(List.of());
        List<ImageHistoryItem> out = new ArrayList<>();
        JsonNode history = c.field("history");
        int layer = 0;
        if (history.isArray() && !history.isEmpty()) {
            for (JsonNode h : history) {
                boolean empty = h.path("empty_layer").asBoolean(false);
                long size = !empty && layer < layers.size() ? layers.get(layer++).getSize() : 0;
                out.add(new ImageHistoryItem("<missing>", parseTime(h.path("created").asText(null)).getEpochSecond(),
                        h.path("created_by").asText(""), null, size, h.path("comment").asText("")));
            }
        } else {
            for (Descriptor l : layers) {
                out.add(new ImageHistoryItem("<missing>", c.created().getEpochSecond(), "", null, l.getSize(), ""));
            }
        }
        Collections.reverse(out);
        if (!out.isEmpty()) {
            ImageHistoryItem top = out.getFirst();
            out.set(0, new ImageHistoryItem(f.id(), top.created(), top.createdBy(), repoTags(f.id()), top.size(), top.comment()));
        }
        return out;
    }

    // ------------------------------------------------------------------ load / import

    /**
     * {@code POST /images/load}: reads and verifies the whole archive first (nothing reaches containerd before),
     * then stores it. Returns the lines docker prints ({@code Loaded image: busybox:latest}).
     */
    public List<String> load(InputStream body) throws IOException {
        try (ArchiveSpool spool = ArchiveSpool.read(body, tmpDir(), "image archive")) {
            List<PendingImage> images = new ArchiveLoader(spool).images();
            List<String> messages = new ArrayList<>();
            lock.lock();
            try {
                String lease = backend.createLease("load");
                try {
                    for (PendingImage p : images) {
                        String id = store(lease, p);
                        if (p.names().isEmpty()) {
                            messages.add("Loaded image ID: " + id);
                            events.publish(Event.of("image", "load", id, Map.of("name", id)));
                        }
                        for (String n : p.names()) {
                            String familiar = Reference.parseNormalized(n).familiar();
                            messages.add("Loaded image: " + familiar);
                            events.publish(Event.of("image", "load", id, Map.of("name", familiar)));
                        }
                    }
                } finally {
                    backend.deleteLease(lease);
                }
            } catch (StatusRuntimeException e) {
                throw PouchException.internal("loading the image into containerd failed: " + e.getStatus(), e);
            } finally {
                lock.unlock();
            }
            return messages;
        }
    }

    /**
     * {@code POST /images/create?fromSrc=-}: a rootfs tar (optionally gzipped) becomes a one-layer image.
     *
     * @param repo    repository to tag, or null/empty for an untagged image
     * @param changes Dockerfile instructions applied to the config ({@code CMD ["sh"]}, {@code ENV A=b}, ...)
     * @return the new image id
     */
    public String importImage(InputStream body, String repo, String tag, List<String> changes, String message)
            throws IOException {
        Reference target = null;
        if (repo != null && !repo.isEmpty()) {
            Reference r = Reference.parseNormalizedName(repo);
            if (r.digest() != null) {
                throw PouchException.invalidArgument("refusing to create a tag with a digest reference");
            }
            target = tag != null && !tag.isEmpty() ? r.withTag(tag) : r.tag() != null ? r : r.withTag(Reference.DEFAULT_TAG);
        }
        ObjectNode runConfig = Json.MAPPER.createObjectNode();
        Changes.apply(changes == null ? List.of() : changes, runConfig);
        Files.createDirectories(tmpDir());
        Path file = Files.createTempFile(tmpDir(), "import-", ".tar");
        try {
            MessageDigest md = ChainIds.digest();
            long size;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), md)) {
                size = body.transferTo(out);
            }
            if (size == 0) {
                throw PouchException.invalidArgument("the imported archive is empty");
            }
            String digest = "sha256:" + HexFormat.of().formatHex(md.digest());
            LayerCheck.Result r;
            try (InputStream in = Files.newInputStream(file)) {
                r = LayerCheck.check(in, "imported archive");
            }
            String now = Instant.now().toString();
            ObjectNode cfg = Json.MAPPER.createObjectNode();
            cfg.put("architecture", "amd64");
            if (message != null && !message.isEmpty()) {
                cfg.put("comment", message);
            }
            cfg.set("config", runConfig);
            cfg.put("created", now);
            ObjectNode h = cfg.putArray("history").addObject();
            h.put("created", now);
            h.put("comment", message != null && !message.isEmpty() ? message : "Imported from -");
            cfg.put("os", "linux");
            ObjectNode rootfs = cfg.putObject("rootfs");
            rootfs.put("type", "layers");
            rootfs.putArray("diff_ids").add(r.diffId());
            byte[] config = Json.MAPPER.writeValueAsBytes(cfg);
            String configDigest = sha256(config);
            List<PendingImage.Layer> layers = List.of(new PendingImage.Layer(file, digest, size,
                    r.mediaType(), r.diffId()));
            PendingImage p = new PendingImage(target == null ? List.of() : List.of(target.recordName()), config,
                    configDigest, layers, ArchiveLoader.schema2Manifest(configDigest, config.length, layers),
                    ArchiveLoader.DOCKER_MANIFEST);
            lock.lock();
            try {
                String lease = backend.createLease("import");
                try {
                    String id = store(lease, p);
                    events.publish(Event.of("image", "import", id, Map.of("name", id)));
                    return id;
                } finally {
                    backend.deleteLease(lease);
                }
            } catch (StatusRuntimeException e) {
                throw PouchException.internal("importing the image into containerd failed: " + e.getStatus(), e);
            } finally {
                lock.unlock();
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(ChainIds.digest().digest(bytes));
    }

    /**
     * Stores the layer blobs while the layers unpack from the same spooled files, then config and manifest with GC
     * labels, then the records. Under lock. A snapshot pouchd unpacked needs only its diff id; containerd's Apply (the
     * fallback) reads the stored blob, so it waits for the blobs.
     */
    private String store(String lease, PendingImage p) throws IOException {
        long t0 = System.nanoTime();
        List<String> chainIds = ChainIds.of(p.layers().stream().map(PendingImage.Layer::diffId).toList());
        try (ExecutorService blobWriter = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Long> blobs = blobWriter.submit(() -> {
                for (PendingImage.Layer l : p.layers()) {
                    // the spooled file, hashed by pouchd while it was spooled: linked into the store, not copied
                    backend.storeOwnFile(lease, l.digest(), l.size(), l.file(), Map.of());
                }
                return System.nanoTime();
            });
            try {
                String parent = "";
                for (int i = 0; i < p.layers().size(); i++) {
                    unpackLayer(lease, p.layers().get(i), chainIds.get(i), parent, () -> awaitStored(blobs));
                    parent = chainIds.get(i);
                }
                long t1 = awaitStored(blobs);
                long t2 = System.nanoTime();
                LOG.fine(() -> "store: blobs written in " + (t1 - t0) / 1_000_000 + " ms, layers unpacked in "
                        + (t2 - t0) / 1_000_000 + " ms");
            } finally {
                blobs.cancel(true);
            }
        }
        return record(p, writeImageBlobs(lease, p));
    }

    /** Waits for a store's layer blobs; returns when they were done. */
    private static long awaitStored(Future<Long> blobs) throws IOException {
        try {
            return blobs.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PouchException.internal("interrupted while storing layers", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw PouchException.internal("storing layers failed: " + e.getCause(), e.getCause());
        }
    }

    private static List<Descriptor> layerDescriptors(PendingImage p) {
        return p.layers().stream().map(l -> Descriptor.newBuilder().setMediaType(l.mediaType()).setDigest(l.digest())
                .setSize(l.size()).build()).toList();
    }

    /**
     * The image's config (labelled with its top snapshot) and manifest (labelled with config and layers) into the
     * content store under {@code lease}: once a record names the manifest, these labels keep everything. Returns
     * the manifest digest.
     */
    private String writeImageBlobs(String lease, PendingImage p) throws IOException {
        List<String> chainIds = ChainIds.of(p.layers().stream().map(PendingImage.Layer::diffId).toList());
        Map<String, String> configLabels = chainIds.isEmpty() ? Map.of()
                : Map.of(ContainerdImages.GC_REF_SNAPSHOT, chainIds.getLast());
        backend.writeBlob(lease, p.configDigest(), p.config().length, () -> new ByteArrayInputStream(p.config()), configLabels);
        Map<String, String> manifestLabels = new HashMap<>();
        manifestLabels.put(ContainerdImages.GC_REF_CONFIG, p.configDigest());
        for (int i = 0; i < p.layers().size(); i++) {
            manifestLabels.put(ContainerdImages.GC_REF_LAYER + i, p.layers().get(i).digest());
        }
        String manifestDigest = sha256(p.manifest());
        backend.writeBlob(lease, manifestDigest, p.manifest().length, () -> new ByteArrayInputStream(p.manifest()),
                manifestLabels);
        return manifestDigest;
    }

    /** Indexes a stored image and gives it its names (or a dangling record). Returns the image id. */
    private String record(PendingImage p, String manifestDigest) {
        ManifestEntry m = new ManifestEntry(manifestDigest, p.manifestMediaType(), p.manifest().length,
                p.configDigest(), layerDescriptors(p));
        index.configs.putIfAbsent(p.configDigest(), parseConfig(p.configDigest(), p.config()));
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
    }

    private void putRecord(String name, ManifestEntry m) {
        ImagesOuterClass.Image img = backend.putImage(null, name, m.descriptor(), Map.of());
        index.names.put(name, new NameEntry(name, m.digest(),
                Instant.ofEpochSecond(img.getUpdatedAt().getSeconds(), img.getUpdatedAt().getNanos())));
    }

    private void removeRecord(String name) {
        backend.deleteImage(name);
        index.names.remove(name);
    }

    /** Points {@code name} at {@code m}; the image that loses its last name stays as a dangling image. */
    private void assignName(String name, ManifestEntry m) {
        NameEntry old = index.names.get(name);
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

    // ------------------------------------------------------------------ [exec] commit

    /** [exec] The image config JSON of an image id (a copy), for building a committed image on top of it. */
    public ObjectNode configJson(String imageId) {
        ImageIndex.ConfigEntry c = index.configs.get(imageId);
        if (c == null) {
            throw PouchException.notFound("No such image: " + imageId);
        }
        return c.json().deepCopy();
    }

    /**
     * [exec] {@code docker commit}: stores a new image made of the parent image's layers plus {@code layer} (a blob
     * already in containerd's content store, kept by the caller's lease until this returns), with {@code config}
     * (complete: rootfs.diff_ids must already list the parent's diff ids and {@code diffId}). Unpacks it, names it
     * {@code repo:tag} when repo is given. Returns the new image id.
     */
    public String commitImage(String parentId, Descriptor layer, String diffId, byte[] config, String repo, String tag)
            throws IOException {
        List<PendingImage.Layer> layers = new ArrayList<>();
        if (parentId != null) {
            ImageIndex.ConfigEntry pc = index.configs.get(parentId);
            ManifestEntry pm = index.manifests.values().stream().filter(m -> m.configDigest().equals(parentId))
                    .findFirst().orElseThrow(() -> PouchException.notFound("No such image: " + parentId));
            for (int i = 0; i < pm.layers().size(); i++) {
                Descriptor d = pm.layers().get(i);
                // the blob is in the store already: writeBlob adopts it and never opens this path
                layers.add(new PendingImage.Layer(Path.of("/nonexistent"), d.getDigest(), d.getSize(),
                        d.getMediaType(), pc.diffIds().get(i)));
            }
        }
        layers.add(new PendingImage.Layer(Path.of("/nonexistent"), layer.getDigest(), layer.getSize(),
                layer.getMediaType(), diffId));
        String configDigest = sha256(config);
        List<String> names = List.of();
        if (repo != null && !repo.isEmpty()) {
            Reference r = Reference.parseNormalizedName(repo);
            names = List.of((tag != null && !tag.isEmpty() ? r.withTag(tag)
                    : r.tag() != null ? r : r.withTag(Reference.DEFAULT_TAG)).recordName());
        }
        PendingImage p = new PendingImage(names, config, configDigest, layers,
                ArchiveLoader.schema2Manifest(configDigest, config.length, layers), ArchiveLoader.DOCKER_MANIFEST);
        lock.lock();
        try {
            String lease = backend.createLease("commit");
            try {
                return store(lease, p);
            } finally {
                backend.deleteLease(lease);
            }
        } catch (StatusRuntimeException e) {
            throw PouchException.internal("storing the committed image failed: " + e.getStatus(), e);
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ tag / delete

    /** {@code POST /images/{name}/tag?repo=&tag=}. */
    public void tag(String source, String repo, String tag) {
        if (repo == null || repo.isEmpty()) {
            throw PouchException.invalidArgument("repository name must have at least one component");
        }
        Reference r = Reference.parseNormalizedName(repo);
        if (r.digest() != null) {
            throw PouchException.invalidArgument("refusing to create a tag with a digest reference");
        }
        Reference target = tag != null && !tag.isEmpty() ? r.withTag(tag) : r.tag() != null ? r : r.withTag(Reference.DEFAULT_TAG);
        lock.lock();
        try {
            Found f = find(source);
            ManifestEntry m = f.ref() != null ? index.manifests.get(index.names.get(f.name()) != null
                    ? index.names.get(f.name()).manifestDigest() : "") : null;
            if (m == null) {
                m = index.manifestsOf(f.id()).getFirst();
            }
            assignName(target.recordName(), m);
            events.publish(Event.of("image", "tag", f.id(), Map.of("name", target.familiar())));
        } catch (StatusRuntimeException e) {
            throw PouchException.internal("tagging failed in containerd: " + e.getStatus(), e);
        } finally {
            lock.unlock();
        }
    }

    private static String shortId(String id) {
        String hex = id.startsWith("sha256:") ? id.substring(7) : id;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    /** {@code DELETE /images/{name}}, with dockerd's rules and wording. */
    public List<ImageDeleteItem> delete(String reference, boolean force, boolean noprune) {
        lock.lock();
        try {
            Found f = find(reference);
            String id = f.id();
            List<NameEntry> refs = index.namesOf(id).stream().filter(n -> !n.dangling()).toList();
            long tagCount = refs.stream().filter(NameEntry::tagged).count();
            boolean single = tagCount <= 1;
            List<String> users = usage.containersUsing(id);
            List<ImageDeleteItem> out = new ArrayList<>();
            boolean byId = f.ref() == null || !index.names.containsKey(f.name());
            if (!byId) {
                if (!force && single && !users.isEmpty()) {
                    throw PouchException.conflict("conflict: unable to remove repository reference \"" + reference
                            + "\" (must force) - container " + shortId(users.getFirst())
                            + " is using its referenced image " + shortId(id));
                }
                ManifestEntry m = index.manifests.get(index.names.get(f.name()).manifestDigest());
                removeRecord(f.name());
                out.add(ImageDeleteItem.untagged(Reference.parseNormalized(f.name()).familiar()));
                events.publish(Event.of("image", "untag", id, Map.of("name", id)));
                if (!index.namesOf(id).isEmpty()) {
                    return out;
                }
                if (!users.isEmpty()) {
                    putRecord(ImageIndex.DANGLING_PREFIX + m.digest(), m);
                    return out;
                }
            } else {
                if (!force && !single) {
                    throw PouchException.conflict("conflict: unable to delete " + shortId(id)
                            + " (must be forced) - image is referenced in multiple repositories");
                }
                if (!force && !users.isEmpty()) {
                    throw PouchException.conflict("conflict: unable to delete " + shortId(id)
                            + " (must be forced) - image is being used by stopped container " + shortId(users.getFirst()));
                }
                for (NameEntry n : refs) {
                    removeRecord(n.name());
                    out.add(ImageDeleteItem.untagged(Reference.parseNormalized(n.name()).familiar()));
                    events.publish(Event.of("image", "untag", id, Map.of("name", id)));
                }
                if (!users.isEmpty()) {
                    ManifestEntry m = index.manifestsOf(id).getFirst();
                    if (index.namesOf(id).isEmpty()) {
                        putRecord(ImageIndex.DANGLING_PREFIX + m.digest(), m);
                    }
                    return out;
                }
            }
            out.addAll(removeImage(id));
            return out;
        } catch (StatusRuntimeException e) {
            throw PouchException.internal("removing the image from containerd failed: " + e.getStatus(), e);
        } finally {
            lock.unlock();
        }
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
                m.layers().forEach(l -> otherLayers.add(l.getDigest()));
                ConfigEntry oc = index.configs.get(m.configDigest());
                if (oc != null) {
                    otherChains.addAll(oc.chainIds());
                }
            }
        }
        for (ManifestEntry m : mine) {
            backend.deleteBlob(m.digest());
            index.manifests.remove(m.digest());
        }
        backend.deleteBlob(id);
        for (ManifestEntry m : mine) {
            for (Descriptor l : m.layers()) {
                if (!otherLayers.contains(l.getDigest())) {
                    backend.deleteBlob(l.getDigest());
                }
            }
        }
        out.add(ImageDeleteItem.deleted(id));
        if (c != null) {
            List<String> chain = new ArrayList<>(c.chainIds());
            Collections.reverse(chain);
            for (String chainId : chain) {
                if (otherChains.contains(chainId) || !backend.removeSnapshot(chainId)) {
                    break;
                }
                out.add(ImageDeleteItem.deleted(chainId));
            }
        }
        index.configs.remove(id);
        events.publish(Event.of("image", "delete", id, Map.of("name", id)));
        return out;
    }

    // ------------------------------------------------------------------ registry pull / push (issue 4)

    /** The spool directory (downloads land here before they are stored). */
    Path spoolDir() throws IOException {
        Files.createDirectories(tmpDir());
        return tmpDir();
    }

    /** The manifest digest record {@code recordName} points at, or null. */
    String manifestDigestOf(String recordName) {
        NameEntry n = index.names.get(recordName);
        return n == null ? null : n.manifestDigest();
    }

    boolean hasBlob(String digest) {
        return backend.blobInfo(digest).isPresent();
    }

    // A pull stores and unpacks each layer under a lease of its own as soon as the layer is verified, while
    // later layers still download (storing at the end, one layer after another, took as long as the download);
    // config and manifest are stored under it too (storePulledBlobs), so recordPulled only writes the records,
    // which then hold everything. A failed pull deletes that lease synchronously, so containerd's GC removes
    // whatever it had stored before the pull reports the failure.

    /** A lease for the early stores of one pull. */
    String createPullLease() {
        return backend.createLease("pulling");
    }

    /** Ends a pull's lease; {@code collect}: wait for containerd's GC to remove what only it kept (failed pulls). */
    void deletePullLease(String lease, boolean collect) {
        backend.deleteLease(lease, collect);
    }

    /** An open write of a layer blob into containerd under the pull's lease, committed only once verified. */
    BlobSink openIngest(String lease, String digest, long size) {
        return backend.ingest(lease, digest, size);
    }

    /** Stores a verified layer blob under the pull's lease (adopts it when it is there already). */
    void storeLayerBlob(String lease, String digest, long size, Path file) throws IOException {
        backend.writeBlob(lease, digest, size, () -> Files.newInputStream(file), Map.of());
    }

    /** Prepares the snapshot of one layer on its parent chain under the pull's lease (see ContainerdImages). */
    ContainerdImages.UnpackTarget prepareLayer(String lease, String chainId, String parent) {
        return backend.prepareUnpack(lease, chainId, parent);
    }

    /**
     * The end of one layer's unpacking, for pulls and loads alike. A layer pouchd unpacked whole ({@code unpacked}:
     * the digest of the uncompressed stream it unpacked) is committed when that is the config's {@code diffId};
     * otherwise containerd's Apply unpacks the stored blob, into a freshly prepared snapshot when {@code handoff}'s
     * was written to, and its diff id is checked the same way. A mismatch refuses the layer with nothing committed.
     */
    void finishLayer(String lease, ContainerdImages.UnpackTarget target, UnpackHandoff handoff, String unpacked,
                     String parent, String digest, long size, String mediaType, String diffId) {
        if (unpacked != null) {
            backend.commitUnpacked(lease, target, digest, unpacked, diffId);
            return;
        }
        if (handoff != null && handoff.touched()) {
            LOG.fine("layer " + digest + ": unpacked by containerd instead (" + handoff.failure() + ")");
            backend.abandonUnpack(target);
            target = backend.prepareUnpack(lease, target.chainId(), parent);
        }
        backend.applyUnpack(lease, target,
                Descriptor.newBuilder().setMediaType(mediaType).setDigest(digest).setSize(size).build(), diffId);
    }

    /** What must hold before containerd's Apply may read a layer's stored blob. */
    @FunctionalInterface
    private interface BlobsStored {
        void await() throws IOException;
    }

    /**
     * Unpacks one stored layer: by pouchd as it reads {@code l.file()} ({@link LayerUnpacker}), else by containerd's
     * Apply ({@link #finishLayer}) once {@code stored} says its blob is in the store.
     */
    private void unpackLayer(String lease, PendingImage.Layer l, String chainId, String parent, BlobsStored stored)
            throws IOException {
        ContainerdImages.UnpackTarget target = backend.prepareUnpack(lease, chainId, parent);
        UnpackHandoff handoff = null;
        String unpacked = null;
        // a layer whose blob was in the store already (a commit's, a load's known one) has no file here: Apply
        if (LayerUnpacker.ENABLED && target.key() != null && l.file() != null && Files.isRegularFile(l.file())) {
            handoff = new UnpackHandoff();
            handoff.offer(target);
            try (InputStream in = Files.newInputStream(l.file())) {
                LayerCheck.check(in, "layer " + l.digest(), true, handoff);
                unpacked = handoff.unpacked();
            } catch (IOException | RuntimeException e) {
                backend.abandonUnpack(target);
                throw e;
            }
        }
        if (unpacked == null) {
            stored.await(); // containerd's Apply reads the stored blob
        }
        finishLayer(lease, target, handoff, unpacked, parent, l.digest(), l.size(), l.mediaType(), l.diffId());
    }

    /** Drops a prepared snapshot that will not be unpacked. */
    void abandonLayer(ContainerdImages.UnpackTarget target) {
        backend.abandonUnpack(target);
    }

    /**
     * A pull's config and manifest blobs, written under its lease while the layers still download (their labels
     * need only the manifest and the diff ids). Returns the manifest digest for {@link #recordPulled}.
     */
    String storePulledBlobs(String lease, PendingImage p) throws IOException {
        try {
            return writeImageBlobs(lease, p);
        } catch (StatusRuntimeException e) {
            throw PouchException.internal("storing the pulled image in containerd failed: " + e.getStatus(), e);
        }
    }

    /**
     * Names a pulled image whose blobs and snapshots are all stored under the pull's {@code lease} (layers by their
     * downloads and unpacks, config and manifest by {@link #storePulledBlobs}): only the records are left to write,
     * and the caller ends the lease after. Returns the image id.
     */
    String recordPulled(PendingImage p, String manifestDigest) {
        lock.lock();
        try {
            return record(p, manifestDigest);
        } catch (StatusRuntimeException e) {
            throw PouchException.internal("storing the pulled image in containerd failed: " + e.getStatus(), e);
        } finally {
            lock.unlock();
        }
    }

    /** What a push sends: the stored manifest of {@code reference}, and the other names of that image. */
    record PushSource(ManifestEntry manifest, byte[] manifestBytes, List<String> otherNames) {
    }

    PushSource pushSource(String reference) {
        Found f = find(reference);
        NameEntry n = index.names.get(f.name());
        ManifestEntry m = n != null ? index.manifests.get(n.manifestDigest()) : index.manifestsOf(f.id()).getFirst();
        List<String> others = index.namesOf(f.id()).stream().map(NameEntry::name).filter(x -> !x.equals(f.name())).toList();
        return new PushSource(m, backend.readBlob(m.digest()), others);
    }

    InputStream openBlob(String digest) {
        return backend.openBlob(digest);
    }

    byte[] readBlob(String digest) {
        return backend.readBlob(digest);
    }

    /**
     * {@code POST /images/prune}: removes images no container uses; only untagged ones unless
     * {@code dangling=false}. Returns dockerd's answer ({@code ImagesDeleted}, {@code SpaceReclaimed}).
     */
    public Map<String, Object> prune(Filters filters) {
        filters.validate(Set.of("dangling", "label", "label!"));
        boolean danglingOnly = !filters.has("dangling") || filters.get("dangling").stream()
                .anyMatch(v -> v.equalsIgnoreCase("true") || v.equals("1"));
        List<ImageDeleteItem> deleted = new ArrayList<>();
        long reclaimed = 0;
        lock.lock();
        try {
            for (String id : List.copyOf(index.ids())) {
                ConfigEntry c = index.configs.get(id);
                if (c == null || !usage.containersUsing(id).isEmpty()) {
                    continue;
                }
                if (danglingOnly && !repoTags(id).isEmpty()) {
                    continue;
                }
                if (filters.has("label") && !filters.matchesLabels("label", c.labels())) {
                    continue;
                }
                if (filters.has("label!") && filters.matchesLabels("label!", c.labels())) {
                    continue;
                }
                long size = size(id);
                for (NameEntry n : index.namesOf(id)) {
                    if (!n.dangling()) {
                        deleted.add(ImageDeleteItem.untagged(Reference.parseNormalized(n.name()).familiar()));
                    }
                }
                deleted.addAll(removeImage(id));
                reclaimed += size;
            }
        } catch (StatusRuntimeException e) {
            throw PouchException.internal("pruning images in containerd failed: " + e.getStatus(), e);
        } finally {
            lock.unlock();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ImagesDeleted", deleted.isEmpty() ? null : deleted);
        out.put("SpaceReclaimed", reclaimed);
        events.publish(Event.of("image", "prune", "", Map.of("reclaimed", Long.toString(reclaimed))));
        return out;
    }

    /** The image part of {@code GET /system/df}: every image with its container count, and the layers' size. */
    public Map<String, Object> diskUsage(ApiVersion version) {
        List<ImageSummary> images = new ArrayList<>();
        long layers = 0;
        Set<String> seen = new HashSet<>();
        for (ImageSummary s : list(Filters.NONE, version)) {
            images.add(new ImageSummary(s.id(), s.parentId(), s.repoTags(), s.repoDigests(), s.created(), s.size(),
                    s.sharedSize(), s.virtualSize(), s.labels(), usage.containersUsing(s.id()).size()));
            for (ManifestEntry m : index.manifestsOf(s.id())) {
                for (Descriptor d : m.layers()) {
                    if (seen.add(d.getDigest())) {
                        layers += d.getSize();
                    }
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("LayersSize", layers);
        out.put("Images", images);
        return out;
    }

    // ------------------------------------------------------------------ save

    /** One image to save: its id and the RepoTags to write for it. */
    public record SaveItem(String id, List<String> repoTags) {
    }

    /** Resolves every name first (404 before any byte is sent); names of one image are merged. */
    public List<SaveItem> planSave(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw PouchException.invalidArgument("no images specified");
        }
        Map<String, LinkedHashSet<String>> tags = new LinkedHashMap<>();
        for (String name : names) {
            List<String> repoTagsOfRepo = List.of();
            try {
                Reference r = Reference.parseNormalizedName(name);
                if (r.tag() == null && r.digest() == null) {
                    // "docker save busybox": every tag of the repository
                    repoTagsOfRepo = index.names.values().stream().filter(NameEntry::tagged)
                            .filter(n -> n.name().startsWith(r.name() + ":")).map(NameEntry::name).sorted().toList();
                }
            } catch (PouchException ignored) {
                // an id or id prefix: resolved below
            }
            if (!repoTagsOfRepo.isEmpty()) {
                for (String n : repoTagsOfRepo) {
                    String id = index.idOf(index.names.get(n));
                    tags.computeIfAbsent(id, k -> new LinkedHashSet<>()).add(Reference.parseNormalized(n).familiar());
                }
                continue;
            }
            Found f = find(name);
            LinkedHashSet<String> t = tags.computeIfAbsent(f.id(), k -> new LinkedHashSet<>());
            if (f.ref() != null && f.ref().digest() == null) {
                t.add(f.ref().familiar());
            }
        }
        List<SaveItem> out = new ArrayList<>();
        tags.forEach((id, t) -> out.add(new SaveItem(id, List.copyOf(t))));
        return out;
    }

    /**
     * Writes a docker-save tar: {@code <config hex>.json}, {@code <diff id hex>/layer.tar} (uncompressed, so the
     * diff ids hold), {@code manifest.json} and {@code repositories}.
     */
    public void save(List<SaveItem> items, OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        Set<String> written = new HashSet<>();
        List<Map<String, Object>> manifest = new ArrayList<>();
        Map<String, Map<String, String>> repositories = new LinkedHashMap<>();
        for (SaveItem item : items) {
            ConfigEntry c = index.configs.get(item.id());
            ManifestEntry m = index.manifestsOf(item.id()).stream().findFirst().orElse(null);
            if (c == null || m == null) {
                throw PouchException.notFound("No such image: " + item.id());
            }
            String configName = item.id().substring(7) + ".json";
            if (written.add(configName)) {
                addBytes(tar, configName, backend.readBlob(item.id()));
            }
            List<String> layerNames = new ArrayList<>();
            for (int i = 0; i < m.layers().size(); i++) {
                Descriptor l = m.layers().get(i);
                String dir = c.diffIds().get(i).substring(7);
                String name = dir + "/layer.tar";
                layerNames.add(name);
                if (written.add(name)) {
                    addLayer(tar, name, l);
                }
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("Config", configName);
            entry.put("RepoTags", item.repoTags().isEmpty() ? null : item.repoTags());
            entry.put("Layers", layerNames);
            manifest.add(entry);
            for (String t : item.repoTags()) {
                int colon = t.lastIndexOf(':');
                if (!layerNames.isEmpty()) {
                    repositories.computeIfAbsent(t.substring(0, colon), k -> new LinkedHashMap<>())
                            .put(t.substring(colon + 1), c.diffIds().getLast().substring(7));
                }
            }
            events.publish(Event.of("image", "save", item.id(),
                    Map.of("name", item.repoTags().isEmpty() ? item.id() : item.repoTags().getFirst())));
        }
        addBytes(tar, "manifest.json", Json.MAPPER.writeValueAsBytes(manifest));
        if (!repositories.isEmpty()) {
            addBytes(tar, "repositories", Json.MAPPER.writeValueAsBytes(repositories));
        }
        tar.finish();
        tar.flush();
    }

    private void addLayer(TarArchiveOutputStream tar, String name, Descriptor l) throws IOException {
        if (!l.getMediaType().contains("gzip") && !l.getMediaType().contains("zstd")) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(l.getSize());
            e.setModTime(0);
            tar.putArchiveEntry(e);
            try (InputStream in = backend.openBlob(l.getDigest())) {
                in.transferTo(tar);
            }
            tar.closeArchiveEntry();
            return;
        }
        // the size of an uncompressed tar entry must be known before its bytes: decompress to a file first
        Files.createDirectories(tmpDir());
        Path f = Files.createTempFile(tmpDir(), "save-", ".tar");
        try {
            try (InputStream in = ArchiveSpool.decompressed(backend.openBlob(l.getDigest()));
                 OutputStream o = Files.newOutputStream(f)) {
                in.transferTo(o);
            }
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(Files.size(f));
            e.setModTime(0);
            tar.putArchiveEntry(e);
            Files.copy(f, tar);
            tar.closeArchiveEntry();
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static void addBytes(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(bytes.length);
        e.setModTime(0);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
