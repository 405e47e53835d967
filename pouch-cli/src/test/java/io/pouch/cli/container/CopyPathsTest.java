package io.pouch.cli.container;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CopyPathsTest {
    @Test
    void splitsCopyArgumentsLikeDocker() {
        assertEquals(new CopyPaths.Arg("c", "/x"), CopyPaths.split("c:/x"));
        assertEquals(new CopyPaths.Arg(null, "/a:b"), CopyPaths.split("/a:b"));
        assertEquals(new CopyPaths.Arg(null, "./f:x"), CopyPaths.split("./f:x"));
        assertEquals(new CopyPaths.Arg(null, "file"), CopyPaths.split("file"));
        assertEquals(new CopyPaths.Arg("c", ""), CopyPaths.split("c:"));
    }

    @Test
    void goPathHelpers() {
        assertEquals("/a/c", CopyPaths.clean("/a/b/../c/./"));
        assertEquals("/", CopyPaths.clean("/../.."));
        assertEquals("../x", CopyPaths.clean("../x"));
        assertEquals(".", CopyPaths.clean(""));
        assertEquals("b", CopyPaths.base("/a/b/"));
        assertEquals(".", CopyPaths.base("/a/b/."));
        assertEquals("/", CopyPaths.base("///"));
        assertEquals("/a", CopyPaths.dir("/a/b"));
        assertEquals(".", CopyPaths.dir("b"));
        assertArrayEquals(new String[] {"/a", "."}, CopyPaths.splitDirEntry("/a/."));
        assertArrayEquals(new String[] {"/a", "b"}, CopyPaths.splitDirEntry("/a/b/"));
        assertEquals("/x/y/.", CopyPaths.preserveTrailing("/x/y", "y/."));
        assertEquals("/x/y/", CopyPaths.preserveTrailing("/x/y", "y/"));
        assertArrayEquals(new String[] {"/real/dir/", "link"}, CopyPaths.rebaseName("/tmp/link/", "/real/dir"));
        assertArrayEquals(new String[] {"/real/link", ""}, CopyPaths.rebaseName("/tmp/link", "/real/link"));
    }

    private static CopyPaths.CopyInfo src(String p, boolean dir) {
        return new CopyPaths.CopyInfo(p, true, dir, "");
    }

    @Test
    void prepareFollowsDockersRules() {
        // an existing directory receives the archive unchanged
        CopyPaths.Prepared p = CopyPaths.prepare(src("/s/dir", true), new CopyPaths.CopyInfo("/d", true, true, ""));
        assertEquals("/d", p.dstDir());
        assertNull(p.oldBase());
        assertEquals("dir/a", p.rename("dir/a"));
        // a missing destination takes the source's place under the new name
        p = CopyPaths.prepare(src("/s/dir", true), new CopyPaths.CopyInfo("/d/new", false, false, ""));
        assertEquals("/d", p.dstDir());
        assertEquals("new/a", p.rename("dir/a"));
        // DIR/. onto a missing destination: "./a" becomes "new/a"
        p = CopyPaths.prepare(src("/s/dir/.", true), new CopyPaths.CopyInfo("/d/new", false, false, ""));
        assertEquals("new/a.txt", p.rename("./a.txt"));
        assertEquals("new/", p.rename("./"));
        // a file onto an existing file: renamed to it
        p = CopyPaths.prepare(src("/s/f", false), new CopyPaths.CopyInfo("/d/g", true, false, ""));
        assertEquals("g", p.rename("f"));
        // a link's rebase name wins over the resolved base
        p = CopyPaths.prepare(new CopyPaths.CopyInfo("/real/dir/", true, true, "link"),
                new CopyPaths.CopyInfo("/d/x", false, false, ""));
        assertEquals("x/a", p.rename("link/a"));
        assertEquals("cannot copy directory", assertThrows(CopyPaths.CopyException.class, () ->
                CopyPaths.prepare(src("/s/dir", true), new CopyPaths.CopyInfo("/d/f", true, false, ""))).getMessage());
        assertEquals("no such directory", assertThrows(CopyPaths.CopyException.class, () ->
                CopyPaths.prepare(src("/s/f", false), new CopyPaths.CopyInfo("/d/x/", false, false, ""))).getMessage());
        assertEquals("no such directory", assertThrows(CopyPaths.CopyException.class, () ->
                CopyPaths.prepare(src("/s/f", false), new CopyPaths.CopyInfo("/d/x/.", false, false, "")))
                .getMessage());
    }
}
