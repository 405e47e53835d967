package io.pouch.cli.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.cli.format.Units;
import io.pouch.client.PouchClient;
import io.pouch.client.PouchClientException;
import io.pouch.client.Response;
import io.pouch.client.StreamResponse;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * {@code pouch cp} with docker's behaviour (cli/command/container/cp.go): both directions, local files and
 * directories or {@code -} for a tar stream, docker's rules for trailing {@code /} and {@code /.}, for existing and
 * missing destinations and for symlinks ({@code -L}), {@code -a} (the daemon gives the files to the container's
 * user), docker's messages (printed bare, exit 1). Container paths are resolved by the daemon inside the container.
 */
final class CpCommand {
    private static final long MODE_DIR = 1L << 31;
    private static final long MODE_SYMLINK = 1L << 27;
    /** Go's non-regular, non-directory mode bits: named pipe, socket, device, char device, irregular. */
    private static final long MODE_SPECIAL = (1L << 25) | (1L << 24) | (1L << 26) | (1L << 21) | (1L << 19);

    private final PouchClient client;
    private final PrintWriter err;
    private final boolean followLink;
    private final boolean copyUidGid;
    private final boolean quiet;

    CpCommand(PouchClient client, PrintWriter err, boolean followLink, boolean copyUidGid, boolean quiet) {
        this.client = client;
        this.err = err;
        this.followLink = followLink;
        this.copyUidGid = copyUidGid;
        this.quiet = quiet || System.console() == null || !System.console().isTerminal();
    }

    /** Stat of a container path from {@code X-Docker-Container-Path-Stat}. */
    record Stat(String name, long size, long mode, String linkTarget) {
        boolean isDir() {
            return (mode & MODE_DIR) != 0;
        }

        boolean isSymlink() {
            return (mode & MODE_SYMLINK) != 0;
        }
    }

    int run(String source, String destination) throws IOException {
        if (source.isEmpty()) {
            throw new CopyPaths.CopyException("source can not be empty");
        }
        if (destination.isEmpty()) {
            throw new CopyPaths.CopyException("destination can not be empty");
        }
        CopyPaths.Arg src = CopyPaths.split(source);
        CopyPaths.Arg dst = CopyPaths.split(destination);
        if (src.container() != null && dst.container() != null) {
            throw new CopyPaths.CopyException("copying between containers is not supported");
        }
        if (src.container() == null && dst.container() == null) {
            throw new CopyPaths.CopyException("must specify at least one container source");
        }
        if (src.container() != null) {
            return fromContainer(src.container(), src.path(), dst.path());
        }
        return toContainer(dst.container(), src.path(), dst.path());
    }

    // ---------------------------------------------------------------- container -> local

    private int fromContainer(String container, String srcPath, String dstPath) throws IOException {
        if (!dstPath.equals("-")) {
            dstPath = resolveLocal(dstPath);
            validateOutputPath(dstPath);
        }
        String rebase = "";
        if (followLink) {
            Stat st = statOrNull(container, srcPath);
            if (st != null && st.isSymlink()) {
                String target = st.linkTarget();
                if (!target.startsWith("/")) {
                    target = CopyPaths.join(CopyPaths.splitDirEntry(srcPath)[0], target);
                }
                String[] r = CopyPaths.rebaseName(srcPath, target);
                srcPath = r[0];
                rebase = r[1];
            }
        }
        try (StreamResponse r = client.stream("GET", "/containers/" + PouchClient.escape(container) + "/archive",
                Map.of("path", srcPath), null)) {
            if (dstPath.equals("-")) {
                OutputStream out = new FileOutputStream(FileDescriptor.out);
                r.body().transferTo(out);
                out.flush();
                return 0;
            }
            Stat stat = decode(r.header("X-Docker-Container-Path-Stat"));
            CopyPaths.CopyInfo srcInfo = new CopyPaths.CopyInfo(srcPath, true, stat != null && stat.isDir(), rebase);
            UnaryOperator<String> pre = UnaryOperator.identity();
            if (!rebase.isEmpty()) {
                CopyPaths.Prepared p = new CopyPaths.Prepared("", CopyPaths.splitDirEntry(srcPath)[1], rebase);
                pre = p::rename;
            }
            CopyPaths.CopyInfo dstInfo = destinationInfo(dstPath);
            CopyPaths.Prepared prep = CopyPaths.prepare(srcInfo, dstInfo);
            UnaryOperator<String> first = pre;
            long n = LocalTar.extract(r.body(), Path.of(prep.dstDir()), name -> prep.rename(first.apply(name)));
            progress(n, dstPath);
        }
        return 0;
    }

