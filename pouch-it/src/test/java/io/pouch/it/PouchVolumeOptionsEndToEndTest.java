package io.pouch.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pouch's local volume options and modes through the pouch CLI and the raw API: {@code mount=<host dir>} keeps
 * the data there (and removing the volume keeps the directory), a bad mount path and a selector are refused with
 * a 400 naming them, and {@code dr}/{@code rr} mount a directory inside the volume.
 */
@Tag("e2e")
class PouchVolumeOptionsEndToEndTest {
    private static PouchdHarness d;

    @TempDir
    Path dir;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void mountKeepsTheDataInTheHostDirectoryItNames() throws Exception {
        String v = name("vopt-mount");
        Path data = dir.resolve("data");
        try {
            assertEquals(v, d.pouch("volume", "create", "-o", "mount=" + data, v).ok().trimmed());
            assertTrue(Files.isDirectory(data), "made when missing");
            d.pouch("run", "--rm", "-v", v + ":/data", "busybox", "sh", "-c", "echo hi > /data/f").ok();
            assertEquals("hi\n", Files.readString(data.resolve("f")));
            assertEquals("hi", d.pouch("run", "--rm", "-v", v + ":/data", "busybox", "cat", "/data/f").ok()
                    .trimmed());
            d.pouch("volume", "rm", v).ok();
            assertEquals("hi\n", Files.readString(data.resolve("f")), "the host directory is not the volume's");
        } finally {
            d.pouch("volume", "rm", "-f", v);
        }
    }

    @Test
    void badMountPathsAndSelectorsAreRefusedByName() throws Exception {
        String v = name("vopt-bad");
        Cmd.Result rel = d.curl("/v1.47/volumes/create", "-X", "POST", "-H", "Content-Type: application/json",
                "-d", "{\"Name\":\"" + v + "\",\"DriverOpts\":{\"mount\":\"" + dir + "/a/../../etc\"}}");
        assertTrue(rel.out().endsWith("\n400"), rel.toString());
        assertTrue(rel.out().contains("invalid option mount=\\\"" + dir + "/a/../../etc\\\": it must not contain"),
                rel.out());
        Files.createSymbolicLink(dir.resolve("link"), Path.of("/etc"));
        Cmd.Result link = d.pouch("volume", "create", "-o", "mount=" + dir.resolve("link"), v);
        assertEquals(1, link.exit(), link.toString()); // docker volume create's exit for a daemon error
        assertTrue(link.err().contains("is a symbolic link"), link.err());
        Cmd.Result sel = d.pouch("volume", "create", "-s", "zone=a", v);
        assertEquals(1, sel.exit(), sel.toString());
        assertTrue(sel.err().contains("option \"selector.zone\": volume selectors choose a storage backend"),
                sel.err());
        assertEquals("", d.pouch("volume", "ls", "-q", "--filter", "name=" + v).ok().trimmed(), "nothing created");
    }

    @Test
    void replaceModesMountADirectoryInsideTheVolume() throws Exception {
        String v = name("vopt-dr");
        String c = name("vopt-rr");
        try {
            d.pouch("volume", "create", v).ok();
            Path mp = Path.of(d.pouch("volume", "inspect", "-f", "{{.Mountpoint}}", v).ok().trimmed());
            d.pouch("run", "--rm", "-v", v + ":/srv/app:dr", "busybox", "touch", "/srv/app/x").ok();
            assertTrue(Files.exists(mp.resolve("srv/app/x")), "dr: the destination's directory in the volume");
            d.pouch("run", "--rm", "-v", v + ":/srv/app:rr", "busybox", "touch", "/srv/app/one").ok();
            d.pouch("run", "--rm", "-v", v + ":/srv/app:rr", "busybox", "touch", "/srv/app/two").ok();
            Path one;
            Path two;
            try (var s = Files.list(mp)) {
                var dirs = s.filter(p -> p.getFileName().toString().length() == 64).toList();
                assertEquals(2, dirs.size(), dirs.toString());
                one = dirs.stream().filter(p -> Files.exists(p.resolve("one"))).findFirst().orElseThrow();
                two = dirs.stream().filter(p -> Files.exists(p.resolve("two"))).findFirst().orElseThrow();
            }
            assertNotEquals(one, two, "rr: a directory per container");
            // --volumes-from takes the rr directory of the container it names, read-only here
            d.pouch("create", "--name", c, "-v", v + ":/srv/app:rr", "busybox", "touch", "/srv/app/mine").ok();
            d.pouch("start", "-a", c).ok();
            assertEquals("mine", d.pouch("run", "--rm", "--volumes-from", c + ":ro", "busybox", "ls", "/srv/app").ok()
                    .trimmed());
            Cmd.Result ro = d.pouch("run", "--rm", "--volumes-from", c + ":ro", "busybox", "touch", "/srv/app/no");
            assertTrue(ro.exit() != 0 && ro.err().contains("Read-only file system"), ro.toString());
            Cmd.Result bind = d.pouch("run", "--rm", "-v", dir + ":/x:dr", "busybox", "true");
            assertEquals(125, bind.exit(), bind.toString());
            assertTrue(bind.err().contains("mode dr mounts a directory inside a volume, not a host path"), bind.err());
        } finally {
            d.pouch("rm", "-f", c);
            d.pouch("volume", "rm", "-f", v);
        }
    }
}
