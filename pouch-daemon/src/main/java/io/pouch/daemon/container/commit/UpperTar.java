package io.pouch.daemon.container.commit;

import io.pouch.daemon.sys.BoundedOutputStream;
import io.pouch.daemon.sys.PathSyscalls;
import io.pouch.daemon.volume.Xattrs;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A layer tar read straight from a stopped container's overlay upper directory, as BuildKit's overlay differ does:
 * the upper directory holds exactly what changed, so nothing is compared with the lower layers. Overlay's own
 * markers become the OCI ones: a whiteout (a 0/0 character device) a {@code .wh.<name>} file, an opaque directory
 * a {@code .wh..wh..opq} entry in it; hard links inside the layer stay links. Only valid while the kernel keeps
 * the whole content of every changed file and directory in the upper directory: see {@link #COMPLETE}.
 */
final class UpperTar {
    /**
     * False when overlayfs may leave a changed path's data in a lower layer (redirect_dir renames a directory by a
     * pointer, metacopy copies up metadata only): then the upper directory is not the whole change.
     */
    static final boolean COMPLETE = off("redirect_dir") && off("metacopy");

    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;

    private UpperTar() {
    }

    /**
     * A file of the upper directory carries an extended attribute (a file capability set by {@code setcap}, an ACL):
     * the PAX records this tar writer has cannot hold a binary value byte for byte, so the caller archives the layer
     * another way rather than lose it.
     */
    static final class XattrsPresent extends IOException {
        XattrsPresent(String name, List<String> attributes) {
            super("the layer file " + name + " carries extended attributes " + attributes);
        }
    }

    /**
     * Writes the layer tar of {@code upper} (names relative to it, parents before children) to {@code out}.
     *
     * @throws XattrsPresent before anything of a file with extended attributes is written
     */
    static void write(Path upper, OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        Map<String, String> firstLinks = new HashMap<>();
        List<Path> all;
        try (Stream<Path> walk = Files.walk(upper)) {
            all = walk.filter(p -> !p.equals(upper)).sorted().toList();
        }
        for (Path p : all) {
            add(tar, upper, p, upper.relativize(p).toString(), firstLinks);
        }
        tar.finish();
        tar.flush();
    }

    private static void add(TarArchiveOutputStream tar, Path upper, Path p, String name, Map<String, String> firstLinks)
            throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,rdev,nlink,ino,dev,size,lastModifiedTime",
                LinkOption.NOFOLLOW_LINKS);
        int mode = ((Number) a.get("mode")).intValue();
        long rdev = ((Number) a.get("rdev")).longValue();
        long mtime = ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis();
        int type = mode & S_IFMT;
        List<String> xattrs = Xattrs.others(p);
        if (!xattrs.isEmpty()) {
            throw new XattrsPresent(name, xattrs);
        }
        TarArchiveEntry e;
        if (type == S_IFCHR && rdev == 0) {
            int slash = name.lastIndexOf('/');
            e = new TarArchiveEntry(name.substring(0, slash + 1) + ".wh." + name.substring(slash + 1));
            e.setMode(S_IFREG | (mode & 0777));
            e.setModTime(mtime);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            return;
        }
        switch (type) {
            case S_IFDIR -> e = new TarArchiveEntry(name + "/");
            case S_IFLNK -> {
                e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                e.setLinkName(Files.readSymbolicLink(p).toString());
            }
            case S_IFREG -> {
                long nlink = ((Number) a.get("nlink")).longValue();
                String first = nlink > 1 ? firstLinks.putIfAbsent(a.get("dev") + ":" + a.get("ino"), name) : null;
                if (first != null) {
                    e = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK);
                    e.setLinkName(first);
                } else {
                    e = new TarArchiveEntry(name);
                    e.setSize(((Number) a.get("size")).longValue());
                }
            }
            case S_IFIFO -> e = new TarArchiveEntry(name, TarArchiveEntry.LF_FIFO);
            case S_IFCHR, S_IFBLK -> {
                e = new TarArchiveEntry(name, type == S_IFCHR ? TarArchiveEntry.LF_CHR : TarArchiveEntry.LF_BLK);
                e.setDevMajor((int) PathSyscalls.major(rdev));
                e.setDevMinor((int) PathSyscalls.minor(rdev));
            }
            default -> {
                return; // a socket: tar cannot hold one
            }
        }
        e.setMode(type | (mode & 07777));
        e.setModTime(mtime);
        e.setUserId(((Number) a.get("uid")).longValue());
        e.setGroupId(((Number) a.get("gid")).longValue());
        tar.putArchiveEntry(e);
        if (type == S_IFREG && !e.isLink()) {
            long size = e.getSize();
            try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                long copied = in.transferTo(new BoundedOutputStream(tar, size));
                if (copied < size) {
                    throw new IOException("the layer file " + name + " changed while it was archived");
                }
            }
        }
        tar.closeArchiveEntry();
        if (type == S_IFDIR && Xattrs.opaque(p)) {
            TarArchiveEntry opq = new TarArchiveEntry(name + "/.wh..wh..opq");
            opq.setMode(S_IFREG);
            opq.setModTime(mtime);
            tar.putArchiveEntry(opq);
            tar.closeArchiveEntry();
        }
    }

    private static boolean off(String parameter) {
        try {
            return !Files.readString(Path.of("/sys/module/overlay/parameters", parameter)).trim().equals("Y");
        } catch (IOException e) {
            return true; // overlay not loaded yet: its defaults (both off) apply
        }
    }
}
