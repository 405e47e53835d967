package io.pouch.cli.container;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The local half of {@code pouch cp}: tars a local file or directory for the daemon (moby's TarResourceRebase) and
 * extracts the daemon's tar into a local directory (moby's Untar with NoOverwriteDirNonDir and NoLchown). Local paths
 * are the user's own; entries are still kept inside the destination (no {@code ..}, no relative link out of it, no
 * writing through a link the archive itself created).
 */
public final class LocalTar {
    private LocalTar() {
    }

    /**
     * Tars {@code sourcePath} (not following a link at its end): entries start with its base name ("." for a
     * {@code DIR/.} source, whose entries are then "./..."), renamed by {@code rename}. Returns the bytes of file
     * content written.
     */
    static long write(String sourcePath, UnaryOperator<String> rename, OutputStream out) throws IOException {
        String[] de = CopyPaths.splitDirEntry(sourcePath);
        String sourceBase = de[1];
        Path root = Path.of(de[0]).resolve(sourceBase).normalize();
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        long[] bytes = {0};
        Files.walkFileTree(root, Set.of(), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                add(d);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                add(f);
                return FileVisitResult.CONTINUE;
            }

            private void add(Path p) throws IOException {
                String rel = root.relativize(p).toString();
                String name = rename.apply(rel.isEmpty() ? sourceBase : sourceBase + "/" + rel);
                bytes[0] += entry(tar, p, name, true);
            }
        });
        tar.finish();
        tar.flush();
        return bytes[0];
    }

    /**
     * Writes the file, directory or symbolic link {@code p} as entry {@code name} and answers the content bytes
     * written; other kinds of file are skipped. {@code keepOwner}: the file's uid and gid, else root's (a build
     * context, as the docker CLI sends it).
     */
    public static long entry(TarArchiveOutputStream tar, Path p, String name, boolean keepOwner) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        TarArchiveEntry e;
        if (a.isSymbolicLink()) {
            e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
        } else if (a.isDirectory()) {
            e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        } else if (a.isRegularFile()) {
            e = new TarArchiveEntry(name);
            e.setSize(a.size());
        } else {
            return 0; // sockets, FIFOs and devices are not copied
        }
        e.setMode(permBits(a) | (a.isDirectory() ? 040000 : a.isSymbolicLink() ? 0120000 : 0100000));
        e.setModTime(a.lastModifiedTime().toMillis());
        if (keepOwner) {
            e.setUserId(((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue());
            e.setGroupId(((Number) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue());
        }
        tar.putArchiveEntry(e);
        long n = 0;
        if (a.isRegularFile()) {
            try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                byte[] buf = new byte[64 * 1024];
                int r;
                while (n < a.size() && (r = in.read(buf, 0, (int) Math.min(buf.length, a.size() - n))) > 0) {
                    tar.write(buf, 0, r);
                    n += r;
                }
                for (long i = n; i < a.size(); i++) {
                    tar.write(0); // the file shrank while being read: pad to the announced size
                }
            }
        }
        tar.closeArchiveEntry();
        return n;
    }

    private static int permBits(PosixFileAttributes a) {
        int m = 0;
        for (PosixFilePermission perm : a.permissions()) {
            m |= 1 << (8 - perm.ordinal());
        }
        return m;
    }

    /**
     * Extracts {@code in} into the existing directory {@code dest}, entry names renamed by {@code rename}. An existing
     * directory is merged with a directory entry; anything else in the way is replaced, except that a directory is
     * never replaced by a non-directory or the reverse (docker's messages). Ownership is not restored (NoLchown).
     * Returns the bytes of file content written.
     */
    static long extract(InputStream in, Path dest, UnaryOperator<String> rename) throws IOException {
        Path root = dest.toAbsolutePath().normalize();
        Set<Path> madeLinks = new HashSet<>();
        // directories get their times last (filling them changes their mtime), as Go's Untar does
        List<Map.Entry<Path, FileTime>> dirTimes = new ArrayList<>();
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        long bytes = 0;
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            String name = CopyPaths.clean(rename.apply(e.getName()));
            if (name.startsWith("/")) {
                name = CopyPaths.clean(name.substring(1));
            }
            if (name.equals("..") || name.startsWith("../")) {
                throw new CopyPaths.CopyException("\"" + e.getName() + "\" is outside of \"" + root + "\"");
            }
            Path path = name.equals(".") ? root : root.resolve(name);
            for (Path link : madeLinks) {
                if (path.startsWith(link) && !path.equals(link)) {
                    throw new CopyPaths.CopyException("\"" + e.getName() + "\" goes through the link " + link
                            + " made by the same archive");
                }
            }
            if (!path.equals(root)) {
                Files.createDirectories(path.getParent());
            }
            boolean exists = Files.exists(path, LinkOption.NOFOLLOW_LINKS);
            if (exists) {
                boolean isDir = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
                if (isDir && !e.isDirectory()) {
                    throw new CopyPaths.CopyException("cannot overwrite directory \"" + path
                            + "\" with non-directory \"" + root + "\"");
                }
                if (!isDir && e.isDirectory()) {
                    throw new CopyPaths.CopyException("cannot overwrite non-directory \"" + path
                            + "\" with directory \"" + root + "\"");
                }
                if (!isDir) {
                    Files.delete(path);
                    exists = false;
                }
            }
            if (e.isDirectory()) {
                if (!exists) {
                    Files.createDirectory(path);
                }
            } else if (e.isSymbolicLink()) {
                Path target = path.getParent().resolve(e.getLinkName().startsWith("/")
                        ? e.getLinkName().substring(1) : e.getLinkName()).normalize();
                if (!e.getLinkName().startsWith("/") && !target.startsWith(root)) {
                    throw new CopyPaths.CopyException("invalid symlink \"" + path + "\" -> \"" + e.getLinkName() + "\"");
                }
                Files.createSymbolicLink(path, Path.of(e.getLinkName()));
                madeLinks.add(path);
                FileTime t = FileTime.fromMillis(e.getModTime().getTime());
                Files.getFileAttributeView(path, BasicFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS).setTimes(t, t, null);
                continue;
            } else if (e.isLink()) {
                Path target = root.resolve(CopyPaths.clean(rename.apply(e.getLinkName()))).normalize();
                if (!target.startsWith(root) || !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new CopyPaths.CopyException("invalid hardlink \"" + path + "\" -> \"" + e.getLinkName() + "\"");
                }
                Files.createLink(path, target);
                continue;
            } else if (e.isFIFO() || e.isCharacterDevice() || e.isBlockDevice()) {
                continue; // not made here (the docker CLI makes them when it runs as root); checked before isFile(),
                          // which commons-compress answers true for these too
            } else if (e.isFile()) {
                try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    bytes += tar.transferTo(out);
                }
            } else {
                continue; // anything else a tar may carry (global or vendor headers)
            }
            Files.setPosixFilePermissions(path, perms(e.getMode()));
            FileTime t = FileTime.fromMillis(e.getModTime().getTime());
            if (e.isDirectory()) {
                dirTimes.add(Map.entry(path, t));
            } else {
                Files.setLastModifiedTime(path, t);
            }
        }
        for (int i = dirTimes.size() - 1; i >= 0; i--) {
            Files.setLastModifiedTime(dirTimes.get(i).getKey(), dirTimes.get(i).getValue());
        }
        return bytes;
    }

    private static Set<PosixFilePermission> perms(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values();
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                s.add(all[i]);
            }
        }
        return s;
    }
}
