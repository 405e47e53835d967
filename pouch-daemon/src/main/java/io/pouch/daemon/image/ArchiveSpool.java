package io.pouch.daemon.image;

import io.pouch.api.PouchException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An untrusted image archive (docker-save or OCI layout tar, possibly gzip-compressed) read once from the request
 * body into a private temporary directory: one file per regular entry, named by a counter (never by the entry
 * name), with its sha256 and size, so nothing reaches containerd before the whole archive has been checked.
 */
final class ArchiveSpool implements Closeable {
    /** A regular file of the archive. {@code digest} is {@code sha256:<hex>} of its bytes. */
    record Spooled(String name, Path file, String digest, long size) {
        InputStream open() throws IOException {
            return Files.newInputStream(file);
        }
    }

    private static final int MAX_JSON = 16 << 20;
    private final Path dir;
    private final Map<String, Spooled> files = new HashMap<>();
    /** Symbolic and hard links: normalised name -> normalised target name inside the archive. */
    private final Map<String, String> links = new HashMap<>();

    private ArchiveSpool(Path dir) {
        this.dir = dir;
    }

    static ArchiveSpool read(InputStream body, Path tmpRoot, String what) throws IOException {
        Files.createDirectories(tmpRoot);
        ArchiveSpool spool = new ArchiveSpool(Files.createTempDirectory(tmpRoot, "spool-"));
        try {
            spool.readAll(decompressed(body), new TarGuard(what));
            return spool;
        } catch (IOException | RuntimeException e) {
            spool.close();
            throw e;
        }
    }

    /** The stream itself, or decompressed when it starts with gzip's or zstd's magic. */
    static InputStream decompressed(InputStream in) throws IOException {
        BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
        b.mark(4);
        byte[] magic = b.readNBytes(4);
        b.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new BufferedInputStream(new GzipCompressorInputStream(b, true), 1 << 16);
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            return new BufferedInputStream(new ZstdCompressorInputStream(b), 1 << 16);
        }
        return b;
    }

    private void readAll(InputStream in, TarGuard guard) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry e;
        int n = 0;
        boolean any = false;
        while ((e = tar.getNextEntry()) != null) {
            any = true;
            String name = guard.check(e);
            if (e.isSymbolicLink()) {
                String target = e.getLinkName();
                String base = name.contains("/") ? name.substring(0, name.lastIndexOf('/') + 1) : "";
                links.put(name, target.startsWith("/") ? guard.normalizeName(target.substring(1))
                        : lexicalJoin(base, target));
            } else if (e.isLink()) {
                links.put(name, guard.normalizeName(e.getLinkName()));
            } else if (e.isFile()) {
                Path f = dir.resolve(Integer.toString(n++));
                MessageDigest md = ChainIds.digest();
                long size;
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(f), md)) {
                    size = tar.transferTo(out);
                }
                files.put(name, new Spooled(name, f, "sha256:" + HexFormat.of().formatHex(md.digest()), size));
            }
        }
        if (!any) {
            throw PouchException.invalidArgument("the image archive is empty or not a tar archive");
        }
    }

    /** {@code base} + relative {@code target} with {@code ..} folded (TarGuard already refused climbing out). */
    private static String lexicalJoin(String base, String target) {
        ArrayDeque<String> parts = new ArrayDeque<>();
        for (String p : (base + target).split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(p);
            }
        }
        return String.join("/", parts);
    }

    /** The regular file behind {@code name} (following the archive's own links), or null. */
    Spooled get(String name) {
        String n = stripDot(name);
        for (int hops = 0; hops < 40; hops++) {
            Spooled s = files.get(n);
            if (s != null) {
                return s;
            }
            String next = links.get(n);
            if (next == null) {
                return null;
            }
            n = next;
        }
        return null;
    }

    Spooled require(String name, String why) {
        Spooled s = get(name);
        if (s == null) {
            throw PouchException.invalidArgument("invalid image archive: " + why + " \"" + name + "\" is missing");
        }
        return s;
    }

    byte[] json(String name, String why) throws IOException {
        Spooled s = require(name, why);
        if (s.size() > MAX_JSON) {
            throw PouchException.invalidArgument("invalid image archive: " + name + " is too large for a JSON document");
        }
        return Files.readAllBytes(s.file());
    }

    boolean has(String name) {
        return get(name) != null;
    }

    private static String stripDot(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        return n.startsWith("/") ? n.substring(1) : n;
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
