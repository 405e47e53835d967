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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands the drivers issue, against recorded fakes of the tools. */
class QuotaCommandsTest {
    @TempDir
    Path tmp;

    private final List<String> issued = new ArrayList<>();

    private Commands answering(java.util.function.Function<List<String>, String> answer) {
        return cmd -> {
            issued.add(String.join(" ", cmd));
            return answer.apply(cmd);
        };
    }

    @Test
    void btrfsMakesTheEmptyDirectoryASubvolumeWithAQgroupLimit() throws IOException {
        Path fs = Files.createDirectory(tmp.resolve("7"));
        Files.createDirectory(fs.resolve("fs"));
        Files.createDirectory(fs.resolve("work"));
        BtrfsQgroups b = new BtrfsQgroups(answering(cmd -> {
            if (cmd.get(1).equals("subvolume") && cmd.get(2).equals("create")) {
                try {
                    Files.createDirectory(Path.of(cmd.get(3)));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }
            return cmd.get(1).equals("inspect-internal") ? "257\n" : "";
        }));
        assertEquals(257, b.limitEmpty(fs, 10 << 20, QuotaId.AUTO));
        assertEquals(List.of("btrfs subvolume create " + fs, "btrfs qgroup limit 10485760 " + fs,
                "btrfs inspect-internal rootid " + fs), issued);
        issued.clear();
        b.resize(fs, 20 << 20);
        assertEquals(List.of("btrfs qgroup limit 20971520 " + fs), issued);
        assertTrue(Files.isDirectory(fs.resolve("fs")) && Files.isDirectory(fs.resolve("work")));
        // overlayfs renames from work into upper: btrfs limits the snapshot directory holding both
        assertEquals(fs, b.rootfsUnit(fs.resolve("fs"), fs.resolve("work")));
        assertEquals(fs.resolve("fs"), b.rootfsUnit(fs.resolve("fs"), null));
    }

    @Test
    void btrfsRefusesANonEmptyDirectoryAChosenIdAndQuotasNotEnabled() throws IOException {
        Path fs = Files.createDirectory(tmp.resolve("fs"));
        Files.writeString(fs.resolve("f"), "x");
        BtrfsQgroups b = new BtrfsQgroups(answering(cmd -> {
            throw new Commands.CommandFailed(cmd, "ERROR: can't list qgroups: quotas not enabled");
        }));
        assertThrows(PouchException.class, () -> b.limitEmpty(fs, 1 << 20, 0));
        assertTrue(issued.isEmpty());
        PouchException id = assertThrows(PouchException.class, () -> b.check("DiskQuota", fs, 16777217));
        assertTrue(id.getMessage().contains("QuotaID 16777217"), id.getMessage());
        PouchException off = assertThrows(PouchException.class, () -> b.check("DiskQuota", fs, -1));
        assertEquals(400, off.status());
        assertTrue(off.getMessage().contains("btrfs quota enable"), off.getMessage());
    }

    @Test
    void projectQuotaTagsTheDirectoryAndLimitsTheProject() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("fs"));
        ProjectQuota.MountEntry mnt = new ProjectQuota.MountEntry(Path.of("/var/lib/pouch"), "ext4",
                List.of("rw", "prjquota"));
        ProjectQuota p = new ProjectQuota(answering(cmd -> switch (cmd.getFirst()) {
            case "repquota" -> """
                    *** Report for project quotas on device /dev/sdb1
                    Block grace time: 7days; Inode grace time: 7days
                    Project         used    soft    hard  grace    used  soft  hard  grace
                    ----------------------------------------------------------------------
                    #0        --      20       0       0              2     0     0
                    #16777220 --       4       0   10240              1     0     0
                    """;
            case "lsattr" -> "16777221 --------------e-----P " + dir;
            default -> "";
        }), d -> mnt);
        p.check("DiskQuota", dir, 0);
        assertEquals(16777221, p.limitEmpty(dir, 10 << 20, QuotaId.AUTO));
        assertEquals(List.of("repquota -P -n /var/lib/pouch", "chattr -p 16777221 +P " + dir,
                "setquota -P 16777221 0 10240 0 0 /var/lib/pouch"), issued);
        issued.clear();
        assertEquals(42, p.limitEmpty(dir, 1500, 42));
        assertEquals(List.of("chattr -p 42 +P " + dir, "setquota -P 42 0 2 0 0 /var/lib/pouch"), issued);
        issued.clear();
        p.resize(dir, 20 << 20);
        p.release(dir);
        assertEquals(List.of("lsattr -pd " + dir, "setquota -P 16777221 0 20480 0 0 /var/lib/pouch",
                "lsattr -pd " + dir, "setquota -P 16777221 0 0 0 0 /var/lib/pouch"), issued);
    }

    @Test
    void projectQuotaNeedsAPrjquotaMount() {
        ProjectQuota p = new ProjectQuota(answering(cmd -> ""), d -> new ProjectQuota.MountEntry(Path.of("/"), "ext4",
                List.of("rw", "relatime")));
        PouchException e = assertThrows(PouchException.class, () -> p.check("DiskQuota", tmp, 0));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("ext4") && e.getMessage().contains("prjquota"), e.getMessage());
    }

    @Test
    void mountinfoLinesAreRead() {
        ProjectQuota.MountEntry e = ProjectQuota.parseMountInfo(
                "36 35 98:0 / /mnt/my\\040data rw,noatime master:1 - xfs /dev/sdb1 rw,attr2,inode64,prjquota");
        assertEquals(Path.of("/mnt/my data"), e.point());
        assertEquals("xfs", e.fsType());
        assertTrue(e.options().contains("prjquota"));
    }
}
