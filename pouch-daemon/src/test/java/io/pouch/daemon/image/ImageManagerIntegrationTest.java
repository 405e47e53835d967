package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.image.ImageDeleteItem;
import io.pouch.api.image.ImageInspect;
import io.pouch.api.image.ImageSummary;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.containerd.Content;
import io.pouch.daemon.containerd.ImageRecord;
import io.pouch.daemon.containerd.ImageRecords;
import io.pouch.daemon.containerd.Leases;
import io.pouch.daemon.containerd.Mount;
import io.pouch.daemon.containerd.PrivateContainerd;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.query.Filters;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The image manager against a private containerd under /tmp of its own,
 * namespace "image-test". Needs root, containerd and busybox-static.
 */
@Tag("integration")
class ImageManagerIntegrationTest {
    private static Path CTD;
    private static String SOCKET;
    private static PrivateContainerd privateCtd;
    private static Containerd ctd;
    private static Path home;
    private static Path busyboxTar;
    private static String busyboxId;

    private ImageManager images;
    private final List<Event> seen = new CopyOnWriteArrayList<>();
    private final Map<String, List<String>> users = new HashMap<>();
    private final Map<String, List<String>> running = new HashMap<>();

    @BeforeAll
    static void startContainerd() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/containerd")) || Files.isExecutable(Path.of("/usr/local/bin/containerd")),
                "needs containerd");
        privateCtd = PrivateContainerd.startFresh("image-ctd-", "image-test");
        CTD = privateCtd.dir();
        SOCKET = privateCtd.socket();
        ctd = privateCtd.client();
        assumeTrue(privateCtd.up(), "private containerd did not come up");
        home = Files.createTempDirectory("image-home");
        busyboxTar = home.resolve("busybox.tar");
        Process p = new ProcessBuilder("../scripts/build-busybox-image", busyboxTar.toString())
                .redirectErrorStream(true).start();
        String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), outText);
        busyboxId = outText.replaceAll("(?s).*\\((sha256:[0-9a-f]{64})\\).*", "$1").strip();
    }

    @AfterAll
    static void stopContainerd() throws Exception {
        if (privateCtd != null) {
            privateCtd.close();
        }
        if (home != null) {
            try (var walk = Files.walk(home)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @BeforeEach
    void cleanNamespace() {
        for (ImageRecord i : records().list()) {
            records().delete(i.name());
        }
        for (String d : content().list()) {
            content().delete(d);
        }
        for (int round = 0; round < 10 && !snapshots().list().isEmpty(); round++) {
            snapshots().list().forEach(snapshots()::remove);
        }
        DaemonConfig cfg = new DaemonConfig(home, home.resolve("run"), List.of(), SOCKET, "containerd", "image-test",
                false, "json-file", Map.of(), "runc", "p0", null);
        EventBus bus = new EventBus();
        bus.subscribe(seen::add);
        images = new ImageManager(ctd, cfg, bus);
        images.setImageUsage(new ImageUsage() {
            @Override
            public List<String> containersUsing(String imageId) {
                return users.getOrDefault(imageId, List.of());
            }

            @Override
            public List<String> runningContainersUsing(String imageId) {
                return running.getOrDefault(imageId, List.of());
            }
        });
        images.reload();
    }

    private List<String> load(byte[] tar) throws IOException {
        return images.load(new ByteArrayInputStream(tar));
    }

    private record State(List<String> images, List<String> blobs, List<String> snapshots) {
    }

    private State state() {
        return new State(records().list().stream().map(ImageRecord::name).sorted().toList(),
                content().list().stream().sorted().toList(), snapshots().list().stream().sorted().toList());
    }

    private static ImageRecords records() {
        return new ImageRecords(ctd);
    }

    private static Content content() {
        return new Content(ctd, Optional.empty());
    }

    private static Snapshots snapshots() {
        return new Snapshots(ctd);
    }

    @Test
    void loadInspectListTagSaveReloadRemove() throws Exception {
        List<String> msgs = load(Files.readAllBytes(busyboxTar));
        assertEquals(List.of("Loaded image: busybox:latest"), msgs);
        LocalImage img = images.resolve("busybox");
        assertEquals(busyboxId, img.id());
        assertEquals("docker.io/library/busybox:latest", img.name());
        assertEquals(List.of("sh"), img.config().cmd());
        assertEquals(img.id(), images.resolve(busyboxId.substring(7, 12)).id());
        assertEquals(img.id(), images.resolve(busyboxId).id());
        assertTrue(seen.stream().anyMatch(e -> e.action().equals("load")));

        ImageInspect in = images.inspect("busybox:latest", ImageFields.CURRENT);
        assertEquals(List.of("busybox:latest"), in.repoTags());
        assertEquals("overlayfs", in.graphDriver().name());
        assertEquals(img.chainId(), in.rootFS().layers().getFirst(), "one layer: chain id = diff id");
        assertEquals(List.of("sh"), in.config().cmd());
        System.out.println(Json.MAPPER.writeValueAsString(in));

        images.tag("busybox", "localhost:5000/x", "1");
        List<ImageSummary> list = images.list(Filters.NONE, ImageFields.CURRENT);
        assertEquals(1, list.size());
        assertEquals(List.of("busybox:latest", "localhost:5000/x:1"), list.getFirst().repoTags());
        assertEquals(1, images.list(Filters.parse("{\"reference\":{\"busy*\":true}}"), ImageFields.CURRENT).size());
        assertEquals(0, images.list(Filters.parse("{\"dangling\":[\"true\"]}"), ImageFields.CURRENT).size());
        System.out.println(Json.MAPPER.writeValueAsString(list));
        System.out.println(Json.MAPPER.writeValueAsString(images.history("busybox")));

        // a fresh manager sees the same from containerd
        ImageManager again = new ImageManager(ctd, new DaemonConfig(home, home, List.of(), SOCKET, "containerd",
                "image-test", false, "json-file", Map.of(), "runc", "p0", null), new EventBus());
        again.reload();
        assertEquals(busyboxId, again.resolve("localhost:5000/x:1").id());
        assertEquals(img.chainId(), again.resolve("busybox").chainId());

        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        images.save(images.planSave(List.of("localhost:5000/x:1")), saved);

        // in use by a stopped container: untag refused without force
        users.put(busyboxId, List.of("0123456789abcdef0123"));
        images.delete("localhost:5000/x:1", false); // names in two repositories: plain untag, no check
        PouchException conflict = assertThrows(PouchException.class, () -> images.delete("busybox", false));
        assertEquals(409, conflict.status());
        assertTrue(conflict.getMessage().startsWith("conflict: unable to remove repository reference \"busybox\" (must force) - container 0123456789ab"), conflict.getMessage());
        // a running user: the last name goes with force, the image stays (dangling); by id it cannot be forced
        running.put(busyboxId, List.of("0123456789abcdef0123"));
        assertEquals(List.of(ImageDeleteItem.untagged("busybox:latest")), images.delete("busybox", true));
        assertEquals(busyboxId, images.resolve(busyboxId).id(), "kept as a dangling image while used");
        assertEquals(List.of("<none>:<none>"), images.list(Filters.NONE, ImageFields.BEFORE_1_44).getFirst().repoTags());
        PouchException cannot = assertThrows(PouchException.class, () -> images.delete(busyboxId.substring(7, 19), true));
        assertEquals(409, cannot.status());
        assertEquals("conflict: unable to delete " + busyboxId.substring(7, 19) + " (cannot be forced) - image is being "
                + "used by running container 0123456789ab", cannot.getMessage());
        // only a stopped user left: a forced delete removes the image, as dockerd's
        running.clear();
        PouchException mustForce = assertThrows(PouchException.class, () -> images.delete(busyboxId.substring(7, 19), false));
        assertEquals("conflict: unable to delete " + busyboxId.substring(7, 19) + " (must be forced) - image is being "
                + "used by stopped container 0123456789ab", mustForce.getMessage());
        List<ImageDeleteItem> deleted = images.delete(busyboxId.substring(7, 19), true);
        assertEquals(ImageDeleteItem.deleted(busyboxId), deleted.getFirst());
        users.clear();
        assertEquals(new State(List.of(), List.of(), List.of()), state(), "nothing left after rmi");
        assertThrows(PouchException.class, () -> images.resolve("busybox"));

        // the saved archive loads back with the same id and tag
        assertEquals(List.of("Loaded image: localhost:5000/x:1"), load(saved.toByteArray()));
        assertEquals(busyboxId, images.resolve("localhost:5000/x:1").id());
        try (TarArchiveInputStream t = new TarArchiveInputStream(new ByteArrayInputStream(saved.toByteArray()))) {
            List<String> names = new ArrayList<>();
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
            assertTrue(names.contains("manifest.json") && names.contains(busyboxId.substring(7) + ".json"), names.toString());
        }
        // the last tag of an image a stopped container uses, forced: untagged and deleted, as dockerd
        users.put(busyboxId, List.of("0123456789abcdef0123"));
        List<ImageDeleteItem> forced = images.delete("localhost:5000/x:1", true);
        assertEquals(List.of(ImageDeleteItem.untagged("localhost:5000/x:1"), ImageDeleteItem.deleted(busyboxId)),
                forced.subList(0, 2));
        users.clear();
        assertEquals(new State(List.of(), List.of(), List.of()), state(), "nothing left after the forced rmi");
    }

    @Test
    void pruneWithADanglingValueItCannotReadRemovesNothing() throws Exception {
        load(Files.readAllBytes(busyboxTar));
        for (String bad : List.of("{\"dangling\":[\"yes\"]}", "{\"dangling\":[\"true\",\"false\"]}")) {
            PouchException e = assertThrows(PouchException.class, () -> images.prune(Filters.parse(bad)));
            assertEquals(400, e.status(), bad);
            assertTrue(e.getMessage().startsWith("Invalid filter 'dangling="), e.getMessage());
        }
        assertEquals(busyboxId, images.resolve("busybox").id(), "the unused tagged image is still there");
        images.prune(Filters.parse("{\"dangling\":[\"false\"]}"));
        assertThrows(PouchException.class, () -> images.resolve("busybox"), "dangling=false prunes it");
    }

    @Test
    void snapshotOfChainIdGivesARootfs() throws Exception {
        load(Files.readAllBytes(busyboxTar));
        LocalImage img = images.resolve("busybox");
        String key = "image-test-rootfs-" + System.nanoTime();
        // like a container's rootfs, the snapshot needs a reference or containerd's GC takes it: a lease here
        Leases leases = new Leases(ctd);
        String lease = leases.create("image-test-" + UUID.randomUUID(), Duration.ofDays(1));
        List<Mount> mounts = snapshots().prepare(lease, key, img.chainId()).mounts();
        Path target = Files.createTempDirectory("image-rootfs");
        try {
            Mount m = mounts.getFirst();
            run("mount", "-t", m.type(), "-o", String.join(",", m.options()), m.source(), target.toString());
            try {
                assertTrue(Files.isRegularFile(target.resolve("bin/busybox")));
                assertTrue(Files.exists(target.resolve("bin/sh")));
            } finally {
                run("umount", target.toString());
            }
        } finally {
            assertTrue(snapshots().remove(key));
            leases.delete(lease);
            Files.deleteIfExists(target);
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    @Test
    void importWithChanges() throws Exception {
        byte[] rootfs = tar(Map.of("hello.txt", "hi\n"), Map.of());
        String id = images.importImage(new ByteArrayInputStream(rootfs), "imported", "v1",
                List.of("CMD [\"sh\"]", "ENV A=b", "WORKDIR /w", "LABEL k=v", "EXPOSE 80"), null);
        LocalImage img = images.resolve("imported:v1");
        assertEquals(id, img.id());
        assertEquals(List.of("sh"), img.config().cmd());
        assertEquals(List.of("A=b"), img.config().env());
        assertEquals("/w", img.config().workingDir());
        assertEquals(Map.of("k", "v"), img.config().labels());
        assertTrue(img.config().exposedPorts().containsKey("80/tcp"));
        assertNotNull(img.chainId());
        assertTrue(snapshots().exists(img.chainId()));
        assertTrue(seen.stream().anyMatch(e -> e.action().equals("import")));
        JsonNode hist = Json.MAPPER.valueToTree(images.history("imported:v1"));
        assertEquals("Imported from -", hist.get(0).get("Comment").asText());
    }

    @Test
    void hostileArchivesLeaveNothing() throws Exception {
        State before = state();
        for (byte[] layer : List.of(
                tar(Map.of("../x", "evil"), Map.of()),
                tar(Map.of("/etc/passwd", "evil"), Map.of()),
                tar(Map.of("a/x", "evil"), Map.of("a", "../../..")),
                hardlinkTar("../../etc/shadow"))) {
            byte[] archive = dockerSave(layer);
            PouchException e = assertThrows(PouchException.class, () -> load(archive));
            assertEquals(400, e.status(), e.getMessage());
            assertEquals(before, state());
        }
        // outer archive entries too
        byte[] outer = tar(Map.of("../manifest.json", "[]"), Map.of());
        assertEquals(400, assertThrows(PouchException.class, () -> load(outer)).status());
        // a diff id that does not match its layer
        byte[] good = tar(Map.of("f", "x"), Map.of());
        String cfg = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:"
                + "0".repeat(64) + "\"]}}";
        byte[] wrong = tar(Map.of("c.json", cfg, "l/layer.tar", new String(good, StandardCharsets.ISO_8859_1),
                "manifest.json", "[{\"Config\":\"c.json\",\"RepoTags\":[\"bad:1\"],\"Layers\":[\"l/layer.tar\"]}]"), Map.of());
        assertEquals(400, assertThrows(PouchException.class, () -> load(wrong)).status());
        assertEquals(before, state());
        assertTrue(images.list(Filters.NONE, ImageFields.CURRENT).isEmpty());
    }

    /** A docker-save archive around one layer, with a correct config. */
    private static byte[] dockerSave(byte[] layer) throws IOException {
        String diffId = "sha256:" + HexFormat.of().formatHex(ChainIds.digest().digest(layer));
        String cfg = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}";
        return tar(Map.of("c.json", cfg, "l/layer.tar", new String(layer, StandardCharsets.ISO_8859_1),
                "manifest.json", "[{\"Config\":\"c.json\",\"RepoTags\":[\"evil:1\"],\"Layers\":[\"l/layer.tar\"]}]"), Map.of());
    }

    /** Files (ISO-8859-1 strings keep bytes intact) first, then symlinks. */
    static byte[] tar(Map<String, String> files, Map<String, String> symlinks) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> s : symlinks.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(s.getKey(), TarArchiveEntry.LF_SYMLINK);
                e.setLinkName(s.getValue());
                t.putArchiveEntry(e);
                t.closeArchiveEntry();
            }
            for (Map.Entry<String, String> f : files.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
                byte[] data = f.getValue().getBytes(StandardCharsets.ISO_8859_1);
                TarArchiveEntry e = new TarArchiveEntry(f.getKey(), true);
                e.setSize(data.length);
                t.putArchiveEntry(e);
                t.write(data);
                t.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] hardlinkTar(String target) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry e = new TarArchiveEntry("h", TarArchiveEntry.LF_LINK, true);
            e.setLinkName(target);
            t.putArchiveEntry(e);
            t.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    /** Runs containerd's garbage collector now: deleting a lease with sync=true collects synchronously. */
    private static void collectGarbage() {
        Leases leases = new Leases(ctd);
        leases.create("gc-now", Duration.ofMinutes(1));
        leases.delete("gc-now", true);
    }

    @Test
    void gcLabelsKeepEverythingAndOciLayoutLoads() throws Exception {
        load(Files.readAllBytes(busyboxTar));
        State loaded = state();
        collectGarbage();
        assertEquals(loaded, state(), "containerd's GC must not collect a loaded image");
        LocalImage img = images.resolve("busybox");
        Content b = content();
        assertEquals(img.chainId(), b.info(img.id()).orElseThrow().labels().get("containerd.io/gc.ref.snapshot.overlayfs"));

        // an OCI image layout made of the same blobs, under another name
        Map<String, String> files = new HashMap<>();
        files.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
        byte[] config = b.read(img.id());
        String layerDigest = b.info(img.chainId()).map(i -> i.digest()).orElse(img.chainId());
        byte[] layer = b.open(layerDigest).readAllBytes();
        files.put("blobs/sha256/" + img.id().substring(7), new String(config, StandardCharsets.ISO_8859_1));
        files.put("blobs/sha256/" + layerDigest.substring(7), new String(layer, StandardCharsets.ISO_8859_1));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + img.id()
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}";
        String manifestDigest = ChainIds.sha256(manifest.getBytes(StandardCharsets.UTF_8));
        files.put("blobs/sha256/" + manifestDigest.substring(7), manifest);
        files.put("index.json", "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"digest\":\"" + manifestDigest + "\",\"size\":" + manifest.length()
                + ",\"annotations\":{\"io.containerd.image.name\":\"docker.io/library/oci:1\"}}]}");
        assertEquals(List.of("Loaded image: oci:1"), load(tar(files, Map.of())));
        assertEquals(img.id(), images.resolve("oci:1").id());
        assertEquals(img.chainId(), images.resolve("oci:1").chainId());
        collectGarbage();
        images.delete("busybox", false);
        collectGarbage();
        assertTrue(snapshots().exists(img.chainId()), "still used by oci:1");
        assertEquals(img.id(), images.resolve("oci:1").id());
        images.delete("oci:1", false);
        collectGarbage();
        assertEquals(new State(List.of(), List.of(), List.of()), state());
    }

    @SuppressWarnings("unused")
    private static InputStream stream(byte[] b) {
        return new ByteArrayInputStream(b);
    }
}
