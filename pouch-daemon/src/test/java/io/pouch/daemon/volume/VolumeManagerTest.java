package io.pouch.daemon.volume;

import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import io.pouch.api.volume.Volume;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.query.Filters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VolumeManagerTest {
    @TempDir
    Path tmp;
    DaemonConfig cfg;

    @BeforeEach
    void config() {
        cfg = new DaemonConfig(tmp.resolve("home"), tmp.resolve("run"), List.of(), null, null, "t", false,
                "json-file", Map.of(), "runc", "p0", null);
    }

    private VolumeManager manager() throws Exception {
        VolumeManager m = new VolumeManager(cfg, new EventBus(),
                new PluginDrivers(List.of(tmp.resolve("plugins")), List.of(tmp.resolve("specs"))));
        m.start();
        return m;
    }

    private static int status(Runnable r) {
        return assertThrows(PouchException.class, r::run).status();
    }

    @Test
    void createListInspectRemove() throws Exception {
        VolumeManager m = manager();
        Volume v = m.create("data", null, Map.of(), Map.of("team", "a"));
        assertEquals("local", v.driver());
        assertEquals(cfg.volumesDir().resolve("data/_data").toString(), v.mountpoint());
        assertTrue(Files.isDirectory(Path.of(v.mountpoint())));
        assertTrue(Files.isRegularFile(cfg.volumesDir().resolve("data/opts.json")));
        assertEquals(64, m.create(null, null, null, null).name().length());
        assertEquals(1, m.list(Filters.parse("{\"label\":[\"team=a\"]}")).volumes().size());
        assertEquals(1, m.list(Filters.parse("{\"name\":[\"dat\"]}")).volumes().size());
        assertEquals(2, m.list(Filters.parse("{\"dangling\":[\"true\"]}")).volumes().size());
        assertEquals(400, status(() -> m.list(Filters.parse("{\"bogus\":[\"x\"]}"))));
        assertEquals(400, status(() -> m.create("a/b", null, null, null)));
        assertEquals(400, status(() -> m.create("data2", "local", Map.of("nope", "1"), null)));
        assertFalse(Files.exists(cfg.volumesDir().resolve("data2")), "nothing half-created");
        assertEquals(404, status(() -> m.create("data3", "missing-plugin", null, null)));
        assertFalse(Files.exists(cfg.volumesDir().resolve("data3")));
        m.remove("data", false);
        assertFalse(Files.exists(cfg.volumesDir().resolve("data")));
        assertEquals(404, status(() -> m.inspect("data")));
        m.remove("data", true); // force: a missing volume is fine
    }

    @Test
    void inUseVolumesAreKeptAndUsersSurviveARestart() throws Exception {
        VolumeManager m = manager();
        ContainerVolumes cv = new ContainerVolumes(m, cfg.containersDir());
        String id = "c".repeat(64);
        Files.createDirectories(cfg.containersDir().resolve(id));
        HostConfig hc = HostConfig.builder().binds(List.of("shared:/data", "/anon")).build();
        List<PlannedMount> plan = cv.attach(id, cv.plan(hc, Map.of("/img", Map.of()), ref -> {
            throw PouchException.notFound("No such container: " + ref);
        }));
        assertEquals(3, plan.size());
        String anon = plan.stream().filter(p -> p.destination().equals("/anon")).findFirst().orElseThrow().name();
        PouchException e = assertThrows(PouchException.class, () -> m.remove("shared", false));
        assertEquals(409, e.status());
        assertEquals("remove shared: volume is in use - [" + id + "]", e.getMessage());
        m.mount("shared", id);

        VolumeManager again = manager(); // a daemon restart
        assertEquals(List.of(id), again.users("shared"));
        assertEquals(List.of(id), again.activeUsers("shared"));
        assertEquals(409, status(() -> again.remove(anon, false)));
        // prune keeps volumes in use; by default (API >= 1.42) only anonymous ones go
        again.create("unused", null, null, null);
        assertEquals(List.of(), again.prune(Filters.NONE, true).volumesDeleted());
        assertEquals(List.of("unused"), again.prune(Filters.NONE, false).volumesDeleted());

        ContainerVolumes cv2 = new ContainerVolumes(again, cfg.containersDir());
        cv2.removed(id, true); // rm -v
        assertTrue(again.activeUsers("shared").isEmpty());
        assertEquals(404, status(() -> again.inspect(anon)));
        again.inspect("shared"); // named volumes stay
        again.remove("shared", false);
    }

    @Test
    void aFailedAttachLeavesNothing() throws Exception {
        VolumeManager m = manager();
        try (TestVolumePlugin p = new TestVolumePlugin(tmp.resolve("plugins/tvp.sock"), tmp.resolve("tvp"))) {
            ContainerVolumes cv = new ContainerVolumes(m, cfg.containersDir());
            String id = "d".repeat(64);
            Files.createDirectories(cfg.containersDir().resolve(id));
            List<PlannedMount> plan = List.of(MountSpecs.parseBind("fresh:/a", null),
                    MountSpecs.parseBind("fail:/b", "tvp"));
            PouchException e = assertThrows(PouchException.class, () -> cv.attach(id, plan));
            assertTrue(e.getMessage().contains("refusing to create fail"), e.getMessage());
            assertTrue(m.list(Filters.NONE).volumes().isEmpty());
            assertFalse(Files.exists(cfg.containersDir().resolve(id).resolve("mounts.json")));
        }
    }

    @Test
    void pluginRoundTrip() throws Exception {
        VolumeManager m = manager();
        try (TestVolumePlugin p = new TestVolumePlugin(tmp.resolve("plugins/tvp.sock"), tmp.resolve("tvp"))) {
            Volume v = m.create("pv", "tvp", Map.of("k", "v"), null);
            assertEquals("tvp", v.driver());
            assertEquals("local", v.scope());
            assertEquals(tmp.resolve("tvp/pv").toString(), v.mountpoint());
            assertEquals(tmp.resolve("tvp/pv"), m.mount("pv", "c1"));
            m.unmount("pv", "c1");
            m.remove("pv", false);
            assertFalse(Files.exists(tmp.resolve("tvp/pv")));
            assertTrue(p.calls.containsAll(List.of("Plugin.Activate", "VolumeDriver.Create pv",
                    "VolumeDriver.Mount pv c1", "VolumeDriver.Unmount pv c1", "VolumeDriver.Remove pv")),
                    p.calls.toString());
        }
        // spec files name the address too
        Files.createDirectories(tmp.resolve("specs"));
        Files.writeString(tmp.resolve("specs/sp.spec"), "unix://" + tmp.resolve("sp.sock"));
        try (TestVolumePlugin p = new TestVolumePlugin(tmp.resolve("sp.sock"), tmp.resolve("sp"))) {
            assertEquals("sp", m.create("sv", "sp", null, null).driver());
            m.remove("sv", false);
        }
        assertEquals(404, status(() -> m.create("x1", "gone", null, null)));
    }

    @Test
    void metadataIsJson() throws Exception {
        VolumeManager m = manager();
        m.create("meta", null, Map.of(), Map.of());
        VolumeRecord r = Json.MAPPER.readValue(cfg.volumesDir().resolve("meta/opts.json").toFile(),
                VolumeRecord.class);
        assertEquals("meta", r.name());
    }
}
