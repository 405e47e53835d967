package io.pouch.daemon.container;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ImageUserFilesTest {
    @TempDir
    Path tmp;

    @Test
    void theTopmostLayersFilesAreReadOncePerImage() throws Exception {
        Path top = Files.createDirectories(tmp.resolve("2/etc"));
        Path base = Files.createDirectories(tmp.resolve("1/etc"));
        Files.writeString(top.resolve("passwd"), "app:x:1000:1000::/:/bin/sh\n");
        Files.writeString(base.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
        Files.writeString(base.resolve("group"), "root:x:0:\n");
        ImageUserFiles files = new ImageUserFiles();
        assertNull(files.get("sha256:c1"));
        files.remember("sha256:c1", List.of(tmp.resolve("2"), tmp.resolve("1")));
        assertEquals(new ImageUserFiles.Files("app:x:1000:1000::/:/bin/sh\n", "root:x:0:\n"), files.get("sha256:c1"));
        // known images are not read again: a later change of the directories is not seen
        Files.writeString(top.resolve("passwd"), "changed\n");
        files.remember("sha256:c1", List.of(tmp.resolve("2"), tmp.resolve("1")));
        assertEquals("app:x:1000:1000::/:/bin/sh\n", files.get("sha256:c1").passwd());
        files.remember(null, List.of(tmp.resolve("2")));
        assertNull(files.get(null));
    }

    @Test
    void anImageWithoutTheFilesIsKnownWithNone() {
        ImageUserFiles files = new ImageUserFiles();
        files.remember("sha256:empty", List.of(tmp));
        assertEquals(new ImageUserFiles.Files(null, null), files.get("sha256:empty"));
    }
}
