package io.pouch.daemon.volume;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pouch's local volume options (mount, selector.*) and replace modes (dr, rr). */
class LocalVolumeOptionsTest {
    @TempDir
    Path tmp;

    private String refused(Map<String, String> o) {
        Path root = tmp.resolve("volumes");
        PouchException e = assertThrows(PouchException.class, () -> new LocalDriver("local", root).create("v", o));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void mountNamesTheDirectoryOfTheDataAndIsCreatedWhenMissing() {
        Path root = tmp.resolve("volumes");
        Path data = tmp.resolve("host/data");
        LocalDriver local = new LocalDriver("local", root);
        local.create("v", Map.of("mount", data + "/"));
        assertTrue(Files.isDirectory(data));
        assertEquals(List.of("-o", "bind", data.toString()), local.mountArgs(Map.of("mount", data + "/")));
    }

    @Test
    void anUntrustedMountPathIsCheckedBeforeAnythingIsMade() throws Exception {
        Path root = tmp.resolve("volumes");
        assertTrue(refused(Map.of("mount", "relative/dir")).endsWith("it must be an absolute host path"));
        assertTrue(refused(Map.of("mount", tmp + "/a/../../etc")).endsWith("it must not contain \"..\""));
        assertTrue(refused(Map.of("mount", "/")).endsWith("the host's root directory cannot be a volume"));
        assertTrue(refused(Map.of("mount", root + "/other/_data")).contains("it must be outside pouchd's volumes"
                + " directory"));
        assertTrue(refused(Map.of("mount", tmp.toString())).contains("outside pouchd's volumes directory"),
                "a parent of the volumes root");
        Files.createSymbolicLink(tmp.resolve("link"), Path.of("/etc"));
        assertEquals("create v: invalid option mount=\"" + tmp + "/link/x\": " + tmp + "/link is a symbolic link:"
                + " give the directory it points to", refused(Map.of("mount", tmp + "/link/x")));
        Files.writeString(tmp.resolve("file"), "x");
        assertTrue(refused(Map.of("mount", tmp + "/file")).endsWith("it is not a directory"));
        assertTrue(refused(Map.of("mount", tmp + "/d", "type", "tmpfs", "device", "tmpfs"))
                .contains("it cannot be combined with \"type\""));
        assertFalse(Files.exists(tmp.resolve("d")));
    }

    @Test
    void selectorsAreRefusedByName() {
        assertEquals("create v: option \"selector.zone\": volume selectors choose a storage backend, and the local"
                + " driver has only this host's filesystem; remove the selector",
                refused(Map.of("selector.zone", "a")));
    }

    @Test
    void replaceModesAreVolumeModesOnly() {
        PlannedMount dr = MountSpecs.parseBind("data:/srv/app:dr", null);
        assertEquals("dr", ReplaceModes.of(dr.mode()));
        assertEquals("rr", ReplaceModes.of(MountSpecs.parseBind("data:/x:ro,rr", null).mode()));
        assertEquals(null, ReplaceModes.of(MountSpecs.parseBind("data:/x:ro", null).mode()));
        assertTrue(assertThrows(PouchException.class, () -> MountSpecs.parseBind("/h:/x:dr", null)).getMessage()
                .endsWith("mode dr mounts a directory inside a volume, not a host path"));
        assertTrue(assertThrows(PouchException.class, () -> MountSpecs.parseBind("data:/x:dr,rr", null))
                .getMessage().contains("invalid mode"));
    }

    @Test
    void aReplaceDirectoryIsMadeInsideTheVolumeNeverThroughALink() throws Exception {
        Path vol = Files.createDirectories(tmp.resolve("vol/_data"));
        Path dr = ReplaceModes.source(vol, "dr", "/srv/app", "c1");
        assertEquals(vol.resolve("srv/app"), dr);
        assertTrue(Files.isDirectory(dr));
        PlannedMount one = MountSpecs.parseBind("data:/srv/app:rr", null);
        PlannedMount two = MountSpecs.parseBind("data:/srv/app:rr", null);
        assertNotEquals(one.source(), two.source(), "each container its own");
        Path rr = ReplaceModes.source(vol, "rr", "/srv/app", one.source());
        assertEquals(vol.resolve(one.source()), rr);
        assertTrue(Files.isDirectory(rr));
        assertEquals(500, assertThrows(PouchException.class, () -> ReplaceModes.source(vol, "rr", "/srv/app",
                "../../etc")).status(), "a plan's name is checked");
        assertEquals("ro,rr", ReplaceModes.keep("rw,rr", "ro"), "--volumes-from c:ro keeps the replace mode");
        assertEquals("ro", ReplaceModes.keep("rw", "ro"));
        Files.createSymbolicLink(vol.resolve("etc"), Path.of("/etc"));
        assertTrue(assertThrows(PouchException.class, () -> ReplaceModes.source(vol, "dr", "/etc/app", "c1"))
                .getMessage().endsWith(vol.resolve("etc") + " in the volume is a symbolic link"));
        Files.writeString(vol.resolve("f"), "x");
        assertTrue(assertThrows(PouchException.class, () -> ReplaceModes.source(vol, "dr", "/f", "c1"))
                .getMessage().endsWith("in the volume is not a directory"));
    }
}
