package io.pouch.daemon.image;

import io.pouch.daemon.sys.FileTrees;
import io.pouch.daemon.containerd.SnapshotMounts;
import io.pouch.daemon.sys.Fifos;
import io.pouch.daemon.sys.PathSyscalls;
import io.pouch.daemon.sys.ScopedPath;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Unpacks one layer's tar, entry by entry as its bytes arrive, into the directory of an active overlayfs snapshot:
 * what containerd's diff service does in Apply (its {@code archive.Apply} with the overlay whiteout conversion),
 * done here so a pull unpacks while it downloads instead of handing containerd the stored blob afterwards (which
 * reads, decompresses and hashes it once more: ~0.2 CPU s of a 63 MB pull, and its last layer's Apply was on the
 * critical path after the last byte).
 *
 * <p>Entry names come checked by {@link TarGuard} (no {@code ..}, nothing absolute, no climbing symlink of the same
 * archive). Parent directories are still resolved inside the snapshot's directory ({@link ScopedPath}), as
 * containerd's {@code fs.RootPath} does, and the last component is never followed: an absolute symlink in the layer
 * ({@code etc -> /etc}) is a path inside the rootfs, never the host's.
 *
 * <p>Semantics follow containerd 1.6 ({@code archive/tar.go}): an existing path is replaced unless both are
 * directories (then merged); missing parents are made 0755 and take the mode, owner and times of the same
 * directory in the first lower layer that has one (not its extended attributes, which containerd copies too); whiteouts become overlayfs markers (a 0:0 character device; {@code trusted.overlay
 * .opaque=y} for {@code .wh..wh..opq}) when the snapshot has lower layers, and remove their target when it has none;
 * owner, PAX {@code SCHILY.xattr.*} attributes, mode and times are set after the content; directory times once more at
 * the end. What it cannot do exactly (a name or an attribute value commons-compress decoded lossily) is
 * {@link Unsupported}: the caller then lets containerd unpack the layer.
 */
final class LayerUnpacker {
    /**
     * {@code -Dpouch.streamUnpack=false} leaves all unpacking to containerd's Apply (a pull's after each download, a
     * load's after the blobs are stored), as before: to compare the two.
     */
    static final boolean ENABLED = !"false".equals(System.getProperty("pouch.streamUnpack"));
    static final String WHITEOUT_PREFIX = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";
    private static final String XATTR_PAX = "SCHILY.xattr.";
    private static final int ENOTSUP = 95;
    private static final int EPERM = 1;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;

    /** The layer has something this unpacker cannot reproduce exactly; nothing is wrong with the layer. */
    static final class Unsupported extends IOException {
        Unsupported(String message) {
            super(message);
        }
    }

    /**
     * Where a layer goes: {@code root} is the snapshot's own directory (the overlay upper dir, or the bind-mounted
     * directory of a snapshot without parent), {@code lowers} the parents' directories, nearest first.
     */
    record Target(Path root, List<Path> lowers) {
        /**
         * From the mounts containerd's overlayfs snapshotter gives an active snapshot: one bind mount (no parent)
         * or one overlay mount with {@code upperdir} and {@code lowerdir}; empty for anything else (another
         * snapshotter, a read-only view), which containerd's Apply then handles.
         */
        static Optional<Target> of(SnapshotMounts snapshot) {
            if (snapshot.mounts().size() != 1 || snapshot.upper() == null) {
                return Optional.empty();
            }
            if (snapshot.mounts().getFirst().type().equals("bind")) {
                return Optional.of(new Target(snapshot.upper(), List.of()));
            }
            if (!snapshot.isOverlay() || snapshot.lowers().isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Target(snapshot.upper(), snapshot.lowers()));
        }
    }

    private record DirTimes(Path path, long atime, long mtime) {
    }

    private final Target target;
    private final Path root;
    private final List<DirTimes> dirs = new ArrayList<>();
    /** Entry directories resolved so far: name inside the layer -> directory on the host. */
    private final Map<String, Path> parents = new HashMap<>();
    private final byte[] buffer = new byte[256 << 10];

    LayerUnpacker(Target target) {
        this.target = target;
        this.root = target.root();
    }

