package io.pouch.daemon.cri.image;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bytes and inodes the image filesystem uses (containerd's snapshotter root), for the CRI's
 * {@code ImageFsInfo}. The tree is walked at most once per {@code maxAge}: the kubelet asks every few seconds, and
 * containerd's CRI plugin likewise answers from a snapshot of the usage taken periodically. Bytes are the files'
 * apparent sizes; a file linked several times counts once.
 */
public final class ImageFsUsage {
    private static final Logger LOG = Logger.getLogger(ImageFsUsage.class.getName());
    /** The directory of containerd's overlayfs snapshotter under its root. */
    static final String OVERLAYFS_DIR = "io.containerd.snapshotter.v1.overlayfs";

    /** One measurement: when it was taken, of which directory. */
    public record Usage(Instant timestamp, Path mountpoint, long usedBytes, long inodesUsed) {
    }

    private final Path root;
    private final Duration maxAge;
    private final Clock clock;
    private Usage last;

    public ImageFsUsage(Path root, Duration maxAge, Clock clock) {
        this.root = root;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** The overlayfs snapshotter's directory under containerd's root, walked at most every 10 s. */
    public static ImageFsUsage ofContainerdRoot(Path containerdRoot) {
        return new ImageFsUsage(containerdRoot.resolve(OVERLAYFS_DIR), Duration.ofSeconds(10), Clock.systemUTC());
    }

    /** The usage, measured now unless the last measurement is younger than {@code maxAge}. */
    public synchronized Usage usage() {
        Instant now = clock.instant();
        if (last == null || !now.isBefore(last.timestamp().plus(maxAge))) {
            last = measure(now);
        }
        return last;
    }

    private Usage measure(Instant now) {
        long[] bytes = {0};
        long[] inodes = {0};
        Set<Object> seen = new HashSet<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    count(attrs);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    count(attrs);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    // a snapshot removed while we walk, or a file we may not read: the usage is an estimate anyway
                    return FileVisitResult.CONTINUE;
                }

                private void count(BasicFileAttributes attrs) {
                    Object key = attrs.fileKey();
                    if (key != null && !seen.add(key)) {
                        return; // another link of a file already counted
                    }
                    inodes[0]++;
                    if (!attrs.isDirectory()) {
                        bytes[0] += attrs.size();
                    }
                }
            });
        } catch (IOException e) {
            // a missing root (no snapshot yet) reaches visitFileFailed: this is a failure of the walk itself
            LOG.log(Level.FINE, "measuring " + root + " failed", e);
        }
        return new Usage(now, root, bytes[0], inodes[0]);
    }
}
