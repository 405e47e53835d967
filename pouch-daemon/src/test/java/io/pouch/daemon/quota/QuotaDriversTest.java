package io.pouch.daemon.quota;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuotaDriversTest {
    @TempDir
    Path tmp;

    /** A driver that records its checks and accepts everything. */
    private static final class Fake implements QuotaDriver {
        final String name;
        final List<String> calls = new ArrayList<>();

        Fake(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public void check(String what, Path dir, long quotaId) {
            calls.add("check " + quotaId);
        }

        public long limitEmpty(Path dir, long bytes, long quotaId) {
            return 1;
        }

        public void resize(Path dir, long bytes) {
        }

        public boolean isLimited(Path dir) {
            return true;
        }

        public void release(Path dir) {
        }
    }

    private final Fake btrfs = new Fake("btrfs");
    private final Fake project = new Fake("prjquota");

    private QuotaDrivers drivers(String configured, long magic) {
        return new QuotaDrivers(configured, d -> magic, btrfs, project);
    }

    @Test
    void theDriverFollowsTheFilesystem() {
        assertSame(btrfs, drivers("", FilesystemType.BTRFS).forDir("DiskQuota", tmp, -1));
        assertSame(project, drivers("", FilesystemType.EXT4).forDir("DiskQuota", tmp, 0));
        assertSame(project, drivers("", FilesystemType.XFS).forDir("DiskQuota", tmp, 0));
        assertSame(btrfs, drivers("btrfs", FilesystemType.BTRFS).forDir("DiskQuota", tmp, 0));
        assertEquals(List.of("check -1", "check 0"), btrfs.calls);
    }

    @Test
    void aFilesystemWithoutQuotaIsRefusedNamingTheFieldAndTheFilesystem() {
        PouchException e = assertThrows(PouchException.class,
                () -> drivers("", 0x01021994L).forDir("DiskQuota", tmp, 0));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("DiskQuota cannot be applied") && e.getMessage().contains("tmpfs"),
                e.getMessage());
        PouchException other = assertThrows(PouchException.class,
                () -> drivers("prjquota", FilesystemType.BTRFS).forDir("DiskQuota", tmp, 0));
        assertTrue(other.getMessage().contains("btrfs") && other.getMessage().contains("prjquota"), other.getMessage());
    }

    @Test
    void theSettingIsValidated() {
        assertEquals("", QuotaDrivers.validate(null));
        assertEquals("prjquota", QuotaDrivers.validate("prjquota"));
        assertTrue(assertThrows(PouchException.class, () -> QuotaDrivers.validate("grpquota")).getMessage()
                .contains("grpquota"));
        assertTrue(assertThrows(PouchException.class, () -> QuotaDrivers.validate("zfs")).getMessage()
                .contains("quota-driver"));
    }

    @Test
    void pouchdReadsQuotaDriverFromFlagOrFile() throws IOException {
        Path none = tmp.resolve("none.json");
        assertEquals("btrfs", io.pouch.daemon.config.ConfigLoader.loadQuotaDriver(java.util.Map.of("quota-driver",
                "btrfs"), none));
        assertEquals("", io.pouch.daemon.config.ConfigLoader.loadQuotaDriver(java.util.Map.of(), none));
        Path file = Files.writeString(tmp.resolve("config.json"), "{\"quota-driver\": \"grpquota\"}");
        // a known key of the file; its value is checked by loadQuotaDriver
        io.pouch.daemon.config.ConfigLoader.load(java.util.Map.of(), file);
        assertTrue(assertThrows(PouchException.class,
                () -> io.pouch.daemon.config.ConfigLoader.loadQuotaDriver(java.util.Map.of(), file)).getMessage()
                .contains("grpquota"));
    }

    @Test
    void theRealProbeReadsStatfs() throws IOException {
        // /proc is procfs everywhere
        assertEquals(0x9fa0L, FilesystemType.magic(Path.of("/proc")));
        Files.writeString(tmp.resolve("f"), "x");
        assertTrue(FilesystemType.magic(tmp) != 0);
        assertThrows(IOException.class, () -> FilesystemType.magic(tmp.resolve("missing")));
    }
}
