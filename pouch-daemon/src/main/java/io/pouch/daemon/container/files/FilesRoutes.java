package io.pouch.daemon.container.files;

import io.pouch.api.PouchException;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.containerd.SnapshotMounts;
import io.pouch.daemon.sys.ScopedPath;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code /containers/{id}/archive} (HEAD, GET, PUT), {@code /export} and {@code /changes}. */
public final class FilesRoutes implements RouteRegistrar {
    private static final String STAT_HEADER = "X-Docker-Container-Path-Stat";
    private final ContainerManager containers;
    private final Path scratch;

    /** @param scratch where stopped containers' rootfs are mounted for the copy (under the exec root) */
    public FilesRoutes(ContainerManager containers, Path scratch) {
        this.containers = containers;
        this.scratch = scratch;
    }

    @Override
    public void register(Router r) {
        r.add("HEAD", "/containers/{id}/archive", ex -> archiveGet(ex, true));
        r.add("GET", "/containers/{id}/archive", ex -> archiveGet(ex, ex.method().equals("HEAD")));
        r.addStreaming("PUT", "/containers/{id}/archive", this::archivePut);
        r.add("GET", "/containers/{id}/export", this::export);
        r.add("GET", "/containers/{id}/changes", this::changes);
    }

    private static String pathParam(HttpExchange ex) {
        String path = ex.query("path");
        if (path == null || path.isEmpty()) {
            throw PouchException.invalidArgument("bad parameter: path cannot be empty");
        }
        return path;
    }

    private void archiveGet(HttpExchange ex, boolean headOnly) throws IOException {
        String path = pathParam(ex);
        String id = containers.resolveId(ex.pathParam("id"));
        // [exec] frozen while its paths are resolved and read (CVE-2018-15664), unless the user paused it already
        Runnable thaw = headOnly ? () -> { } : containers.freezeForCopy(id);
        try (ContainerRoot root = ContainerRoot.open(containers, id, scratch)) {
            // a trailing "/" or "/." means the directory a link points to; otherwise the link itself
            boolean follow = path.endsWith("/") || path.endsWith("/.");
            Path p = ScopedPath.resolve(root.path(), path, follow);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw PouchException.notFound("Could not find the file " + path + " in container " + ex.pathParam("id"));
            }
            String inside = ScopedPath.inside(root.path(), p);
            // "DIR/." names the directory's contents: entries are "./..." (as dockerd's), so that the CLI's rebasing
            // of "." onto a new name works; "/" is archived as "." too
            boolean contents = path.equals(".") || path.endsWith("/.");
            String name = contents ? "." : p.equals(root.path()) ? "/" : p.getFileName().toString();
            String link = "";
            if (Files.isSymbolicLink(p)) {
                // docker shows where the link resolves inside the container
                link = ScopedPath.inside(root.path(), ScopedPath.resolve(root.path(), inside, true));
            }
            PathStat stat = PathStat.of(p, name, link);
            if (headOnly) {
                ex.respondBytes(200, "application/json", new byte[0], Map.of(STAT_HEADER, stat.header()));
                return;
            }
            OutputStream out = ex.startStream(200, "application/x-tar", Map.of(STAT_HEADER, stat.header()), true);
            try (out) {
                Archive.write(p, name.equals("/") ? "." : name, out, root.kernelMounts());
            }
        } finally {
            thaw.run();
        }
    }

    private void archivePut(HttpExchange ex) throws IOException {
        String path = pathParam(ex);
        String id = containers.resolveId(ex.pathParam("id"));
        ContainerManager.ProcessView v = containers.processView(id);
        boolean noOverwriteDirNonDir = isTrue(ex.query("noOverwriteDirNonDir"));
        boolean copyUidGid = isTrue(ex.query("copyUIDGID"));
        // [exec] frozen while the archive is extracted (CVE-2018-15664), unless the user paused it already
        Runnable thaw = containers.freezeForCopy(id);
        try (ContainerRoot root = ContainerRoot.open(containers, id, scratch)) {
            Archive.Owner owner = copyUidGid ? CopyOwner.of(root.path(), v.user()) : null;
            Archive.extract(root.path(), path, ex.body(), noOverwriteDirNonDir, owner);
        } catch (PouchException e) {
            if (e.status() == 404) {
                throw PouchException.notFound("Could not find the file " + path + " in container " + ex.pathParam("id"));
            }
            throw e;
        } catch (IOException e) {
            throw PouchException.invalidArgument("cannot extract the archive into " + path + " in container "
                    + v.name() + ": " + e.getMessage());
        } finally {
            thaw.run();
        }
        ex.respondEmpty(200);
    }

    /** Go's strconv.ParseBool as the API reads these flags: 1, t, true (any case). */
    private static boolean isTrue(String v) {
        return v != null && (v.equals("1") || v.equalsIgnoreCase("t") || v.equalsIgnoreCase("true"));
    }

    private void export(HttpExchange ex) throws IOException {
        String id = containers.resolveId(ex.pathParam("id"));
        try (ContainerRoot root = ContainerRoot.openReadOnly(containers, id, scratch)) {
            OutputStream out = ex.startStream(200, "application/x-tar", Map.of(), true);
            try (out) {
                Archive.writeContents(root.path(), out);
            }
        }
    }

    private void changes(HttpExchange ex) throws IOException {
        String id = containers.resolveId(ex.pathParam("id"));
        SnapshotMounts rootfs = containers.rootfsMounts(id);
        ex.respond(200, Changes.of(rootfs.upper(), rootfs.lowers()));
    }
}
