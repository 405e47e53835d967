package io.pouch.daemon.container.files;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.TestExchange;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.containerd.Mount;
import io.pouch.daemon.containerd.SnapshotMounts;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.pouch.daemon.api.TestExchange.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The archive, changes and export endpoints over a "running container" whose root is this test's own process root
 * ({@code /proc/<pid>/root}, as pouchd reads a running container's files), so paths in the test's temporary
 * directory are paths inside it.
 */
class FilesRoutesTest {
    private static final String STAT_HEADER = "X-Docker-Container-Path-Stat";

    @TempDir
    Path tmp;
    Path upper;
    Path lower;
    Router router;
    final List<String> freezes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        upper = Files.createDirectories(tmp.resolve("upper"));
        lower = Files.createDirectories(tmp.resolve("lower"));
        CopyContainers containers = new CopyContainers() {
            @Override
            public String resolveId(String ref) {
                if (!ref.equals("web")) {
                    throw PouchException.notFound("No such container: " + ref);
                }
                return "c1";
            }

            @Override
            public ContainerManager.ProcessView processView(String ref) {
                resolveId(ref.equals("c1") ? "web" : ref);
                return new ContainerManager.ProcessView("c1", "web", "busybox", "sha256:1", Map.of(), true, false,
                        (int) ProcessHandle.current().pid(), "", false);
            }

            @Override
            public Runnable freezeForCopy(String id) {
                freezes.add("freeze " + id);
                return () -> freezes.add("thaw " + id);
            }

            @Override
            public SnapshotMounts rootfsMounts(String id) {
                return SnapshotMounts.of(List.of(new Mount("overlay", "overlay", "", List.of("lowerdir=" + lower,
                        "upperdir=" + upper, "workdir=" + tmp.resolve("work")))));
            }
        };
        router = new Router();
        new FilesRoutes(new ContainerFiles(containers, tmp.resolve("scratch"))).register(router);
    }

    private static Map<String, String> untar(byte[] tar) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.put(e.getName(), e.isDirectory() ? "<dir>" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static JsonNode stat(TestExchange ex) throws Exception {
        return Json.MAPPER.readTree(Base64.getDecoder().decode(ex.responseHeader(STAT_HEADER)));
    }

    private String archive(Path p) {
        return "/containers/web/archive?path=" + p;
    }

    @Test
    void headAnswersThePathsStatWithoutFreezing() throws Exception {
        Files.writeString(tmp.resolve("f.txt"), "hello");
        TestExchange ex = request("HEAD", archive(tmp.resolve("f.txt"))).run(router);
        assertEquals(200, ex.status());
        assertEquals(0, ex.bytes().length);
        JsonNode s = stat(ex);
        assertEquals("f.txt", s.get("name").asText());
        assertEquals(5, s.get("size").asInt());
        assertEquals("", s.get("linkTarget").asText());
        assertEquals(List.of(), freezes);
    }

    @Test
    void getStreamsATarOfThePathWhileTheContainerIsFrozen() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("d"));
        Files.writeString(d.resolve("a.txt"), "A");
        TestExchange ex = request("GET", archive(d)).run(router);
        assertEquals(200, ex.status());
        assertEquals("application/x-tar", ex.contentType());
        assertEquals("d", stat(ex).get("name").asText());
        assertTrue((stat(ex).get("mode").asLong() & (1L << 31)) != 0, "a directory in Go's file mode bits");
        assertEquals(Map.of("d/", "<dir>", "d/a.txt", "A"), untar(ex.bytes()));
        assertTrue(ex.closed());
        assertEquals(List.of("freeze c1", "thaw c1"), freezes);

        // "DIR/." is the directory's contents, as "./..." entries
        TestExchange contents = request("GET", "/containers/web/archive?path=" + d + "/.").run(router);
        assertEquals(".", stat(contents).get("name").asText());
        assertTrue(untar(contents.bytes()).containsKey("./a.txt"), untar(contents.bytes()).toString());
    }

    @Test
    void aMissingPathIs404AndTheContainerIsThawedAnyway() {
        PouchException e = assertThrows(PouchException.class,
                () -> request("GET", archive(tmp.resolve("nope"))).run(router));
        assertEquals(404, e.status());
        assertEquals("Could not find the file " + tmp.resolve("nope") + " in container web", e.getMessage());
        assertEquals(List.of("freeze c1", "thaw c1"), freezes);
        PouchException empty = assertThrows(PouchException.class,
                () -> request("GET", "/containers/web/archive").run(router));
        assertEquals(400, empty.status());
        assertEquals("bad parameter: path cannot be empty", empty.getMessage());
        assertEquals(404, assertThrows(PouchException.class,
                () -> request("HEAD", "/containers/nope/archive?path=/").run(router)).status());
    }

    @Test
    void putExtractsTheTarIntoTheDirectory() throws Exception {
        Path dst = Files.createDirectories(tmp.resolve("dst"));
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(tar)) {
            byte[] d = "new".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry("new.txt");
            e.setSize(d.length);
            e.setMode(0100640);
            t.putArchiveEntry(e);
            t.write(d);
            t.closeArchiveEntry();
        }
        TestExchange ex = request("PUT", archive(dst) + "&noOverwriteDirNonDir=true").body(tar.toByteArray())
                .run(router);
        assertEquals(200, ex.status());
        assertEquals("new", Files.readString(dst.resolve("new.txt")));
        assertEquals(List.of("freeze c1", "thaw c1"), freezes);

        PouchException missing = assertThrows(PouchException.class,
                () -> request("PUT", archive(tmp.resolve("no/such"))).body(tar.toByteArray()).run(router));
        assertEquals(404, missing.status());
        assertEquals("Could not find the file " + tmp.resolve("no/such") + " in container web", missing.getMessage());
    }

    @Test
    void changesListTheUpperLayerAgainstTheLayersBelow() throws Exception {
        Files.createDirectories(lower.resolve("etc"));
        Files.writeString(lower.resolve("etc/passwd"), "root");
        Files.createDirectories(upper.resolve("etc"));
        Files.writeString(upper.resolve("etc/passwd"), "root\nweb");
        Files.writeString(upper.resolve("added.txt"), "x");
        JsonNode changes = request("GET", "/containers/web/changes").run(router).json();
        Map<String, Integer> kinds = new LinkedHashMap<>();
        changes.forEach(c -> kinds.put(c.get("Path").asText(), c.get("Kind").asInt()));
        assertEquals(Map.of("/added.txt", 1, "/etc", 0, "/etc/passwd", 0), kinds);
    }

    @Test
    void exportOfAnUnknownContainerIs404() {
        assertEquals(404, assertThrows(PouchException.class,
                () -> request("GET", "/containers/nope/export").run(router)).status());
    }
}
