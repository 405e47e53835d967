package io.pouch.daemon.lxcfs;

import io.pouch.api.PouchException;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.api.TestExchange;
import io.pouch.daemon.config.LxcfsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.pouch.daemon.api.TestExchange.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LxcfsRoutesTest {
    @TempDir
    Path dir;

    private Router router(boolean enabled) throws IOException {
        Files.createDirectories(dir.resolve("proc"));
        Files.writeString(dir.resolve("proc/meminfo"), "MemTotal: 1 kB\n");
        List<String> table = List.of("50 27 0:48 / " + dir + " rw - fuse.lxcfs lxcfs rw");
        Lxcfs lxcfs = new Lxcfs(new LxcfsConfig(enabled, Path.of("/usr/bin/lxcfs"), dir), () -> table);
        Router r = new Router();
        new LxcfsRoutes(new LxcfsRemounter(lxcfs, () -> List.of(new LxcfsRemounter.Target("a1", 10),
                new LxcfsRemounter.Target("b2", 11)), (pid, binds) -> {
            if (pid == 11) {
                throw new IOException("enter the mount namespace of process 11: No such process");
            }
        }, t -> true)).register(r);
        return r;
    }

    @Test
    void remountAnswersOneStatusPerContainer() throws Exception {
        TestExchange x = request("POST", "/lxcfs/remount").run(router(true));
        assertEquals(200, x.status());
        assertEquals(2, x.json().size());
        assertEquals("a1", x.json().get(0).get("Id").asText());
        assertEquals("OK", x.json().get(0).get("Status").asText());
        assertEquals("enter the mount namespace of process 11: No such process",
                x.json().get(1).get("Status").asText());
    }

    @Test
    void remountOnADaemonWithLxcfsOffIs400() throws IOException {
        Router r = router(false);
        PouchException e = assertThrows(PouchException.class, () -> request("POST", "/lxcfs/remount").run(r));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("remount-lxcfs: lxcfs is not enabled in pouchd"), e.getMessage());
    }
}
