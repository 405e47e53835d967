package io.pouch.daemon.build;

import io.pouch.api.PouchException;
import io.pouch.api.build.DockerIgnore;
import io.pouch.api.build.Globs;
import io.pouch.daemon.container.files.Archive;
import io.pouch.daemon.sys.FileTrees;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A build's context: the tar the client sent (plain, gzip, bzip2 or xz, as dockerd detects by the magic bytes)
 * extracted into a private directory, with what {@code .dockerignore} leaves out removed; the Dockerfile is read
 * before that (an ignored Dockerfile still drives the build, as with dockerd). Sources are looked up inside it
 * only: a path that climbs out with {@code ..} or a symlink that leads out is refused.
 */
public final class BuildContext implements AutoCloseable {
    private final Path dir;
    private final String dockerfile;

    private BuildContext(Path dir, String dockerfile) {
        this.dir = dir;
        this.dockerfile = dockerfile;
    }

    /**
     * Extracts {@code body} into a new directory under {@code tmp}; more than {@code limit} bytes of body is a 413.
     *
     * @param dockerfileName the Dockerfile's path in the context
     */
    public static BuildContext extract(InputStream body, Path tmp, long limit, String dockerfileName) throws IOException {
        Files.createDirectories(tmp);
        Path dir = Files.createTempDirectory(tmp, "context-");
        try {
            InputStream in = decompressed(new BufferedInputStream(new Limited(body, limit), 65536));
            Archive.extract(dir, "/", in, false, null);
            String df = readDockerfile(dir, dockerfileName);
            Path ignoreFile = dir.resolve(".dockerignore");
            if (Files.isRegularFile(ignoreFile, LinkOption.NOFOLLOW_LINKS)) {
                prune(dir, DockerIgnore.parse(Files.readString(ignoreFile, StandardCharsets.UTF_8)));
            }
            return new BuildContext(dir, df);
        } catch (IOException | RuntimeException e) {
            FileTrees.delete(dir);
            throw e;
        }
    }

    public String dockerfile() {
        return dockerfile;
    }

    public Path dir() {
        return dir;
    }

    /**
     * The context paths {@code source} names (a path or a Go filepath.Match pattern, relative to the context root),
     * sorted; refuses one that leaves the context and answers a clear error when nothing matches.
     */
    public List<Path> sources(String source, String instruction) throws IOException {
        String clean = clean(source, instruction);
        if (!Globs.hasWildcard(clean)) {
            Path p = dir.resolve(clean).normalize();
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw PouchException.invalidArgument(instruction + " failed: file not found in build context or "
                        + "excluded by .dockerignore: stat " + source + ": file does not exist");
            }
            return List.of(inside(p, source, instruction));
        }
        Pattern pattern = Globs.compile(clean);
        List<Path> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                String rel = dir.relativize(p).toString();
                if (!rel.isEmpty() && pattern.matcher(rel).matches()) {
                    out.add(inside(p, source, instruction));
                }
            }
        }
        if (out.isEmpty()) {
            throw PouchException.invalidArgument(instruction + " failed: no source files were specified (nothing "
                    + "in the build context matches " + source + ")");
        }
        return out;
    }

    /** The source cleaned to a path relative to the root; one that climbs out is refused. */
    private static String clean(String source, String instruction) {
        Path p = Path.of("/").resolve(source).normalize();
        if (source.equals("..") || source.startsWith("../") || Path.of(source).normalize().startsWith("..")) {
            throw forbidden(source, instruction);
        }
        String s = p.toString().substring(1);
        return s.isEmpty() ? "." : s;
    }

    /** {@code p}, refused when it is a symlink (or under one) that resolves outside the context. */
    private Path inside(Path p, String source, String instruction) throws IOException {
        if (Files.exists(p)) {
            if (!p.toRealPath().startsWith(dir.toRealPath())) {
                throw forbidden(source, instruction);
            }
        } else if (Files.isSymbolicLink(p)) {
            throw forbidden(source, instruction);
        }
        return p;
    }

    private static PouchException forbidden(String source, String instruction) {
        return PouchException.invalidArgument(instruction + " failed: forbidden path outside the build context: "
                + source);
    }

    @Override
    public void close() {
        try {
            FileTrees.delete(dir);
        } catch (IOException ignored) {
            // the next start empties the build directory
        }
    }

    private static String readDockerfile(Path dir, String name) throws IOException {
        String clean;
        try {
            clean = clean(name, "Dockerfile");
        } catch (PouchException e) {
            throw PouchException.invalidArgument("the Dockerfile (" + name + ") must be within the build context");
        }
        Path p = dir.resolve(clean);
        if (!Files.isRegularFile(p) || !p.toRealPath().startsWith(dir.toRealPath())) {
            throw PouchException.invalidArgument("Cannot locate specified Dockerfile: " + name);
        }
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    /** Removes what the ignore rules leave out; a directory goes when nothing in it is taken back. */
    private static void prune(Path dir, DockerIgnore ignore) throws IOException {
        if (ignore.isEmpty()) {
            return;
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(dir)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            String rel = dir.relativize(p).toString();
            if (rel.isEmpty() || !ignore.excludes(rel)) {
                continue;
            }
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> s = Files.list(p)) {
                    if (s.findAny().isPresent()) {
                        continue;
                    }
                }
            }
            Files.delete(p);
        }
    }

    /** The body decompressed when its first bytes are gzip's, bzip2's or xz's magic. */
    static InputStream decompressed(BufferedInputStream in) throws IOException {
        in.mark(8);
        byte[] m = in.readNBytes(6);
        in.reset();
        if (m.length >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) {
            return new GzipCompressorInputStream(in, true);
        }
        if (m.length >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') {
            return new BZip2CompressorInputStream(in, true);
        }
        if (m.length >= 6 && (m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z'
                && m[5] == 0) {
            return new XZCompressorInputStream(in, true);
        }
        return in;
    }

    /** The request body, refused with a 413 past the limit. */
    private static final class Limited extends FilterInputStream {
        private final long limit;
        private long count;

        Limited(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        private void add(long n) {
            count += n;
            if (count > limit) {
                throw new PouchException(413, "the build context is larger than this daemon's limit of " + limit
                        + " bytes (its build-context-limit): leave files out with .dockerignore");
            }
        }
    }
}
