package io.pouch.daemon.container;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * runc removes a container's cgroups when its task is deleted normally. When the shim or runc died (killed, OOM
 * of the shim, a crash), the task is cleaned up by containerd without them and the empty cgroup directories stay
 * behind. On removal of the container we take away what is left of its cgroup ({@code /pouch/<id>} or
 * {@code <CgroupParent>/<id>}) under every hierarchy
 * (cgroup v1 controllers, v2's unified tree, hybrid's unified mount). Only empty cgroups can be removed:
 * a cgroup that still holds a process is left alone and logged.
 */
final class LeftoverCgroups {
    private static final Logger LOG = Logger.getLogger(LeftoverCgroups.class.getName());
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    private LeftoverCgroups() {
    }

    /** @param cgroupPath the container's cgroup, {@code /pouch/<id>} ({@link CgroupPaths#of}) */
    static void remove(String cgroupPath) {
        remove(ROOT, cgroupPath);
    }

    static void remove(Path root, String cgroupPath) {
        String rel = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
        tryRemove(root.resolve(rel)); // cgroup v2
        if (!Files.isDirectory(root)) {
            return;
        }
        try (DirectoryStream<Path> hierarchies = Files.newDirectoryStream(root)) {
            for (Path h : hierarchies) {
                tryRemove(h.resolve(rel));
            }
        } catch (IOException e) {
            LOG.fine("cannot list " + root + ": " + e.getMessage());
        }
    }

    private static void tryRemove(Path cgroup) {
        if (!Files.isDirectory(cgroup)) {
            return;
        }
        try {
            // a cgroup directory is removed with rmdir even though it lists control files
            Files.delete(cgroup);
        } catch (IOException e) {
            LOG.warning("cgroup " + cgroup + " of a removed container is still in use: " + e.getMessage());
        }
    }
}
