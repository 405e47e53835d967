package io.pouch.daemon.image;

import io.pouch.api.PouchException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TarGuardTest {
    private static TarArchiveEntry file(String name) {
        return new TarArchiveEntry(name, true);
    }

    private static TarArchiveEntry symlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK, true);
        e.setLinkName(target);
        return e;
    }

    private static TarArchiveEntry hardlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK, true);
        e.setLinkName(target);
        return e;
    }

    private static void refused(TarGuard g, TarArchiveEntry e) {
        PouchException ex = assertThrows(PouchException.class, () -> g.check(e), e.getName());
        assertEquals(400, ex.status());
    }

    @Test
    void normalisesHarmlessNames() {
        TarGuard g = new TarGuard("t");
        assertEquals("a/b", g.check(file("./a//b")));
        assertEquals("", g.check(new TarArchiveEntry("./", true)));
        assertEquals("dir", g.check(new TarArchiveEntry("dir/", true)));
    }

    @Test
    void refusesDotDotAndAbsolute() {
        refused(new TarGuard("t"), file("../x"));
        refused(new TarGuard("t"), file("a/../../x"));
        refused(new TarGuard("t"), file("a/../b"));
        refused(new TarGuard("t"), file("/etc/passwd"));
    }

    @Test
    void refusesSymlinkOutAndEntriesThroughIt() {
        refused(new TarGuard("t"), symlink("a", "../../.."));
        refused(new TarGuard("t"), symlink("x/y/a", "../../../etc"));
        // a link that is harmless by itself but is then used to climb: b -> x/.. is inside, b/../.. is not
        TarGuard g = new TarGuard("t");
        g.check(symlink("d/up", ".."));
        g.check(symlink("d/up2", "up/.."));
        refused(g, file("d/up2/../x"));
    }

    @Test
    void entryThroughInsideSymlinkIsFine() {
        TarGuard g = new TarGuard("t");
        assertDoesNotThrow(() -> g.check(symlink("lib", "usr/lib")));
        assertDoesNotThrow(() -> g.check(file("lib/libc.so")));
        assertDoesNotThrow(() -> g.check(symlink("bin/sh", "/bin/busybox")));
        assertDoesNotThrow(() -> g.check(symlink("etc/mtab", "../proc/self/mounts")));
        assertDoesNotThrow(() -> g.check(symlink("root", "/")));
        assertDoesNotThrow(() -> g.check(file("root/x")));
    }

    @Test
    void chainedSymlinksClimbingOutAreRefused() {
        TarGuard g = new TarGuard("t");
        g.check(symlink("a/b", ".."));       // -> root, fine
        g.check(symlink("c", "a/b"));        // -> root, fine
        refused(g, file("c/b/../../x"));     // '..' in a name is refused anyway
        TarGuard g2 = new TarGuard("t");
        g2.check(symlink("p/q", "../"));     // p/q -> root
        g2.check(symlink("p/r", "q/.."));    // lexically p, but really above the root
        refused(g2, file("p/r/x"));
    }

    @Test
    void refusesHardlinkOut() {
        refused(new TarGuard("t"), hardlink("h", "../../etc/shadow"));
        refused(new TarGuard("t"), hardlink("h", "/etc/shadow"));
        assertDoesNotThrow(() -> new TarGuard("t").check(hardlink("bin/ls", "bin/busybox")));
        TarGuard g = new TarGuard("t");
        g.check(symlink("out", "/"));
        assertDoesNotThrow(() -> g.check(hardlink("h2", "out/etc/passwd")));
        refused(g, symlink("esc", ".."));
    }
}
