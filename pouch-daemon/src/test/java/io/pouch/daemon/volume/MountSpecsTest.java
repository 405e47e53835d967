package io.pouch.daemon.volume;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MountSpecsTest {

    private static String bad(Runnable r) {
        PouchException e = assertThrows(PouchException.class, r::run);
        assertEquals(400, e.status(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void namedVolumeWithModes() {
        PlannedMount m = MountSpecs.parseBind("data:/var/lib/x:ro,nocopy", "");
        assertEquals("volume", m.type());
        assertEquals("data", m.name());
        assertEquals("/var/lib/x", m.destination());
        assertNull(m.driver()); // the existing volume's, else local
        assertFalse(m.rw());
        assertFalse(m.copyData());
        assertFalse(m.anonymous());
        PlannedMount d = MountSpecs.parseBind("data:/x", "myplugin");
        assertEquals("myplugin", d.driver());
        assertTrue(d.copyData());
        assertEquals("z", d.mode());
    }

    @Test
    void hostBindWithPropagation() {
        PlannedMount m = MountSpecs.parseBind("/srv/../srv/data:/data:rw,rshared", null);
        assertEquals("bind", m.type());
        assertEquals("/srv/data", m.source());
        assertEquals("rshared", m.propagation());
        assertTrue(m.rw());
        assertTrue(m.createSource());
        assertEquals("rprivate", MountSpecs.parseBind("/a:/b", null).propagation());
    }

    @Test
    void lonePathIsAnonymous() {
        PlannedMount m = MountSpecs.parseBind("/cache", null);
        assertEquals("volume", m.type());
        assertNull(m.name());
        assertTrue(m.anonymous());
        assertTrue(MountSpecs.anonymous("/var/lib/data/", null).anonymous());
        assertEquals("/var/lib/data", MountSpecs.anonymous("/var/lib/data/", null).destination());
    }

    @Test
    void malformedBindsAreRefused() {
        assertTrue(bad(() -> MountSpecs.parseBind("", null)).contains("invalid volume specification"));
        assertTrue(bad(() -> MountSpecs.parseBind("a:b:c:d", null)).contains("invalid volume specification"));
        assertTrue(bad(() -> MountSpecs.parseBind("data:rel", null)).contains("must be absolute"));
        assertTrue(bad(() -> MountSpecs.parseBind("data:/", null)).contains("destination can't be '/'"));
        assertTrue(bad(() -> MountSpecs.parseBind("../etc:/x", null)).contains("invalid characters"));
        assertTrue(bad(() -> MountSpecs.parseBind("a/b:/x", null)).contains("invalid characters"));
        assertTrue(bad(() -> MountSpecs.parseBind("..:/x", null)).contains("invalid characters"));
        assertTrue(bad(() -> MountSpecs.parseBind("data:/x:ro,rw", null)).contains("invalid mode"));
        assertTrue(bad(() -> MountSpecs.parseBind("data:/x:rshared", null)).contains("invalid mode"));
        assertTrue(bad(() -> MountSpecs.parseBind("/h:/x:nocopy", null)).contains("invalid mode"));
        assertTrue(bad(() -> MountSpecs.parseBind("data::/x", null)).contains("invalid volume specification"));
    }

    private static HostConfig.Mount mount(String type, String src, String dst) {
        return new HostConfig.Mount(type, src, dst, false, null, null, null);
    }

    @Test
    void mountFlag() {
        PlannedMount v = MountSpecs.parseMount(new HostConfig.Mount("volume", "", "/d", true, null,
                new HostConfig.VolumeOptions(true, Map.of("a", "b"), new HostConfig.DriverConfig("local",
                        Map.of("type", "tmpfs", "device", "tmpfs"))), null));
        assertTrue(v.anonymous());
        assertFalse(v.rw());
        assertFalse(v.copyData());
        assertEquals("tmpfs", v.driverOpts().get("type"));
        PlannedMount t = MountSpecs.parseMount(new HostConfig.Mount("tmpfs", null, "/t", false, null, null,
                new HostConfig.TmpfsOptions(1 << 20, 0700)));
        assertEquals("size=1048576,mode=700", t.tmpfsOptions());
        PlannedMount b = MountSpecs.parseMount(new HostConfig.Mount("bind", "/tmp", "/h", false,
                new HostConfig.BindOptions("rslave"), null, null));
        assertEquals("rslave", b.propagation());
        assertFalse(b.createSource());
    }

    @Test
    void malformedMountsAreRefused() {
        assertTrue(bad(() -> MountSpecs.parseMount(mount("bind", "/does/not/exist/x", "/x")))
                .contains("bind source path does not exist: /does/not/exist/x"));
        assertTrue(bad(() -> MountSpecs.parseMount(mount("bind", "", "/x"))).contains("Source must not be empty"));
        assertTrue(bad(() -> MountSpecs.parseMount(mount("volume", "a", ""))).contains("Target must not be empty"));
        assertTrue(bad(() -> MountSpecs.parseMount(mount("nfs", "a", "/x"))).contains("mount type unknown"));
        assertTrue(bad(() -> MountSpecs.parseMount(mount("tmpfs", "src", "/x"))).contains("Source must not be"));
        assertTrue(bad(() -> MountSpecs.parseMount(mount("volume", "../../etc", "/x"))).contains("invalid volume name"));
        assertTrue(bad(() -> MountSpecs.parseMount(new HostConfig.Mount("bind", "/tmp", "/x", false, null,
                new HostConfig.VolumeOptions(false, null, null), null))).contains("VolumeOptions"));
    }

    @Test
    void tmpfsAndVolumesFrom() {
        PlannedMount t = MountSpecs.parseTmpfs("/run", "size=64m,ro,mode=1777");
        assertFalse(t.rw());
        assertEquals("size=64m,mode=1777", t.tmpfsOptions());
        assertTrue(bad(() -> MountSpecs.parseTmpfs("run", "")).contains("must be absolute"));
        assertTrue(bad(() -> MountSpecs.parseTmpfs("/run", "size=lots")).contains("invalid tmpfs option"));
        assertEquals("c1", MountSpecs.parseVolumesFrom("c1")[0]);
        assertEquals("ro", MountSpecs.parseVolumesFrom("c1:ro")[1]);
        assertTrue(bad(() -> MountSpecs.parseVolumesFrom("c1:rx")).contains("invalid mode"));
    }

    @Test
    void volumeNames() {
        assertTrue(VolumeNames.valid("my-vol_1.x"));
        assertFalse(VolumeNames.valid("x"));
        assertFalse(VolumeNames.valid(".."));
        assertFalse(VolumeNames.valid("-x"));
        assertFalse(VolumeNames.valid("a b"));
        assertEquals(64, VolumeNames.generate().length());
    }
}
