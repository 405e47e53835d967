package io.pouch.daemon.container.exec;

import io.pouch.api.Json;
import io.pouch.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecStoreTest {
    @TempDir
    Path containers;

    private static final String CID = "c".repeat(64);
    private static final String EID = "e".repeat(64);

    private static ExecRecord rec(String cid, String id, boolean running, Integer exit) {
        return new ExecRecord(id, cid, new ExecConfig(false, true, true, null, false, null, List.of("sh", "-c", "x"),
                false, null, null), true, running, exit, 42, exit == null ? 0 : 1);
    }

    @Test
    void writesTheNewestStateAndReadsItBack() throws Exception {
        Files.createDirectories(containers.resolve(CID));
        Files.writeString(containers.resolve(CID).resolve("config.v2.json"), "{}");
        ExecStore s = new ExecStore(containers);
        s.save(rec(CID, EID, true, null));
        s.save(rec(CID, EID, false, 7)); // coalesced with the first: only the newest is written
        Path f = s.file(CID, EID);
        List<ExecRecord> all = Await.until(Duration.ofSeconds(2), () -> new ExecStore(containers).loadAll(),
                l -> !l.isEmpty() && Integer.valueOf(7).equals(l.get(0).exitCode()), "the newest state written");
        assertEquals(1, all.size());
        assertEquals(7, all.get(0).exitCode());
        assertFalse(all.get(0).running());
        s.delete(CID, EID);
        assertFalse(Files.exists(f));
    }

    @Test
    void neverBringsBackARemovedContainersDirectory() throws Exception {
        ExecStore s = new ExecStore(containers);
        s.save(rec(CID, EID, true, null)); // no container dir (removed meanwhile)
        // the write would come after ExecStore.COALESCE_MILLIS
        Await.holds(Duration.ofMillis(400), () -> !Files.exists(containers.resolve(CID)),
                "the removed container's directory stays away");
    }

    @Test
    void skipsRecordsThatDoNotBelongWhereTheyAre() throws Exception {
        Path dir = Files.createDirectories(containers.resolve(CID).resolve("execs"));
        Files.writeString(dir.resolve(EID + ".json"), "{not json");
        Files.writeString(dir.resolve("x.json"), Json.MAPPER.writeValueAsString(rec("other", "y", false, 1)));
        assertTrue(new ExecStore(containers).loadAll().isEmpty());
    }
}
