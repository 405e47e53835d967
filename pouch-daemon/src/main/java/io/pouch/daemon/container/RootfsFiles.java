package io.pouch.daemon.container;


import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a small file ({@code /etc/passwd}, {@code /etc/group}) of a container's rootfs straight from the
 * overlay directories the snapshotter reports, topmost first, without mounting anything.
 *
 * <p>Why here and at start: the user is resolved when the container starts (as Docker does), from the
 * container's own writable layer first, so a passwd changed by {@code docker cp} after create counts; reading
 * the layer directories avoids a temporary mount (and its cleanup on every failure path). A whiteout (char
 * device) or a symlink ends the search: symlinks are not followed because they would be resolved against the
 * host's root, not the container's.
 */
final class RootfsFiles {
    private RootfsFiles() {
    }

    /** Content of {@code relative} (e.g. "etc/passwd") in the topmost layer that has it, or null. */
    static String read(List<Path> layers, String relative) {
        for (Path layer : layers) {
            Path p = layer.resolve(relative);
            // refuse to walk through symlinked parents (etc -> /somewhere on the host)
            if (!p.normalize().startsWith(layer) || Files.isSymbolicLink(p.getParent())) {
                return null;
            }
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isRegularFile()) {
                    if (a.size() > 4 * 1024 * 1024) {
                        return null;
                    }
                    return Files.readString(p, StandardCharsets.UTF_8);
                }
                return null; // whiteout, symlink, directory: stop
            } catch (NoSuchFileException e) {
                // not in this layer
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }
}
