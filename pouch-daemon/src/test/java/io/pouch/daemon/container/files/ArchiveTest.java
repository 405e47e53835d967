package io.pouch.daemon.container.files;

import io.pouch.api.PouchException;
import io.pouch.daemon.sys.Fifos;
import io.pouch.daemon.sys.PathSyscalls;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchiveTest {
    @TempDir
    Path tmp;

    private static byte[] tar(Object... nameContent) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(b)) {
            for (int i = 0; i < nameContent.length; i += 2) {
                String name = (String) nameContent[i];
                String content = (String) nameContent[i + 1];
                TarArchiveEntry e;
                if (content.startsWith("->")) {
                    e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    e.setLinkName(content.substring(2));
                    t.putArchiveEntry(e);
                } else {
                    e = new TarArchiveEntry(name);
                    byte[] d = content.getBytes(StandardCharsets.UTF_8);
                    e.setSize(d.length);
                    e.setMode(0100644);
                    t.putArchiveEntry(e);
                    t.write(d);
                }
                t.closeArchiveEntry();
            }
        }
        return b.toByteArray();
    }

    private Path setup() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("dst"));
        Files.writeString(tmp.resolve("host-victim"), "SECRET");
        Files.createDirectories(tmp.resolve("hostdir"));
        // hostile links in the container: absolute to the host path, and climbing out
        Files.createSymbolicLink(root.resolve("dst/victim"), tmp.resolve("host-victim"));
        Files.createSymbolicLink(root.resolve("dst/out"), Path.of("../../../../../../../" + tmp.resolve("hostdir")));
        return root;
    }

    @Test
    void anExistingLinkIsReplacedNotWrittenThrough() throws Exception {
        Path root = setup();
        Archive.extract(root, "/dst", new ByteArrayInputStream(tar("victim", "evil")));
        assertEquals("SECRET", Files.readString(tmp.resolve("host-victim")));
        assertEquals("evil", Files.readString(root.resolve("dst/victim")));
        assertFalse(Files.isSymbolicLink(root.resolve("dst/victim")));
    }

    @Test
    void aLinkInTheParentPathStaysInsideTheRoot() throws Exception {
        Path root = setup();
        Archive.extract(root, "/dst", new ByteArrayInputStream(tar("out/x", "evil")));
        try (var s = Files.list(tmp.resolve("hostdir"))) {
            assertEquals(0, s.count());
        }
        assertTrue(Files.exists(root.resolve(tmp.resolve("hostdir").toString().substring(1)).resolve("x")));
    }

    @Test
    void aLinkEntryThenAFileThroughItStaysInside() throws Exception {
        Path root = setup();
        Archive.extract(root, "/dst", new ByteArrayInputStream(tar("l", "->/", "l/etc-x", "evil")));
        assertTrue(Files.exists(root.resolve("etc-x")));
        assertFalse(Files.exists(Path.of("/etc-x")));
    }

    @Test
    void dotDotAndAbsoluteEntries() throws Exception {
        Path root = setup();
        assertThrows(PouchException.class, () -> Archive.extract(root, "/dst",
                new ByteArrayInputStream(tar("../../escape", "evil"))));
        assertFalse(Files.exists(tmp.resolve("escape")));
        Archive.extract(root, "/dst", new ByteArrayInputStream(tar("/abs.txt", "ok")));
        assertTrue(Files.exists(root.resolve("dst/abs.txt")));
    }

    @Test
    void missingDestinationIs404() throws Exception {
        Path root = setup();
        PouchException e = assertThrows(PouchException.class, () -> Archive.extract(root, "/nope",
                new ByteArrayInputStream(tar("a", "b"))));
        assertEquals(404, e.status());
    }

    @Test
    void writeKeepsLinksAsLinks() throws Exception {
        Path root = setup();
        Files.writeString(root.resolve("dst/f"), "data");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Archive.write(root.resolve("dst"), "dst", out);
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream t = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            TarArchiveEntry e;
            while ((e = t.getNextEntry()) != null) {
                names.add(e.getName() + (e.isSymbolicLink() ? "->" + e.getLinkName() : ""));
            }
        }
        assertTrue(names.contains("dst/"));
        assertTrue(names.contains("dst/f"));
        assertTrue(names.contains("dst/victim->" + tmp.resolve("host-victim")));
    }

    @Test
    void fifosAndDeviceNodesGoBothWaysAsDockerdArchivesThem() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "making a device node needs root");
        Path src = Files.createDirectories(tmp.resolve("src"));
        Fifos.mkfifo(src.resolve("pipe"), 0640);
        // /dev/null's numbers (1, 3) and a block device with a minor above 255 (the split encoding)
        PathSyscalls.mknod(src.resolve("null"), 0020000 | 0666,
                PathSyscalls.makedev(1, 3));
        PathSyscalls.mknod(src.resolve("blk"), 0060000 | 0600,
                PathSyscalls.makedev(259, 300));
        Files.setPosixFilePermissions(src.resolve("null"),
                PosixFilePermissions.fromString("rw-rw-rw-")); // past the umask
        try (var sock = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            sock.bind(UnixDomainSocketAddress.of(src.resolve("sock")));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Archive.write(src, "src", out);
            List<String> seen = new ArrayList<>();
            try (TarArchiveInputStream t = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
                TarArchiveEntry e;
                while ((e = t.getNextEntry()) != null) {
                    seen.add(e.getName() + " " + (e.isFIFO() ? "fifo" : e.isCharacterDevice() ? "chr" : e.isBlockDevice()
                            ? "blk" : e.isDirectory() ? "dir" : "file") + " " + e.getDevMajor() + "," + e.getDevMinor()
                            + " " + Integer.toOctalString(e.getMode()));
                }
            }
            assertTrue(seen.contains("src/pipe fifo 0,0 10640"), seen.toString());
            assertTrue(seen.contains("src/null chr 1,3 20666"), seen.toString());
            assertTrue(seen.contains("src/blk blk 259,300 60600"), seen.toString());
            assertFalse(seen.stream().anyMatch(x -> x.startsWith("src/sock")), "a socket has no tar form: " + seen);

            Path root = Files.createDirectories(tmp.resolve("root"));
            Archive.extract(root, "/", new ByteArrayInputStream(out.toByteArray()), true, null);
            assertEquals(010640, mode(root.resolve("src/pipe")));
            assertEquals(Files.getLastModifiedTime(src.resolve("pipe")).toMillis() / 1000,
                    Files.getLastModifiedTime(root.resolve("src/pipe")).toMillis() / 1000, "the FIFO's mtime");
            assertEquals(020666, mode(root.resolve("src/null")));
            assertEquals(060600, mode(root.resolve("src/blk")));
            long rdev = ((Number) Files.getAttribute(root.resolve("src/blk"), "unix:rdev",
                    LinkOption.NOFOLLOW_LINKS)).longValue();
            assertEquals(259, PathSyscalls.major(rdev));
            assertEquals(300, PathSyscalls.minor(rdev));
        }
    }

    private static int mode(Path p) throws Exception {
        return ((Number) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
    }
}
