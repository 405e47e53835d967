package io.pouch.daemon.build;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a COPY or ADD takes from one source: a tar of it (a file or link under a given name; a directory's contents,
 * never the directory itself, as Docker copies directories) with {@code --chmod} applied, and a digest of the same
 * entries (names, types, modes, link targets, contents) that keys the build cache. Links are never followed.
 */
final class SourceTar {
    private SourceTar() {
    }

    /** One entry: {@code path} on disk and its name in the tar. */
    private record Entry(Path path, String name) {
    }

    /** Adds the entries of {@code source} (named {@code name}, or its contents for a directory) to the digest. */
    static void digest(Path source, String name, Integer chmod, MessageDigest md) throws IOException {
        for (Entry e : entries(source, name)) {
            PosixFileAttributes a = attrs(e.path());
            md.update((e.name() + "\0" + type(a) + "\0" + mode(a, chmod) + "\0").getBytes(StandardCharsets.UTF_8));
            if (a.isSymbolicLink()) {
                md.update(Files.readSymbolicLink(e.path()).toString().getBytes(StandardCharsets.UTF_8));
            } else if (a.isRegularFile()) {
                try (InputStream in = Files.newInputStream(e.path(), LinkOption.NOFOLLOW_LINKS)) {
                    byte[] buf = new byte[65536];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                    }
                }
            }
            md.update((byte) '\n');
        }
    }

    /** Writes the tar of {@code source} as {@link #digest} describes it. */
    static void write(Path source, String name, Integer chmod, OutputStream out) throws IOException {
        try (TarArchiveOutputStream tar = open(out)) {
            add(tar, source, name, chmod, "", 0, 0);
        }
    }

    static TarArchiveOutputStream open(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        return tar;
    }

    /** Adds the entries of {@code source} with names under {@code prefix} (empty or ending in /), owned uid:gid. */
    static void add(TarArchiveOutputStream tar, Path source, String name, Integer chmod, String prefix, int uid,
                    int gid) throws IOException {
        for (Entry e : entries(source, name)) {
            PosixFileAttributes a = attrs(e.path());
            String n = prefix + e.name();
            TarArchiveEntry t;
            if (a.isSymbolicLink()) {
                t = new TarArchiveEntry(n, TarArchiveEntry.LF_SYMLINK);
                t.setLinkName(Files.readSymbolicLink(e.path()).toString());
            } else if (a.isDirectory()) {
                t = new TarArchiveEntry(n + "/");
            } else if (a.isRegularFile()) {
                t = new TarArchiveEntry(n);
                t.setSize(a.size());
            } else {
                continue; // sockets, FIFOs and devices are not copied
            }
            t.setMode((t.isDirectory() ? 040000 : t.isSymbolicLink() ? 0120000 : 0100000) | mode(a, chmod));
            t.setModTime(a.lastModifiedTime().toMillis());
            t.setIds(uid, gid);
            tar.putArchiveEntry(t);
            if (a.isRegularFile()) {
                Files.copy(e.path(), tar);
            }
            tar.closeArchiveEntry();
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(MessageDigest md) {
        return HexFormat.of().formatHex(md.digest());
    }

    private static List<Entry> entries(Path source, String name) throws IOException {
        if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            return List.of(new Entry(source, name));
        }
        try (Stream<Path> walk = Files.walk(source)) {
            return walk.filter(p -> !p.equals(source)).sorted()
                    .map(p -> new Entry(p, source.relativize(p).toString())).toList();
        }
    }

    private static PosixFileAttributes attrs(Path p) throws IOException {
        return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    private static String type(PosixFileAttributes a) {
        return a.isSymbolicLink() ? "l" : a.isDirectory() ? "d" : a.isRegularFile() ? "f" : "o";
    }

    private static int mode(PosixFileAttributes a, Integer chmod) {
        if (chmod != null && !a.isSymbolicLink()) {
            return chmod;
        }
        Set<PosixFilePermission> perms = a.permissions();
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= 1 << (8 - p.ordinal());
        }
        return m;
    }
}
