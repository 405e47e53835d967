package io.pouch.it;

import io.pouch.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code kill -9} of pouchd (its own daemon) while creates are in flight: after the restart every container dir
 * has its metadata, every container is whole (known to containerd, with its snapshot, removable), and no containerd
 * container or container snapshot is left for an id pouchd does not know. The states a kill leaves are also made on
 * purpose (a dir without metadata, a create still marked as running), so that their removal is checked every run.
 * Prints its counts.
 */
@Tag("e2e")
class CreateKillFaultTest {
    private static final String ID = "[0-9a-f]{64}";
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.startPrivate();
    }

    @AfterAll
    static void stop() {
        if (d != null) {
            d.close();
        }
    }

    private static Path containersDir() {
        return d.base().resolve("home/containers");
    }

    private static Set<String> dirs() throws Exception {
        try (Stream<Path> s = Files.list(containersDir())) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static Set<String> pouchIds() {
        String out = d.docker("ps", "-aq", "--no-trunc").ok().trimmed();
        return out.isEmpty() ? new TreeSet<>() : new TreeSet<>(Arrays.asList(out.split("\\s+")));
    }

    /** The first column of a {@code ctr} listing in pouchd's namespace, ids of containers only. */
    private static Set<String> ctr(String... what) {
        List<String> c = new ArrayList<>(List.of("ctr", "-a", d.base().resolve("run/containerd/containerd.sock")
                .toString(), "-n", "pouch"));
        c.addAll(List.of(what));
        Cmd.Result r = Cmd.run(c, Map.of(), null, Duration.ofSeconds(30)).ok();
        return r.out().lines().skip(1).map(l -> l.split("\\s+")[0]).filter(k -> k.matches(ID))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void aKillDuringCreatesLeavesNoHalfCreatedContainer() throws Exception {
        // a create interrupted before its metadata, and one whose metadata exists but whose create never finished
        String marked = d.docker("create", "--label", "ck=marked", "-v", "/data", "busybox", "true").ok().trimmed();
        d.killDaemon9();
        Path bare = Files.createDirectories(containersDir().resolve("ab".repeat(32)));
        Files.writeString(bare.resolve("hostname"), "x\n");
        Files.createFile(containersDir().resolve(marked).resolve(".creating"));
        d.restartDaemon();
        assertFalse(Files.exists(bare), "a dir without metadata is removed");
        assertFalse(Files.exists(containersDir().resolve(marked)), "an unfinished create is removed");
        assertFalse(pouchIds().contains(marked));
        assertFalse(ctr("containers", "ls").contains(marked), "with its containerd container");
        assertFalse(ctr("snapshots", "ls").contains(marked), "and its snapshot");
        String volumes = d.docker("volume", "ls", "-q").ok().trimmed();
        for (String v : volumes.isEmpty() ? new String[0] : volumes.split("\\s+")) {
            d.docker("volume", "rm", v).ok(); // no volume is held by the removed container
        }

        // now for real: creates in flight from several clients when pouchd is killed
        AtomicBoolean go = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            for (int i = 0; i < 6; i++) {
                pool.submit(() -> {
                    while (go.get()) {
                        Cmd.Result r = d.curl("/containers/create", "-XPOST", "-H", "Content-Type: application/json",
                                "-d", "{\"Image\":\"busybox\",\"Cmd\":[\"true\"],\"Labels\":{\"ck\":\"load\"},"
                                        + "\"Volumes\":{\"/data\":{}}}");
                        if (r.out().endsWith("\n201")) {
                            answered.incrementAndGet();
                        }
                    }
                });
            }
            Await.until(Duration.ofSeconds(60), answered::get, n -> n >= 12, "creates under way");
            d.killDaemon9();
            go.set(false);
        }
        Set<String> leftOnDisk = dirs();
        d.restartDaemon();

        Set<String> ids = pouchIds();
        Set<String> onDisk = dirs();
        System.out.println("creates answered before the kill: " + answered.get() + "; dirs at the kill: "
                + leftOnDisk.size() + "; containers after the restart: " + ids.size());
        assertEquals(ids, onDisk, "every dir is a container's and every container has its dir");
        for (String id : onDisk) {
            assertTrue(Files.isRegularFile(containersDir().resolve(id).resolve("config.v2.json")), id);
            assertFalse(Files.exists(containersDir().resolve(id).resolve(".creating")), id);
        }
        assertEquals(ids, ctr("containers", "ls"), "containerd has exactly pouchd's containers");
        assertEquals(ids, ctr("snapshots", "ls"), "and exactly their snapshots");
        for (String id : ids) {
            assertEquals("created", d.docker("inspect", "-f", "{{.State.Status}}", id).ok().trimmed(), id);
        }
        if (!ids.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of("rm", "-v"));
            rm.addAll(ids);
            d.docker(rm.toArray(String[]::new)).ok();
        }
        assertEquals(Set.of(), dirs());
    }
}
