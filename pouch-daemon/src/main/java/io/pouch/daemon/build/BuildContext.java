package io.pouch.daemon.build;

import io.pouch.api.PouchException;
import io.pouch.api.build.DockerIgnore;
import io.pouch.api.build.Globs;
import io.pouch.daemon.container.files.Archive;
import io.pouch.daemon.sys.FileTrees;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import io.pouch.daemon.sys.ScopedPath;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.io.input.TeeInputStream;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
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
 * A build's context: the tar the client sent (plain, gzip, bzip2 or xz, as dockerd detects by the magic bytes),
 * spooled and indexed as it streams in ({@link ContextIndex}: each path's type, mode and content digest), with what
 * {@code .dockerignore} leaves out dropped; the Dockerfile is read from the stream (an ignored Dockerfile still
 * drives the build, as with dockerd). The tree is extracted into a private directory only when a step needs its
 * files, so a build whose COPY steps all hit the cache writes none of it. Sources are looked up inside it only: a
 * path that climbs out with {@code ..} or a symlink that leads out is refused.
 */
public final class BuildContext implements AutoCloseable {
    private final Path dir;
    private final Path spool;
    private final String dockerfile;
    private final String ignoreRules;
    private final ContextIndex index;
    private boolean extracted;

    private BuildContext(Path dir, Path spool, String dockerfile, String ignoreRules, ContextIndex index) {
        this.dir = dir;
        this.spool = spool;
        this.dockerfile = dockerfile;
        this.ignoreRules = ignoreRules;
        this.index = index;
    }

    /**
     * Reads {@code body} into a new spool under {@code tmp}; more than {@code limit} bytes of body is a 413.
     *
     * @param dockerfileName the Dockerfile's path in the context
     */
    public static BuildContext extract(InputStream body, Path tmp, long limit, String dockerfileName) throws IOException {
        Files.createDirectories(tmp);
        Path dir = Files.createTempDirectory(tmp, "context-");
        Path spool = dir.resolveSibling(dir.getFileName() + ".tar");
        try {
            String dfName;
            try {
                dfName = clean(dockerfileName, "Dockerfile");
            } catch (PouchException e) {
                throw PouchException.invalidArgument("the Dockerfile (" + dockerfileName + ") must be within the build "
                        + "context");
            }
            ContextIndex index = new ContextIndex();
            Map<String, byte[]> small = new HashMap<>();
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(spool), 65536)) {
                InputStream in = new SkipByReading(new TeeInputStream(decompressed(new BufferedInputStream(
                        new Limited(body, limit), 65536)), out));
                index(in, index, Set.of(dfName, ".dockerignore"), small);
                in.transferTo(OutputStream.nullOutputStream()); // the tar's end blocks, into the spool too
            }
            BuildContext ctx;
            ContextIndex.Entry df = index.get(dfName);
            ContextIndex.Entry ig = index.get(".dockerignore");
            String rules = ig != null && ig.type() == 'f' ? new String(small.get(".dockerignore"), StandardCharsets.UTF_8)
                    : null;
            if (df != null && df.type() == 'f') {
                ctx = new BuildContext(dir, spool, new String(small.get(dfName), StandardCharsets.UTF_8), rules, index);
            } else {
                // missing, or a link: the extracted tree answers (or refuses it), read before it is pruned
                new BuildContext(dir, spool, null, null, index).materialize();
                String text = readDockerfile(dir, dockerfileName);
                if (rules != null) {
                    prune(dir, DockerIgnore.parse(rules));
                }
                ctx = new BuildContext(dir, spool, text, rules, index);
                ctx.extracted = true;
            }
            if (rules != null) {
                index.ignore(DockerIgnore.parse(rules));
            }
            return ctx;
        } catch (IOException | RuntimeException e) {
            FileTrees.delete(dir);
            Files.deleteIfExists(spool);
            throw e;
        }
    }

    /** Indexes the tar's entries, keeping the contents of the files named in {@code keep}. */
    private static void index(InputStream in, ContextIndex index, Set<String> keep, Map<String, byte[]> kept)
            throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        Map<String, ContextIndex.Entry> files = new HashMap<>();
        TarArchiveEntry e;
        byte[] buf = new byte[65536];
        while ((e = tar.getNextEntry()) != null) {
            String name = ScopedPath.entryName(e.getName());
            ContextIndex.Entry entry;
            if (e.isDirectory()) {
                entry = new ContextIndex.Entry('d', e.getMode() & 0777, null, null);
            } else if (e.isSymbolicLink()) {
                entry = new ContextIndex.Entry('l', 0777, e.getLinkName(), null);
            } else if (e.isLink()) {
                index.sawHardLink();
                entry = files.get(ScopedPath.entryName(e.getLinkName()));
                if (entry == null) {
                    throw PouchException.invalidArgument("invalid hard link " + name + " -> " + e.getLinkName());
                }
            } else if (e.isFIFO() || e.isCharacterDevice() || e.isBlockDevice() || !e.isFile()) {
                entry = new ContextIndex.Entry('o', e.getMode() & 0777, null, null);
            } else {
                MessageDigest md = SourceTar.sha256();
                ByteArrayOutputStream copy = keep.contains(name) ? new ByteArrayOutputStream() : null;
                for (int n; (n = tar.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                    if (copy != null) {
                        copy.write(buf, 0, n);
                    }
                }
                if (copy != null) {
                    kept.put(name, copy.toByteArray());
                }
                entry = new ContextIndex.Entry('f', e.getMode() & 0777, null, md.digest());
                files.put(name, entry);
            }
            index.put(name, entry);
        }
    }

    public String dockerfile() {
        return dockerfile;
    }

    /** The extracted tree (extracted now, the first time). */
    public Path dir() throws IOException {
        materialize();
        return dir;
    }

    /**
     * What a COPY of {@code sources} takes from the context, from the index alone; null when only the extracted
     * tree can tell (see {@link ContextIndex#select}).
     */
    List<ContextIndex.Match> select(List<String> sources, String instruction) {
        List<String> cleaned = new ArrayList<>();
        for (String s : sources) {
            cleaned.add(clean(s, instruction));
        }
        return index.select(cleaned);
    }

    /** The cache digest of what {@code matches} take, {@code chmod} applied (see {@link ContextIndex#digest}). */
    String digest(List<ContextIndex.Match> matches, Integer chmod) {
        return index.digest(matches, chmod);
    }

    /**
     * Writes the tar of {@code m} as {@link SourceTar#write} writes it from disk (a file under the name {@code as},
     * a directory's contents, {@code chmod} applied, owned by root), straight from the spooled context: what a COPY
     * extracts into the step's container, without extracting the context first.
     */
    void writeTar(ContextIndex.Match m, String as, Integer chmod, OutputStream out) throws IOException {
        String prefix = m.name().isEmpty() ? "" : m.name() + "/";
        try (InputStream in = new BufferedInputStream(Files.newInputStream(spool), 65536);
             TarArchiveOutputStream tar = SourceTar.open(out)) {
            TarArchiveInputStream src = new TarArchiveInputStream(in);
            TarArchiveEntry e;
            while ((e = src.getNextEntry()) != null) {
                String name = ScopedPath.entryName(e.getName());
                String target;
                if (!m.dir()) {
                    target = name.equals(m.name()) ? as : null;
                } else {
                    target = !name.isEmpty() && name.startsWith(prefix) ? name.substring(prefix.length()) : null;
                }
                ContextIndex.Entry kept = target == null ? null : index.get(name);
                if (kept == null || kept.type() == 'o') {
                    continue; // not taken, or left out by .dockerignore, or not a file, directory or link
                }
                TarArchiveEntry t;
                if (e.isSymbolicLink()) {
                    t = new TarArchiveEntry(target, TarArchiveEntry.LF_SYMLINK);
                    t.setLinkName(e.getLinkName());
                } else if (e.isDirectory()) {
                    t = new TarArchiveEntry(target + "/");
                } else {
                    t = new TarArchiveEntry(target);
                    t.setSize(e.getSize());
                }
                int mode = chmod != null && !e.isSymbolicLink() ? chmod : e.getMode() & 0777;
                t.setMode((t.isDirectory() ? 040000 : t.isSymbolicLink() ? 0120000 : 0100000) | mode);
                t.setModTime(e.getModTime());
                t.setIds(0, 0);
                tar.putArchiveEntry(t);
                if (t.isFile()) {
                    src.transferTo(tar);
                }
                tar.closeArchiveEntry();
            }
        }
    }

    private void materialize() throws IOException {
        if (extracted) {
            return;
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(spool), 65536)) {
            Archive.extract(dir, "/", in, false, null);
        }
        if (ignoreRules != null) {
            prune(dir, DockerIgnore.parse(ignoreRules));
        }
        extracted = true;
    }

    /**
     * The context paths {@code source} names (a path or a Go filepath.Match pattern, relative to the context root),
     * sorted; refuses one that leaves the context and answers a clear error when nothing matches.
     */
    public List<Path> sources(String source, String instruction) throws IOException {
        materialize();
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
            Files.deleteIfExists(spool);
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

    /** Skips by reading, so that what the tar reader skips (padding, unread data) reaches the spool too. */
    private static final class SkipByReading extends FilterInputStream {
        SkipByReading(InputStream in) {
            super(in);
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] b = new byte[(int) Math.max(1, Math.min(n, 8192))];
            long left = n;
            while (left > 0) {
                int r = in.read(b, 0, (int) Math.min(left, b.length));
                if (r < 0) {
                    break;
                }
                left -= r;
            }
            return n - left;
        }
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
