package io.pouch.daemon.container.files;

import io.pouch.daemon.sys.BoundedOutputStream;
import io.pouch.api.PouchException;
import io.pouch.daemon.sys.Fifos;
import io.pouch.daemon.sys.PathSyscalls;
import io.pouch.daemon.sys.ScopedPath;
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
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Tar in and out of a container root. Out: never follows symlinks (they are archived as links). In: every entry
 * name is checked ({@link ScopedPath#entryName}) and its parent resolved inside the root, the last component is
 * created without following a link that may already be there (an existing link is replaced, not written through).
 */
public final class Archive {
    private Archive() {
    }

    /** Tars {@code source} (a file, link or directory) with names starting at {@code baseName}. */
    public static void write(Path source, String baseName, OutputStream out) throws IOException {
        write(source, baseName, out, Set.of());
    }

    /** As above; the directories in {@code leaveEmpty} are archived without their contents (see ContainerRoot). */
    public static void write(Path source, String baseName, OutputStream out, Set<Path> leaveEmpty)
            throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        Files.walkFileTree(source, Set.of(), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                add(tar, dir, name(dir), attrs);
                return leaveEmpty.contains(dir) && !dir.equals(source) ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                add(tar, file, name(file), attrs);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE; // vanished meanwhile (a running container changes its files)
            }

            private String name(Path p) {
                String rel = source.relativize(p).toString();
                return rel.isEmpty() ? baseName : baseName + "/" + rel;
            }
        });
        tar.finish();
        tar.flush();
    }

    /** Tars what is inside {@code dir} (names relative to it, the directory itself not included): export. */
    public static void writeContents(Path dir, OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        Files.walkFileTree(dir, Set.of(), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (!d.equals(dir)) {
                    add(tar, d, dir.relativize(d).toString(), attrs);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                add(tar, file, dir.relativize(file).toString(), attrs);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
        tar.finish();
        tar.flush();
    }

    private static void add(TarArchiveOutputStream tar, Path p, String name, BasicFileAttributes b) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        TarArchiveEntry e;
        if (a.isSymbolicLink()) {
            e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
        } else if (a.isDirectory()) {
            e = new TarArchiveEntry(name + "/");
        } else if (a.isRegularFile()) {
            e = new TarArchiveEntry(name);
            e.setSize(a.size());
        } else {
            e = special(p, name);
            if (e == null) {
                return; // a socket: tar has no way to hold one (dockerd leaves them out too)
            }
        }
        e.setMode(PathStat.permBits(a) | typeBits(e));
        e.setModTime(a.lastModifiedTime().toMillis());
        Object uid = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object gid = Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        e.setUserId(((Number) uid).longValue());
        e.setGroupId(((Number) gid).longValue());
        tar.putArchiveEntry(e);
        if (a.isRegularFile()) {
            try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                long copied = in.transferTo(new BoundedOutputStream(tar, a.size()));
                for (long i = copied; i < a.size(); i++) {
                    tar.write(0); // the file shrank while copying: pad to the size announced
                }
            }
        }
        tar.closeArchiveEntry();
    }

    /** Who owns extracted files ({@code docker cp -a}: the container's user); null leaves pouchd's (root). */
    public record Owner(int uid, int gid) {
    }

    /**
     * Every entry keeps the owner and the whole mode (setuid, setgid, sticky bits too) the archive gives it, as
     * dockerd's untar does for ADD's local archives.
     */
    public static final Owner AS_IN_ARCHIVE = new Owner(-1, -1);

    /** Extracts a tar into {@code dest} (an existing directory inside {@code root}, path as seen in the container). */
    public static void extract(Path root, String dest, InputStream in) throws IOException {
        extract(root, dest, in, false, null);
    }

    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;

    /** A FIFO or device node as its tar entry (with its device numbers), or null for a socket. */
    private static TarArchiveEntry special(Path p, String name) throws IOException {
        int mode = ((Number) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
        byte type = switch (mode & 0170000) {
            case S_IFIFO -> TarArchiveEntry.LF_FIFO;
            case S_IFCHR -> TarArchiveEntry.LF_CHR;
            case S_IFBLK -> TarArchiveEntry.LF_BLK;
            default -> 0;
        };
        if (type == 0) {
            return null;
        }
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        if (type != TarArchiveEntry.LF_FIFO) {
            long rdev = ((Number) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).longValue();
            e.setDevMajor((int) PathSyscalls.major(rdev));
            e.setDevMinor((int) PathSyscalls.minor(rdev));
        }
        return e;
    }

    private static int typeBits(TarArchiveEntry e) {
        return e.isDirectory() ? 040000 : e.isSymbolicLink() ? 0120000 : e.isFIFO() ? S_IFIFO
                : e.isCharacterDevice() ? S_IFCHR : e.isBlockDevice() ? S_IFBLK : 0100000;
    }

    /**
     * As {@link #extract(Path, String, InputStream)}; with {@code noOverwriteDirNonDir} (what the docker CLI asks)
     * an entry never replaces a directory with a non-directory or the reverse (dockerd's wording); with an
     * {@code owner} every extracted entry gets that uid/gid.
     */
    public static void extract(Path root, String dest, InputStream in, boolean noOverwriteDirNonDir, Owner owner)
            throws IOException {
        Path destDir = ScopedPath.resolve(root, dest, true);
        if (!Files.isDirectory(destDir, LinkOption.NOFOLLOW_LINKS)) {
            throw Files.exists(destDir, LinkOption.NOFOLLOW_LINKS)
                    ? PouchException.invalidArgument("extraction point is not a directory: " + dest)
                    : PouchException.notFound("Could not find the file " + dest + " in container");
        }
        String destInside = ScopedPath.inside(root, destDir);
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry e;
        // a directory's time is set again once its entries are in, as dockerd's untar does: writing them changed it
        Map<Path, FileTime> dirTimes = new LinkedHashMap<>();
        while ((e = tar.getNextEntry()) != null) {
            String name = ScopedPath.entryName(e.getName());
            if (name.isEmpty()) {
                continue;
            }
            int slash = name.lastIndexOf('/');
            String parentRel = slash < 0 ? "" : name.substring(0, slash);
            String last = name.substring(slash + 1);
            Path parent = ScopedPath.resolve(root, destInside + "/" + parentRel, true);
            Files.createDirectories(parent);
            Path target = parent.resolve(last);
            boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
            if (e.isDirectory()) {
                if (exists && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    if (noOverwriteDirNonDir) {
                        throw PouchException.invalidArgument("cannot overwrite non-directory \""
                                + ScopedPath.inside(root, target) + "\" with directory \"" + name + "\"");
                    }
                    Files.delete(target);
                    exists = false;
                }
                if (!exists) {
                    Files.createDirectory(target);
                }
            } else {
                if (exists && Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw PouchException.invalidArgument("cannot overwrite directory \"" + ScopedPath.inside(root, target)
                            + "\" with non-directory \"" + name + "\"");
                }
                if (exists) {
                    Files.delete(target); // a link there is replaced, never written through
                }
                if (e.isSymbolicLink()) {
                    Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                    chown(target, owner, e);
                    continue;
                } else if (e.isLink()) {
                    Path src = ScopedPath.resolve(root, destInside + "/" + ScopedPath.entryName(e.getLinkName()), false);
                    if (!Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)) {
                        throw PouchException.invalidArgument("invalid hard link " + name + " -> " + e.getLinkName());
                    }
                    Files.createLink(target, src);
                    continue;
                } else if (e.isFIFO()) { // before isFile(), which commons-compress also answers for these
                    Fifos.mkfifo(target, 0600);
                } else if (e.isCharacterDevice() || e.isBlockDevice()) {
                    // as dockerd: the node is made (pouchd is root); the container's device cgroup still decides
                    // whether its processes may open it
                    PathSyscalls.mknod(target, (e.isCharacterDevice() ? S_IFCHR : S_IFBLK) | 0600,
                            PathSyscalls.makedev(e.getDevMajor(), e.getDevMinor()));
                } else if (e.isFile()) {
                    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                        tar.transferTo(out);
                    }
                } else {
                    continue; // nothing else is a file (a global or vendor header's stray entry)
                }
            }
            chown(target, owner, e);
            if (e.isFIFO() || e.isCharacterDevice() || e.isBlockDevice() || (owner == AS_IN_ARCHIVE
                    && (e.getMode() & 07000) != 0)) {
                // by path: the JDK sets modes and times through a descriptor it opens (a FIFO's open blocks), and
                // its permission set has no setuid, setgid or sticky bit
                PathSyscalls.chmod(target, e.getMode() & 07777);
                PathSyscalls.setModifiedTime(target, e.getModTime().getTime());
            } else {
                Files.setPosixFilePermissions(target, perms(e.getMode()));
                Files.setLastModifiedTime(target, FileTime.fromMillis(e.getModTime().getTime()));
                if (e.isDirectory()) {
                    dirTimes.put(target, FileTime.fromMillis(e.getModTime().getTime()));
                }
            }
        }
        for (Map.Entry<Path, FileTime> d : dirTimes.entrySet()) {
            Files.setLastModifiedTime(d.getKey(), d.getValue());
        }
    }

    private static void chown(Path target, Owner owner, TarArchiveEntry e) throws IOException {
        if (owner == AS_IN_ARCHIVE) {
            Files.setAttribute(target, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(target, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
        } else if (owner != null) {
            Files.setAttribute(target, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(target, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
        }
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
