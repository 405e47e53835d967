package io.pouch.daemon.container.files;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.containerd.SnapshotMounts;
import io.pouch.daemon.sys.ScopedPath;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Files of a container, as {@code docker cp}, {@code docker export} and {@code docker diff} see them: a path's stat,
 * a tar of a path, a tar extracted into a directory, the whole rootfs, the changes in its upper layer.
 *
 * <p>A copy out (tar of a path) or in (extract) freezes the container while the paths are resolved and read or
 * written, so that a process in it cannot swap a checked path for a link meanwhile (CVE-2018-15664); a container the
 * user paused stays paused.
 */
public final class ContainerFiles {
    /** Where a tar goes: opened once the source was found (the answer's status and headers depend on it). */
    @FunctionalInterface
    public interface ArchiveOutput {
        OutputStream open(PathStat stat) throws IOException;
    }

    /** Where an export goes: opened once the rootfs was mounted. */
    @FunctionalInterface
    public interface Output {
        OutputStream open() throws IOException;
    }

    private final CopyContainers containers;
    private final Path scratch;

    /** @param scratch where stopped containers' rootfs are mounted for the copy (under the exec root) */
    public ContainerFiles(CopyContainers containers, Path scratch) {
        this.containers = containers;
        this.scratch = scratch;
    }

    /** The stat of {@code path} in the container ({@code HEAD} of the archive); the container is not frozen. */
    public PathStat stat(String ref, String path) throws IOException {
        String id = containers.resolveId(ref);
        try (ContainerRoot root = ContainerRoot.open(containers, id, scratch)) {
            return locate(root, ref, path).stat();
        }
    }

    /** A tar of {@code path} in the container, written to the output opened with its stat. */
    public void copyOut(String ref, String path, ArchiveOutput output) throws IOException {
        String id = containers.resolveId(ref);
        Runnable thaw = containers.freezeForCopy(id);
        try (ContainerRoot root = ContainerRoot.open(containers, id, scratch)) {
            Located l = locate(root, ref, path);
            OutputStream out = output.open(l.stat());
            try (out) {
                Archive.write(l.path(), l.stat().name().equals("/") ? "." : l.stat().name(), out, root.kernelMounts());
            }
        } finally {
            thaw.run();
        }
    }

    /**
     * Extracts {@code tar} into the directory {@code path} of the container; with {@code copyUidGid} the files go to
     * the container's user (see {@link CopyOwner}).
     */
    public void copyIn(String ref, String path, InputStream tar, boolean noOverwriteDirNonDir, boolean copyUidGid) {
        String id = containers.resolveId(ref);
        ContainerManager.ProcessView v = containers.processView(id);
        Runnable thaw = containers.freezeForCopy(id);
        try (ContainerRoot root = ContainerRoot.open(containers, id, scratch)) {
            Archive.Owner owner = copyUidGid ? CopyOwner.of(root.path(), v.user()) : null;
            Archive.extract(root.path(), path, tar, noOverwriteDirNonDir, owner);
        } catch (PouchException e) {
            if (e.status() == 404) {
                throw notFound(ref, path);
            }
            throw e;
        } catch (IOException e) {
            throw PouchException.invalidArgument("cannot extract the archive into " + path + " in container "
                    + v.name() + ": " + e.getMessage());
        } finally {
            thaw.run();
        }
    }

    /** A tar of the container's rootfs snapshot alone (no volumes), written to the output. */
    public void export(String ref, Output output) throws IOException {
        String id = containers.resolveId(ref);
        try (ContainerRoot root = ContainerRoot.openReadOnly(containers, id, scratch)) {
            OutputStream out = output.open();
            try (out) {
                Archive.writeContents(root.path(), out);
            }
        }
    }

    /** What changed in the container's rootfs: its upper layer against the layers below. */
    public List<Changes.Change> changes(String ref) throws IOException {
        String id = containers.resolveId(ref);
        SnapshotMounts rootfs = containers.rootfsMounts(id);
        return Changes.of(rootfs.upper(), rootfs.lowers());
    }

    private record Located(Path path, PathStat stat) {
    }

    private static Located locate(ContainerRoot root, String ref, String path) throws IOException {
        // a trailing "/" or "/." means the directory a link points to; otherwise the link itself
        boolean follow = path.endsWith("/") || path.endsWith("/.");
        Path p = ScopedPath.resolve(root.path(), path, follow);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw notFound(ref, path);
        }
        String inside = ScopedPath.inside(root.path(), p);
        // "DIR/." names the directory's contents: entries are "./..." (as dockerd's), so that the CLI's rebasing of
        // "." onto a new name works; "/" is archived as "." too
        boolean contents = path.equals(".") || path.endsWith("/.");
        String name = contents ? "." : p.equals(root.path()) ? "/" : p.getFileName().toString();
        String link = "";
        if (Files.isSymbolicLink(p)) {
            // docker shows where the link resolves inside the container
            link = ScopedPath.inside(root.path(), ScopedPath.resolve(root.path(), inside, true));
        }
        return new Located(p, PathStat.of(p, name, link));
    }

    private static PouchException notFound(String ref, String path) {
        return PouchException.notFound("Could not find the file " + path + " in container " + ref);
    }
}
