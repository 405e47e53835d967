package io.pouch.daemon.volume;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerInspect;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.config.DaemonConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContainerVolumesTest {
    @TempDir
    Path tmp;

    private static HostConfig hc(List<String> binds, List<HostConfig.Mount> mounts, Map<String, String> tmpfs,
                                 List<String> volumesFrom) {
        return HostConfig.builder().binds(binds).volumesFrom(volumesFrom).mounts(mounts).tmpfs(tmpfs).build();
    }

    private ContainerVolumes volumes() throws Exception {
        DaemonConfig cfg = new DaemonConfig(tmp.resolve("home"), tmp.resolve("run"), List.of(), null, null, "t",
                false, "json-file", Map.of(), "runc", "p0", null);
        VolumeManager m = new VolumeManager(cfg, null, new PluginDrivers(List.of(), List.of()));
        m.start();
        return new ContainerVolumes(m, cfg.containersDir());
    }

    @Test
    void planOrderAndConflicts() throws Exception {
        ContainerVolumes cv = volumes();
        List<PlannedMount> p = cv.plan(hc(List.of("named:/data", "/host:/h"), null, Map.of("/t", "size=1m"), null),
                Map.of("/data", Map.of(), "/img", Map.of()), ref -> ref);
        assertEquals(List.of("/data", "/h", "/t", "/img"), p.stream().map(PlannedMount::destination).toList());
        assertEquals("named", p.get(0).name()); // the image's VOLUME /data gives way to the user's
        PouchException dup = assertThrows(PouchException.class, () -> cv.plan(hc(List.of("a1:/x"), null,
                Map.of("/x", ""), null), null, ref -> ref));
        assertEquals("Duplicate mount point: /x", dup.getMessage());
        PouchException gone = assertThrows(PouchException.class, () -> cv.plan(hc(null, null, null,
                List.of("nope")), null, ref -> {
                    throw PouchException.notFound("No such container: " + ref);
                }));
        assertEquals(400, gone.status());
        // a missing plugin is a 400 at create (a 404 would make the docker CLI try to pull the image)
        PouchException plugin = assertThrows(PouchException.class, () -> cv.plan(HostConfig.builder().binds(List.of("v1:/x"))
                .volumeDriver("no-such-plugin").build(), null, ref -> ref));
        assertEquals(400, plugin.status());
        assertTrue(plugin.getMessage().contains("plugin \"no-such-plugin\" not found"), plugin.getMessage());
    }

    @Test
    void aContainerWithoutMountsHasNoPlanFileAndReadsAsNoMounts() throws Exception {
        ContainerVolumes cv = volumes();
        String bare = "1".repeat(64);
        String mounted = "2".repeat(64);
        Path home = tmp.resolve("home/containers");
        Files.createDirectories(home.resolve(bare));
        Files.createDirectories(home.resolve(mounted));
        cv.attach(bare, cv.plan(HostConfig.empty(), null, ref -> ref));
        cv.attach(mounted, cv.plan(hc(List.of("vol3:/v"), null, null, null), null, ref -> ref));
        assertFalse(Files.exists(home.resolve(bare).resolve(ContainerVolumes.PLAN_FILE)));
        assertTrue(Files.isRegularFile(home.resolve(mounted).resolve(ContainerVolumes.PLAN_FILE)));
        assertEquals(List.of(), ContainerVolumes.readPlan(home.resolve(bare)));
        assertEquals(List.of("/v"), ContainerVolumes.readPlan(home.resolve(mounted)).stream()
                .map(PlannedMount::destination).toList());
        ObjectNode spec = Json.MAPPER.createObjectNode();
        spec.putArray("mounts").addObject().put("destination", "/proc").put("type", "proc");
        cv.applyStart(bare, List.of(), spec, HostConfig.empty());
        assertEquals(1, spec.get("mounts").size(), "no user mount in the spec");
    }

    @Test
    void specGetsUserMountsReplacingDefaultsParentsFirst() throws Exception {
        ContainerVolumes cv = volumes();
        String id = "e".repeat(64);
        Files.createDirectories(tmp.resolve("home/containers").resolve(id));
        Path host = Files.createDirectories(tmp.resolve("hostdir"));
        cv.attach(id, cv.plan(hc(List.of("vol1:/a/b", host + ":/a:ro", tmp.resolve("made") + ":/m"), null,
                Map.of("/dev/shm", "size=1m"), null), null, ref -> ref));
        ObjectNode spec = Json.MAPPER.createObjectNode();
        spec.putArray("mounts").addObject().put("destination", "/proc").put("type", "proc");
        spec.withArray("mounts").addObject().put("destination", "/dev/shm").put("type", "tmpfs").put("source", "shm");
        cv.applyStart(id, List.of(), spec, null);
        List<String> dests = new ArrayList<>();
        for (JsonNode n : spec.get("mounts")) {
            dests.add(n.get("destination").asText());
        }
        assertEquals(List.of("/proc", "/a", "/m", "/a/b", "/dev/shm"), dests);
        JsonNode shm = spec.get("mounts").get(4);
        assertEquals("tmpfs", shm.get("source").asText());
        assertTrue(shm.get("options").toString().contains("size=1m"), shm.toString());
        JsonNode a = spec.get("mounts").get(1);
        assertEquals(host.toString(), a.get("source").asText());
        assertTrue(a.get("options").toString().contains("\"ro\""));
        assertTrue(Files.isDirectory(tmp.resolve("made")), "-v creates a missing host directory");
        assertEquals(List.of(id), cv.manager().activeUsers("vol1"));
        cv.stopped(id);
        assertTrue(cv.manager().activeUsers("vol1").isEmpty());
        cv.removed(id, true);
        assertFalse(cv.manager().users("vol1").contains(id));
        cv.manager().inspect("vol1"); // named: kept by rm -v
    }

    @Test
    void aPredictedStartAddsTheMountsTheStartWillAndTouchesNothing() throws Exception {
        ContainerVolumes cv = volumes();
        String id = "f".repeat(64);
        Files.createDirectories(tmp.resolve("home/containers").resolve(id));
        Path host = Files.createDirectories(tmp.resolve("logs"));
        List<PlannedMount> plan = cv.plan(hc(List.of(host + ":/var/log:ro", host + ":/a/b"), null,
                Map.of("/a", "size=1m"), null), null, ref -> ref);
        cv.attach(id, plan);
        ObjectNode predicted = Json.MAPPER.createObjectNode();
        predicted.putArray("mounts").addObject().put("destination", "/proc").put("type", "proc");
        ObjectNode started = predicted.deepCopy();
        assertTrue(cv.predictStart(plan, predicted));
        cv.applyStart(id, List.of(), started, null);
        assertEquals(started, predicted, "the same mounts in the same order");

        // a volume to mount or a host directory to create is left to the start: nothing predicted, nothing made
        for (List<String> binds : List.of(List.of("vol9:/data"), List.of(tmp.resolve("notyet") + ":/n"))) {
            ObjectNode spec = Json.MAPPER.createObjectNode();
            spec.putArray("mounts");
            assertFalse(cv.predictStart(cv.plan(hc(binds, null, null, null), null, ref -> ref), spec), binds.toString());
            assertEquals(0, spec.get("mounts").size());
        }
        assertFalse(Files.exists(tmp.resolve("notyet")));
        assertTrue(cv.manager().activeUsers("vol9").isEmpty());
    }

    @Test
    void mountPointsFromMemoryOnlyWithoutNamedVolumes() throws Exception {
        ContainerVolumes cv = volumes();
        String plain = "a".repeat(64);
        String named = "b".repeat(64);
        Files.createDirectories(tmp.resolve("home/containers").resolve(plain));
        Files.createDirectories(tmp.resolve("home/containers").resolve(named));
        Path host = Files.createDirectories(tmp.resolve("bound"));
        assertNull(cv.cachedMountPoints(plain), "the plan was never read: that needs the disk");
        cv.attach(plain, cv.plan(hc(List.of(host + ":/h:ro"), null, Map.of("/t", "size=1m"), null), null, ref -> ref));
        cv.attach(named, cv.plan(hc(List.of("vol2:/v"), null, null, null), null, ref -> ref));
        assertEquals(cv.mountPoints(plain), cv.cachedMountPoints(plain));
        assertEquals(List.of("/h", "/t"), cv.cachedMountPoints(plain).stream()
                .map(ContainerInspect.MountPoint::destination).toList());
        assertNull(cv.cachedMountPoints(named), "a volume's mount point comes from its manager (a lock, a plugin)");
        assertEquals("vol2", cv.mountPoints(named).getFirst().name());
    }
}