    /**
     * Unpacks one entry; {@code name} is its name as {@link TarGuard#check} normalised it, {@code content} its
     * bytes (read only for regular files).
     */
    void entry(TarArchiveEntry e, String name, InputStream content) throws IOException {
        if (name.isEmpty() || e.isGlobalPaxHeader()) {
            return; // the root itself: containerd ignores it as well
        }
        if (undecodable(name) || (e.getLinkName() != null && undecodable(e.getLinkName()))) {
            throw new Unsupported("the name of " + name + " may not be valid UTF-8");
        }
        int slash = name.lastIndexOf('/');
        String base = name.substring(slash + 1);
        Path parent = slash < 0 ? root : parentDir(name.substring(0, slash));
        if (base.equals(OPAQUE)) {
            opaque(parent);
            return;
        }
        if (base.startsWith(WHITEOUT_PREFIX)) {
            String original = base.substring(WHITEOUT_PREFIX.length());
            if (original.isEmpty() || original.equals(".") || original.equals("..")) {
                throw new IOException("invalid whiteout name " + name);
            }
            whiteout(parent.resolve(original), e);
            changed(slash < 0 ? original : name.substring(0, slash + 1) + original);
            return;
        }
        Path path = parent.resolve(base);
        BasicFileAttributes existing = lstat(path);
        if (existing != null && !(existing.isDirectory() && e.isDirectory())) {
            FileTrees.delete(path);
            changed(name);
        }
        create(e, path, content);
        PathSyscalls.lchown(path, (int) e.getLongUserId(), (int) e.getLongGroupId());
        setXattrs(e, path);
        // after lchown, which clears set-id bits; chmod follows symlinks, and a hard link may name one (as containerd)
        if (!e.isSymbolicLink() && !(e.isLink() && Files.isSymbolicLink(path))) {
            PathSyscalls.chmod(path, e.getMode() & 07777);
        }
        long mtime = nanos(e.getLastModifiedTime());
        long atime = Math.max(mtime, nanos(e.getLastAccessTime()));
        PathSyscalls.setTimes(path, atime, mtime);
        if (e.isDirectory()) {
            dirs.add(new DirTimes(path, atime, mtime)); // entries made inside change it again
        }
    }

    /**
     * The directory {@code dir} (an entry name's parent) names inside the root, made if missing. Resolved once per
     * layer: entries come grouped by directory, and a busybox layer has hundreds in {@code bin}.
     */
    private Path parentDir(String dir) throws IOException {
        Path p = parents.get(dir);
        if (p == null) {
            p = ScopedPath.resolve(root, dir, true);
            if (!p.equals(root)) {
                mkparent(p);
            }
            parents.put(dir, p);
        }
        return p;
    }

    /** {@code name} was removed or replaced: what was resolved through it may resolve elsewhere now. */
    private void changed(String name) {
        String under = name + "/";
        parents.keySet().removeIf(k -> k.equals(name) || k.startsWith(under));
    }

    /**
     * Names are bytes to Go's tar reader. commons-compress decodes them as UTF-8 and turns what is not into '?'
     * (header names) or U+FFFD (PAX records), so such a name is not the layer's: containerd unpacks it. A real '?'
     * in a name is rare, and only costs the fallback.
     */
    private static boolean undecodable(String name) {
        return name.indexOf('?') >= 0 || name.indexOf('\uFFFD') >= 0;
    }

    /** After the last entry: directories get their times back. */
    void finish() throws IOException {
        for (DirTimes d : dirs) {
            PathSyscalls.setTimes(d.path(), d.atime(), d.mtime());
        }
    }

