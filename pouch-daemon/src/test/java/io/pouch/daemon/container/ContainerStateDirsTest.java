package io.pouch.daemon.container;

import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerState;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.sys.AtomicFiles;
import io.pouch.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContainerStateDirsTest {
    @TempDir
    Path tmp;

    @Test
    void aDirIsUnfinishedUntilItsCreateCompletes() throws IOException {
        ContainerStateDirs files = new ContainerStateDirs(Files.createDirectories(tmp.resolve("containers")),
                tmp.resolve("run"));
        String bare = "a".repeat(64);
        String marked = "b".repeat(64);
        String done = "c".repeat(64);
        Files.createDirectories(files.dir(bare)).resolve("hostname").toFile().createNewFile();
        for (String id : List.of(marked, done)) {
            Path dir = files.createDir(id);
            assertTrue(Files.exists(dir.resolve(ContainerStateDirs.CREATING_MARK)));
            Files.writeString(dir.resolve(ContainerStateDirs.META_FILE), "{\"id\":\"" + id + "\"}");
        }
        files.created(done);
        assertFalse(Files.exists(files.dir(done).resolve(ContainerStateDirs.CREATING_MARK)));
        assertEquals(Set.of(bare, marked), Set.copyOf(files.unfinished()));
        assertEquals(List.of(done), files.readAll().stream().map(ContainerMeta::id).toList(),
                "a marked dir's metadata is never loaded");
    }

    @Test
    void aSaveAfterUnlockWritesTheNewestStateOnceTheLockIsFreeAndNothingForARemovedContainer() throws Exception {
        ContainerStateDirs files = new ContainerStateDirs(Files.createDirectories(tmp.resolve("containers")),
                tmp.resolve("run"));
        Container c = new Container(meta("d".repeat(64)));
        files.createDir(c.id);
        files.write(c.meta());
        c.lock.lock();
        try {
            files.saveAfterUnlock(c, c.meta().withState(state("running")));
            assertEquals("running", c.meta().state().status(), "visible at once");
            await(c.lock::hasQueuedThreads); // the writer waits for the lock
            assertEquals("created", onDisk(files, c.id).state().status());
            c.meta(c.meta().withState(state("exited"))); // a newer state, in memory only
        } finally {
            c.lock.unlock();
        }
        await(() -> "exited".equals(onDiskStatus(files, c.id))); // the newest state, never the older one

        Container gone = new Container(meta("e".repeat(64)));
        files.createDir(gone.id);
        gone.lock.lock();
        try {
            files.saveAfterUnlock(gone, gone.meta().withState(state("running")));
            await(gone.lock::hasQueuedThreads);
            gone.removing = true;
            files.removeStateDir(gone.id);
        } finally {
            gone.lock.unlock();
        }
        await(() -> !gone.lock.isLocked() && !gone.lock.hasQueuedThreads());
        assertFalse(Files.exists(files.dir(gone.id)), "a removed container's dir is not made again");
    }

    private static ContainerState state(String status) {
        return new ContainerState(status, "running".equals(status), false, false, false, false, 42, 0, "",
                "2026-01-01T00:00:01Z", ContainerState.created().finishedAt());
    }

    private static ContainerMeta meta(String id) {
        return new ContainerMeta(id, "n" + id.charAt(0), "2026-01-01T00:00:00Z", "sh", List.of(),
                ContainerConfig.empty(), HostConfig.empty(), "sha256:" + "1".repeat(64), "busybox", null,
                ContainerState.created(), 0);
    }

    private static ContainerMeta onDisk(ContainerStateDirs files, String id) throws IOException {
        return AtomicFiles.readJson(files.dir(id).resolve(ContainerStateDirs.META_FILE), ContainerMeta.class);
    }

    private static String onDiskStatus(ContainerStateDirs files, String id) {
        try {
            return onDisk(files, id).state().status();
        } catch (IOException e) {
            return null;
        }
    }

    private static void await(BooleanSupplier condition) {
        Await.until(Duration.ofSeconds(10), condition, "the condition");
    }
}
