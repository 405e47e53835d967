package io.pouch.daemon.container;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

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
}