    private void create(TarArchiveEntry e, Path path, InputStream content) throws IOException {
        if (e.isDirectory()) {
            if (lstat(path) == null) {
                Files.createDirectory(path);
            }
        } else if (e.isSymbolicLink()) {
            Files.createSymbolicLink(path, Path.of(e.getLinkName()));
        } else if (e.isLink()) {
            // the target's directory resolved inside the root, the target itself not followed (as containerd)
            String link = new TarGuard("layer").normalizeName(e.getLinkName());
            int slash = link.lastIndexOf('/');
            Path dir = slash < 0 ? root : ScopedPath.resolve(root, link.substring(0, slash), true);
            Files.createLink(path, dir.resolve(link.substring(slash + 1)));
        } else if (e.isCharacterDevice() || e.isBlockDevice()) {
            PathSyscalls.mknod(path, (e.isCharacterDevice() ? S_IFCHR : S_IFBLK) | (e.getMode() & 07777),
                    PathSyscalls.makedev(e.getDevMajor(), e.getDevMinor()));
        } else if (e.isFIFO()) {
            Fifos.mkfifo(path, e.getMode() & 07777);
        } else if (e.isFile()) {
            try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                int n;
                while ((n = content.read(buffer)) > 0) {
                    ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                }
            }
        } else {
            throw new Unsupported("entry " + e.getName() + " has a tar entry type this unpacker does not know");
        }
    }

    private void setXattrs(TarArchiveEntry e, Path path) throws IOException {
        for (Map.Entry<String, String> x : e.getExtraPaxHeaders().entrySet()) {
            if (!x.getKey().startsWith(XATTR_PAX)) {
                continue;
            }
            String key = x.getKey().substring(XATTR_PAX.length());
            if (x.getValue().indexOf('\uFFFD') >= 0) {
                // commons-compress decodes PAX values as UTF-8: binary bytes are lost, so the value is not the layer's
                throw new Unsupported("attribute " + key + " of " + e.getName() + " is not valid UTF-8");
            }
            int errno = PathSyscalls.lsetxattr(path, key, x.getValue().getBytes(StandardCharsets.UTF_8));
            // as containerd: a file system without attributes, or user.* on a special file, is not an error
            if (errno == ENOTSUP || (errno == EPERM && key.startsWith("user.") && !e.isDirectory() && !e.isFile())) {
                continue;
            }
            PathSyscalls.check("lsetxattr", path, errno, key);
        }
    }

    /** Creates the missing directories down to {@code dir}, with the attributes the lower layers give them. */
    private void mkparent(Path dir) throws IOException {
        BasicFileAttributes a = lstat(dir);
        if (a != null) {
            if (!a.isDirectory()) {
                throw new IOException("mkparent " + dir + ": not a directory");
            }
            return;
        }
        Path up = dir.getParent();
        if (up != null && !up.equals(root) && up.startsWith(root)) {
            mkparent(up);
        }
        Files.createDirectory(dir);
        PathSyscalls.chmod(dir, 0755);
        String inside = root.relativize(dir).toString();
        for (Path lower : target.lowers()) {
            Path same = ScopedPath.resolve(lower, inside, true);
            PosixFileAttributes la = posix(same);
            if (la == null) {
                continue;
            }
            if (la.isDirectory()) {
                int uid = (Integer) Files.getAttribute(same, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int gid = (Integer) Files.getAttribute(same, "unix:gid", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(same, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                PathSyscalls.lchown(dir, uid, gid);
                PathSyscalls.chmod(dir, mode & 07777);
                PathSyscalls.setTimes(dir, nanos(la.lastAccessTime()), nanos(la.lastModifiedTime()));
            }
            return; // replaced by a non-directory below: the defaults stay
        }
    }

    private void opaque(Path dir) throws IOException {
        if (target.lowers().isEmpty()) {
            return; // nothing below to hide; what this layer put there stays
        }
        byte[] y = {'y'};
        PathSyscalls.check("lsetxattr", dir, PathSyscalls.lsetxattr(dir, "trusted.overlay.opaque", y), "trusted.overlay.opaque");
    }

    private void whiteout(Path path, TarArchiveEntry e) throws IOException {
        if (target.lowers().isEmpty()) {
            FileTrees.delete(path); // no lower layer: a whiteout only removes what this layer made
            return;
        }
        PathSyscalls.mknod(path, S_IFCHR, 0);
        PathSyscalls.lchown(path, (int) e.getLongUserId(), (int) e.getLongGroupId());
    }

    private static BasicFileAttributes lstat(Path p) throws IOException {
        if (!PathSyscalls.lexists(p)) {
            return null; // the common case in a new layer, without the JDK's exception for it
        }
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static PosixFileAttributes posix(Path p) throws IOException {
        if (!PathSyscalls.lexists(p)) {
            return null;
        }
        try {
            return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }


    /** Nanoseconds since the epoch; a time before it or past 2262 is the epoch, as containerd's boundTime. */
    private static long nanos(FileTime t) {
        if (t == null) {
            return 0;
        }
        var i = t.toInstant();
        if (i.getEpochSecond() < 0 || i.getEpochSecond() >= Long.MAX_VALUE / 1_000_000_000L) {
            return 0;
        }
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
