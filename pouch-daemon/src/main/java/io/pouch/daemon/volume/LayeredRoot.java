package io.pouch.daemon.volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A container's image content read straight from the overlay layer directories (topmost first), without mounting
 * the rootfs: what an empty volume is filled with. Paths are resolved inside the container's root the way the
 * kernel would resolve them there (symlinks, {@code ..}), so an image with {@code /data -> /etc} or
 * {@code -> ../../..} can never make pouchd read or write outside the layers. A whiteout (char device 0/0) hides
 * what lies under it, and so does an opaque directory (overlay's xattr marker) for the layers below.
 */
final class LayeredRoot {
    private static final int MAX_LINKS = 40;
    private final List<Path> layers;

    LayeredRoot(List<Path> layers) {
        this.layers = layers;
    }

    /** The topmost layer's entry for {@code rel} (no symlink followed), or null if absent or whited out. */
    private Path entry(String rel) {
        for (Path layer : layers) {
            Path p = rel.isEmpty() ? layer : layer.resolve(rel);
            if (!p.normalize().startsWith(layer) || hasSymlinkParent(layer, rel)) {
                return null;
            }
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isOther()) {
                    return null; // whiteout
                }
                return p;
            } catch (IOException e) {
                // not in this layer
            }
        }
        return null;
    }

    private static boolean hasSymlinkParent(Path layer, String rel) {
        Path cur = layer;
        String[] parts = rel.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            cur = cur.resolve(parts[i]);
            if (Files.isSymbolicLink(cur)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code path} (absolute, inside the container) resolved in the container's root: every symlink is followed
     * relative to that root, {@code ..} never climbs above it. Answers the relative path ("" for the root); the
     * last component may not exist.
     */
    String resolve(String path) {
        List<String> todo = new ArrayList<>(List.of(path.split("/")));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.remove(0);
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            done.add(c);
            Path e = entry(String.join("/", done));
            if (e != null && Files.isSymbolicLink(e)) {
                if (++links > MAX_LINKS) {
                    return null;
                }
                String target;
                try {
                    target = Files.readSymbolicLink(e).toString();
                } catch (IOException ex) {
                    return null;
                }
                done.remove(done.size() - 1);
                if (target.startsWith("/")) {
                    done.clear();
                }
                todo.addAll(0, List.of(target.split("/")));
            }
        }
        return String.join("/", done);
    }

    /** True when the image has a directory at {@code path} with something in it. */
    boolean hasContent(String path) {
        String rel = resolve(path);
        if (rel == null) {
            return false;
        }
        Path e = entry(rel);
        if (e == null || !Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (Stream<Path> s = Files.list(e)) {
            return s.findAny().isPresent();
        } catch (IOException ex) {
            return false;
        }
    }

    /**
     * Copies the merged content of the image directory at {@code path} into {@code target} (an empty volume).
     * Symlinks are copied as symlinks, never followed; ownership and modes are kept; the directory's own owner and
     * mode go to {@code target}, as docker does.
     */
    void copyTo(String path, Path target) throws IOException {
        String rel = resolve(path);
        if (rel == null) {
            return;
        }
        Path top = entry(rel);
        if (top == null || !Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        copyAttributes(top, target);
        Set<String> seen = new HashSet<>();
        Set<String> blocked = new HashSet<>();
        for (Path layer : layers) {
            Path dir = rel.isEmpty() ? layer : layer.resolve(rel);
            if (hasSymlinkParent(layer, rel) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                    break; // a file, link or whiteout hides the layers below
                }
                continue;
            }
            List<Path> entries;
            try (Stream<Path> s = Files.walk(dir)) {
                entries = s.skip(1).toList();
            }
            Set<String> opaqueHere = new HashSet<>();
            for (Path p : entries) {
                String r = dir.relativize(p).toString();
                if (hiddenByParent(r, blocked) || !seen.add(r)) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!a.isDirectory()) {
                    blocked.add(r);
                } else if (Xattrs.opaque(p)) {
                    opaqueHere.add(r); // hides what the layers below have in it
                }
                Path out = target.resolve(r);
                if (a.isOther()) {
                    continue; // whiteout (or a device node: docker would copy it; not worth the risk here)
                }
                if (!out.normalize().startsWith(target) || Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                if (a.isSymbolicLink()) {
                    Files.createSymbolicLink(out, Files.readSymbolicLink(p));
                    chown(p, out);
                } else if (a.isDirectory()) {
                    Files.createDirectory(out);
                    copyAttributes(p, out);
                } else if (a.isRegularFile()) {
                    Files.copy(p, out, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    chown(p, out);
                }
            }
            blocked.addAll(opaqueHere);
            if (Xattrs.opaque(dir)) {
                break;
            }
        }
    }

    /** An entry of a lower layer under a path that a higher layer made a file or whiteout is hidden. */
    private static boolean hiddenByParent(String r, Set<String> blocked) {
        int slash = r.lastIndexOf('/');
        while (slash > 0) {
            String parent = r.substring(0, slash);
            if (blocked.contains(parent)) {
                return true;
            }
            slash = parent.lastIndexOf('/');
        }
        return false;
    }

    private static void copyAttributes(Path from, Path to) throws IOException {
        PosixFileAttributes a = Files.readAttributes(from, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Files.getFileAttributeView(to, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setPermissions(a.permissions());
        chown(from, to);
    }

    private static void chown(Path from, Path to) throws IOException {
        Object uid = Files.getAttribute(from, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object gid = Files.getAttribute(from, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }
}
