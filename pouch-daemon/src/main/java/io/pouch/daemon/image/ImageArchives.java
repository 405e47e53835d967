package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Content;
import io.pouch.daemon.containerd.Descriptor;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.image.ImageIndex.ConfigEntry;
import io.pouch.daemon.image.ImageIndex.Found;
import io.pouch.daemon.image.ImageIndex.ManifestEntry;
import io.pouch.daemon.image.ImageIndex.NameEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Image archives: {@code docker load} (docker-save and OCI layout archives) and {@code docker import} (a rootfs tar)
 * bring images in, spooled and verified before anything reaches containerd; {@code docker save} writes them out.
 * Spools live in {@code image/tmp}, which nothing else uses.
 */
final class ImageArchives {
    private static final Logger LOG = Logger.getLogger(ImageArchives.class.getName());

    private final Path tmpDir;
    private final ImageIndex index;
    private final ImageStore store;
    private final ImageWriter writer;
    private final ImageLeases leases;
    private final Content content;
    private final EventBus events;
    private final ReentrantLock lock;

    ImageArchives(Path tmpDir, ImageIndex index, ImageStore store, ImageWriter writer, ImageLeases leases,
                  Content content, EventBus events, ReentrantLock lock) {
        this.tmpDir = tmpDir;
        this.index = index;
        this.store = store;
        this.writer = writer;
        this.leases = leases;
        this.content = content;
        this.events = events;
        this.lock = lock;
    }

    /** Spool and import files of a pouchd that died mid-load (startup). */
    void removeLeftoverSpools() {
        if (!Files.isDirectory(tmpDir)) {
            return;
        }
        try (var walk = Files.walk(tmpDir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(tmpDir)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not clean " + tmpDir + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ load / import

    /**
     * {@code POST /images/load}: reads and verifies the whole archive first (nothing reaches containerd before),
     * then stores it. Returns the lines docker prints ({@code Loaded image: busybox:latest}).
     */
    List<String> load(InputStream body) throws IOException {
        try (ArchiveSpool spool = ArchiveSpool.read(body, tmpDir, "image archive")) {
            List<PendingImage> images = new ArchiveLoader(spool).images();
            List<String> messages = new ArrayList<>();
            lock.lock();
            try {
                String lease = leases.create("load");
                try {
                    for (PendingImage p : images) {
                        String id = store.record(p, writer.write(lease, p));
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
                    leases.delete(lease);
                }
            } catch (ContainerdException e) {
                throw ImageStore.internal("loading the image into containerd failed", e);
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
    String importImage(InputStream body, String repo, String tag, List<String> changes, String message)
            throws IOException {
        Reference target = repo != null && !repo.isEmpty() ? Reference.newTag(repo, tag) : null;
        ObjectNode runConfig = Json.MAPPER.createObjectNode();
        Changes.apply(changes == null ? List.of() : changes, runConfig);
        Files.createDirectories(tmpDir);
        Path file = Files.createTempFile(tmpDir, "import-", ".tar");
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
            byte[] config = Json.MAPPER.writeValueAsBytes(importConfig(runConfig, message, r.diffId(), Instant.now()));
            String configDigest = ChainIds.sha256(config);
            List<PendingImage.Layer> layers = List.of(new PendingImage.Layer(file, digest, size,
                    r.mediaType(), r.diffId()));
            PendingImage p = new PendingImage(target == null ? List.of() : List.of(target.recordName()), config,
                    configDigest, layers, ArchiveLoader.schema2Manifest(configDigest, config.length, layers),
                    ArchiveLoader.DOCKER_MANIFEST);
            lock.lock();
            try {
                String lease = leases.create("import");
                try {
                    String id = store.record(p, writer.write(lease, p));
                    events.publish(Event.of("image", "import", id, Map.of("name", id)));
                    return id;
                } finally {
                    leases.delete(lease);
                }
            } catch (ContainerdException e) {
                throw ImageStore.internal("importing the image into containerd failed", e);
            } finally {
                lock.unlock();
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The config of an imported image: {@code runConfig} and one layer, made {@code now}. */
    static ObjectNode importConfig(ObjectNode runConfig, String message, String diffId, Instant now) {
        String created = now.toString();
        ObjectNode cfg = Json.MAPPER.createObjectNode();
        cfg.put("architecture", "amd64");
        if (message != null && !message.isEmpty()) {
            cfg.put("comment", message);
        }
        cfg.set("config", runConfig);
        cfg.put("created", created);
        ObjectNode h = cfg.putArray("history").addObject();
        h.put("created", created);
        h.put("comment", message != null && !message.isEmpty() ? message : "Imported from -");
        cfg.put("os", "linux");
        ObjectNode rootfs = cfg.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(diffId);
        return cfg;
    }

    // ------------------------------------------------------------------ save

    /** Resolves every name first (404 before any byte is sent); names of one image are merged. */
    List<SaveItem> planSave(List<String> names) {
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
            Found f = index.find(name);
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
    void save(List<SaveItem> items, OutputStream out) throws IOException {
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
                addBytes(tar, configName, content.read(item.id()));
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
        if (!l.mediaType().contains("gzip") && !l.mediaType().contains("zstd")) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(l.size());
            e.setModTime(0);
            tar.putArchiveEntry(e);
            try (InputStream in = content.open(l.digest())) {
                in.transferTo(tar);
            }
            tar.closeArchiveEntry();
            return;
        }
        // the size of an uncompressed tar entry must be known before its bytes: decompress to a file first
        Files.createDirectories(tmpDir);
        Path f = Files.createTempFile(tmpDir, "save-", ".tar");
        try {
            try (InputStream in = ArchiveSpool.decompressed(content.open(l.digest()));
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
}