    /** docker's ValidateOutputPath: the parent exists; an existing target is a directory or a regular file. */
    private static void validateOutputPath(String path) {
        String dir = CopyPaths.dir(CopyPaths.clean(path));
        if (!dir.isEmpty() && !dir.equals(".") && !Files.exists(Path.of(dir))) {
            throw new CopyPaths.CopyException("invalid output path: directory \"" + dir + "\" does not exist");
        }
        Path p = Path.of(path);
        if (Files.exists(p) && !Files.isDirectory(p) && !Files.isRegularFile(p)) {
            throw new CopyPaths.CopyException("invalid output path: \"" + path
                    + "\" must be a directory or a regular file");
        }
    }

    /** moby's CopyInfoDestinationPath: follows a link at the end (up to 10), the parent must exist. */
    private static CopyPaths.CopyInfo destinationInfo(String path) throws IOException {
        String original = path;
        Path p = Path.of(path);
        for (int n = 0; Files.isSymbolicLink(p); n++) {
            if (n > 10) {
                throw new CopyPaths.CopyException("too many symlinks in " + original);
            }
            String target = Files.readSymbolicLink(p).toString();
            if (!target.startsWith("/")) {
                target = CopyPaths.join(CopyPaths.splitDirEntry(path)[0], target);
            }
            path = target;
            p = Path.of(path);
        }
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return new CopyPaths.CopyInfo(path, true, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS), "");
        }
        String parent = CopyPaths.splitDirEntry(path)[0];
        if (!Files.exists(Path.of(parent))) {
            throw new CopyPaths.CopyException("stat " + parent + ": no such file or directory");
        }
        if (!Files.isDirectory(Path.of(parent))) {
            throw new CopyPaths.CopyException("not a directory");
        }
        return new CopyPaths.CopyInfo(path, false, false, "");
    }

    // ---------------------------------------------------------------- local -> container

    private int toContainer(String container, String srcPath, String dstPath) throws IOException {
        if (!srcPath.equals("-")) {
            srcPath = resolveLocal(srcPath);
        }
        String archive = "/containers/" + PouchClient.escape(container) + "/archive";
        String dstResolved = dstPath;
        Stat dstStat = statOrNull(container, dstPath);
        if (dstStat != null && dstStat.isSymlink()) {
            String target = dstStat.linkTarget();
            if (!target.startsWith("/")) {
                target = CopyPaths.join(CopyPaths.splitDirEntry(dstPath)[0], target);
            }
            dstResolved = target;
            dstStat = statOrNull(container, target);
        }
        if (dstStat != null && (dstStat.mode() & MODE_SPECIAL) != 0) {
            throw new CopyPaths.CopyException("destination \"" + container + ":" + dstPath
                    + "\" must be a directory or a regular file");
        }
        CopyPaths.CopyInfo dstInfo = new CopyPaths.CopyInfo(dstResolved, dstStat != null,
                dstStat != null && dstStat.isDir(), "");
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("noOverwriteDirNonDir", "true");
        if (copyUidGid) {
            q.put("copyUIDGID", "true");
        }
        if (srcPath.equals("-")) {
            if (!dstInfo.isDir()) {
                throw new CopyPaths.CopyException("destination \"" + container + ":" + dstPath
                        + "\" must be a directory");
            }
            q.put("path", dstInfo.path());
            try (StreamResponse r = client.uploadStream("PUT", archive, q, System.in, "application/x-tar")) {
                r.body().transferTo(OutputStream.nullOutputStream());
            }
            return 0;
        }
        CopyPaths.CopyInfo srcInfo = sourceInfo(srcPath);
        CopyPaths.Prepared prep = CopyPaths.prepare(srcInfo, dstInfo);
        String rebase = srcInfo.rebaseName();
        String srcBase = CopyPaths.splitDirEntry(srcInfo.path())[1];
        UnaryOperator<String> rename = rebase.isEmpty() ? prep::rename
                : name -> prep.rename(new CopyPaths.Prepared("", srcBase, rebase).rename(name));
        q.put("path", prep.dstDir());
        PipedInputStream pipe = new PipedInputStream(256 * 1024);
        PipedOutputStream sink = new PipedOutputStream(pipe);
        AtomicLong bytes = new AtomicLong();
        AtomicReference<IOException> failed = new AtomicReference<>();
        String from = srcInfo.path();
        Thread producer = Thread.ofVirtual().name("cp-tar").start(() -> {
            try (sink) {
                bytes.set(LocalTar.write(from, rename, sink));
            } catch (IOException e) {
                failed.set(e);
            }
        });
        try (StreamResponse r = client.uploadStream("PUT", archive, q, pipe, "application/x-tar")) {
            r.body().transferTo(OutputStream.nullOutputStream());
        } finally {
            pipe.close(); // a daemon that refused early: the producer's next write fails and it ends
            try {
                producer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failed.get() != null) {
            throw failed.get();
        }
        progress(bytes.get(), container + ":" + dstInfo.path());
        return 0;
    }

    /** moby's CopyInfoSourcePath: resolves links in the parent (all of it with -L), then lstat. */
    private CopyPaths.CopyInfo sourceInfo(String path) throws IOException {
        String resolved;
        String rebase = "";
        try {
            if (followLink) {
                String real = Path.of(path).toRealPath().toString();
                String[] r = CopyPaths.rebaseName(path, real);
                resolved = r[0];
                rebase = r[1];
            } else {
                int slash = path.lastIndexOf('/');
                String dir = path.substring(0, slash + 1);
                String basePart = path.substring(slash + 1);
                String realDir = Path.of(dir.isEmpty() ? "." : dir).toRealPath().toString();
                resolved = (realDir.equals("/") ? "" : realDir) + "/" + basePart;
                if (CopyPaths.hasTrailingSeparator(path)
                        && !CopyPaths.base(path).equals(CopyPaths.base(resolved))) {
                    rebase = CopyPaths.base(path);
                }
            }
        } catch (NoSuchFileException e) {
            throw new CopyPaths.CopyException("lstat " + e.getFile() + ": no such file or directory");
        } catch (NotDirectoryException e) {
            throw new CopyPaths.CopyException("lstat " + e.getFile() + ": not a directory");
        }
        // a trailing "/" or "/." (kept by the resolution) makes lstat follow a link to a directory, as in Go
        boolean follows = CopyPaths.assertsDirectory(resolved);
        Path p = Path.of(resolved);
        LinkOption[] opts = follows ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        if (!Files.exists(p, opts)) {
            throw new CopyPaths.CopyException("lstat " + CopyPaths.clean(resolved) + ": no such file or directory");
        }
        if (follows && !Files.isDirectory(p)) {
            throw new CopyPaths.CopyException("lstat " + resolved + ": not a directory");
        }
        return new CopyPaths.CopyInfo(resolved, true, Files.isDirectory(p, opts), rebase);
    }

    // ---------------------------------------------------------------- helpers

    /** docker's resolveLocalPath: absolute, cleaned, keeping a trailing "/" or "/.". */
    static String resolveLocal(String path) {
        if (path.equals("-")) {
            return path;
        }
        String abs = CopyPaths.clean(path.startsWith("/") ? path
                : Path.of("").toAbsolutePath() + "/" + path);
        return CopyPaths.preserveTrailing(abs, path);
    }

    private Stat statOrNull(String container, String path) {
        try {
            Response r = client.request("HEAD", "/containers/" + PouchClient.escape(container) + "/archive",
                    Map.of("path", path), null);
            return decode(r.header("X-Docker-Container-Path-Stat"));
        } catch (PouchClientException e) {
            if (e.isTransportFailure() || e.status() != 404) {
                throw e;
            }
            return null;
        }
    }

    private static Stat decode(String header) {
        if (header == null || header.isEmpty()) {
            return null;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(Base64.getDecoder().decode(header));
            return new Stat(n.path("name").asText(), n.path("size").asLong(), n.path("mode").asLong(),
                    n.path("linkTarget").asText(""));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private void progress(long bytes, String to) {
        if (!quiet) {
            err.println("Successfully copied " + Units.humanSize(bytes) + " to " + to);
            err.flush();
        }
    }
}
