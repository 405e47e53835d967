package io.pouch.daemon.image;

import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.containerd.Content;
import io.pouch.daemon.containerd.Descriptor;
import io.pouch.daemon.containerd.Diff;
import io.pouch.daemon.containerd.Leases;
import io.pouch.daemon.containerd.PrivateContainerd;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.sys.PathSyscalls;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * pouchd's own unpacking of a pulled layer ({@link LayerUnpacker}) against containerd's diff service Apply: the same
 * two layers (whiteouts, an opaque directory, replacements both ways, hard and symbolic links, a FIFO, a device,
 * set-id bits, owners, an extended attribute, nanosecond times, implicit parents, and a write through an absolute
 * symlink) unpacked both ways into overlayfs snapshots of a private containerd must leave the same files, byte for
 * byte and attribute for attribute, and report the same diff ids. Needs root and containerd.
 */
@Tag("integration")
class LayerUnpackerIntegrationTest {
    private static Path CTD;
    private static final FileTime OLD = FileTime.from(Instant.parse("2001-02-03T04:05:06.123456789Z"));
    private static PrivateContainerd privateCtd;
    private static Containerd ctd;

    @BeforeAll
    static void startContainerd() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/containerd")), "needs containerd");
        privateCtd = PrivateContainerd.startFresh("unpack-ctd-", "unpack-test");
        CTD = privateCtd.dir();
        ctd = privateCtd.client();
        assumeTrue(privateCtd.up(), "private containerd did not come up");
    }

    /** The containerd side of unpacking, as the image package uses it. */
    private record Backend(Content content, LayerSnapshots layers, ImageLeases leases) {
        static Backend of(Containerd ctd) {
            Leases leases = new Leases(ctd);
            return new Backend(new Content(ctd, Optional.empty()),
                    new LayerSnapshots(new Snapshots(ctd), leases, new Diff(ctd)), new ImageLeases(leases));
        }
    }

    @AfterAll
    static void stopContainerd() throws Exception {
        if (privateCtd != null) {
            privateCtd.close();
        }
    }

    @Test
    void unpacksAsContainerdApplyDoes() throws Exception {
        String evil = "pouch-unpack-escape-" + UUID.randomUUID();
        Path victim = Files.createTempFile("pouch-unpack-victim", "");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        byte[] lower = gzip(tar(t -> {
            dir(t, "etc", 0755, 0, 0);
            // one PAX header per entry: Go's reader keeps only the last of two, commons-compress merges them
            pax(t, "etc/nanos", "mtime", "981173106.123456789".getBytes(StandardCharsets.US_ASCII));
            file(t, "etc/nanos", "", 0644, 0, 0, Map.of());
            file(t, "etc/conf", "setting=1\n", 0640, 1000, 1001, Map.of("SCHILY.xattr.user.test", "hello"));
            dir(t, "bin", 0755, 0, 0);
            file(t, "bin/tool", "#!/bin/sh\necho tool\n", 04755, 0, 0, Map.of());
            link(t, "bin/tool2", "bin/tool", TarArchiveEntry.LF_LINK, 04755); // a hard link's entry has its mode
            link(t, "bin/sh", "/bin/tool", TarArchiveEntry.LF_SYMLINK, 0777);
            link(t, "abs", "/etc", TarArchiveEntry.LF_SYMLINK, 0777);
            special(t, "run/fifo", TarArchiveEntry.LF_FIFO, 0620, 0, 0);
            special(t, "dev/null2", TarArchiveEntry.LF_CHR, 0666, 1, 3);
            dir(t, "opaque", 0750, 0, 0);
            file(t, "opaque/old", "old\n", 0644, 0, 0, Map.of());
            dir(t, "gone", 0755, 0, 0);
            file(t, "gone/file", "x", 0644, 0, 0, Map.of());
            file(t, "replaced", "a file first\n", 0644, 0, 0, Map.of());
            dir(t, "dir2file", 0711, 0, 0);
            file(t, "dir2file/child", "c", 0644, 0, 0, Map.of());
            file(t, "deep/a/b/file", "implicit parents\n", 0600, 5, 5, Map.of());
            // an absolute symlink then a write through it: lands in the rootfs, never on the host
            link(t, "esc", "/", TarArchiveEntry.LF_SYMLINK, 0777);
            file(t, "esc/" + evil, "inside\n", 0644, 0, 0, Map.of());
            // a hard link to a symlink out of the rootfs: its mode must not reach the file the symlink names
            link(t, "victim", victim.toString(), TarArchiveEntry.LF_SYMLINK, 0777);
            link(t, "victim2", "victim", TarArchiveEntry.LF_LINK, 0777);
        }));
        byte[] upper = tar(t -> {
            file(t, ".wh.gone", "", 0644, 0, 0, Map.of());
            dir(t, "opaque", 0700, 2, 2);
            file(t, "opaque/.wh..wh..opq", "", 0644, 0, 0, Map.of());
            file(t, "opaque/new", "new\n", 0644, 0, 0, Map.of());
            dir(t, "replaced", 0755, 0, 0);
            file(t, "replaced/inner", "now a directory\n", 0644, 0, 0, Map.of());
            file(t, "dir2file", "now a file\n", 0644, 0, 0, Map.of());
            file(t, "etc/new", "implicit etc from below\n", 0644, 0, 0, Map.of());
            file(t, "abs/through", "abs shadows the lower symlink\n", 0644, 0, 0, Map.of());
            file(t, "bin/sh", "#!/bin/tool\n", 0755, 0, 0, Map.of());
            file(t, "bin/.wh.tool2", "", 0644, 0, 0, Map.of());
        });
        Backend b = Backend.of(ctd);
        String lease = b.leases().create("unpack-test");
        try {
            List<Path> theirs = unpackWithContainerd(b, lease, "ref-" + UUID.randomUUID(), lower, upper);
            List<Path> ours = unpackHere(b, lease, "ours-" + UUID.randomUUID(), lower, upper);
            for (int i = 0; i < 2; i++) {
                Map<String, String> expected = listing(theirs.get(i));
                assertEquals(expected, listing(ours.get(i)), "layer " + i);
            }
            assertTrue(listing(ours.get(0)).get("etc/nanos").contains("mtime=2001-02-03T04:05:06.123456789Z"),
                    listing(ours.get(0)).get("etc/nanos"));
            Map<String, String> top = listing(ours.get(1));
            assertTrue(top.get("gone").startsWith("c 0 0/0"), "a whiteout is a 0:0 character device: " + top.get("gone"));
            assertTrue(top.get("opaque").contains("opaque=y"), top.get("opaque"));
            assertTrue(listing(ours.get(0)).containsKey(evil), "written inside the rootfs");
            assertFalse(Files.exists(Path.of("/" + evil)), "never on the host");
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(victim)), "the host file a layer's symlink names is left alone");
        } finally {
            b.leases().delete(lease, true);
            Files.deleteIfExists(victim);
        }
    }

    @Test
    void aBinaryAttributeIsLeftToContainerd() throws Exception {
        // commons-compress decodes PAX values as UTF-8: a binary attribute value (here 0xff 0xfe) would be unpacked
        // wrong
        leftToContainerd(tar(t -> {
            pax(t, "f", "SCHILY.xattr.user.bin", new byte[]{(byte) 0xff, (byte) 0xfe});
            file(t, "f", "x", 0644, 0, 0, Map.of());
        }));
    }

    @Test
    void aNameThatIsNotUtf8IsLeftToContainerd() throws Exception {
        // the name's bytes are "f\xff": Go keeps them, commons-compress reads them as UTF-8
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes, "ISO-8859-1")) {
            file(t, "f\u00ff", "x", 0644, 0, 0, Map.of());
        }
        leftToContainerd(bytes.toByteArray());
    }

    private static void leftToContainerd(byte[] layer) throws Exception {
        Backend b = Backend.of(ctd);
        String lease = b.leases().create("unpack-test");
        try {
            UnpackTarget target = b.layers().prepare(lease, "unsupported-" + UUID.randomUUID(), "");
            UnpackHandoff handoff = new UnpackHandoff();
            assertTrue(handoff.offer(target));
            LayerCheck.Result r = LayerCheck.check(new ByteArrayInputStream(layer), "layer", true, handoff);
            assertEquals(sha256(layer), r.diffId(), "the check itself is not affected");
            assertNull(handoff.unpacked());
            assertTrue(handoff.touched(), "the snapshot was handed over: the caller prepares a fresh one");
            assertNotNull(handoff.failure());
            b.layers().abandon(target);
        } finally {
            b.leases().delete(lease, true);
        }
    }

    /** The reference: blobs stored and applied by containerd's diff service. Returns each snapshot's directory. */
    private static List<Path> unpackWithContainerd(Backend b, String lease, String prefix, byte[]... layers)
            throws IOException {
        List<Path> dirs = new ArrayList<>();
        String parent = "";
        for (int i = 0; i < layers.length; i++) {
            byte[] blob = layers[i];
            String digest = sha256(blob);
            b.content().write(lease, digest, blob.length, () -> new ByteArrayInputStream(blob), Map.of());
            UnpackTarget target = b.layers().prepare(lease, prefix + "-" + i, parent);
            dirs.add(LayerUnpacker.Target.of(target.mounts()).orElseThrow().root());
            String mediaType = gzipped(blob) ? ArchiveLoader.DOCKER_LAYER_GZIP : ArchiveLoader.DOCKER_LAYER;
            b.layers().apply(lease, target, new Descriptor(mediaType, digest, blob.length), diffId(blob));
            parent = prefix + "-" + i;
        }
        return dirs;
    }

    /** pouchd's way: the entry check unpacks into the snapshot it is handed, then the snapshot is committed. */
    private static List<Path> unpackHere(Backend b, String lease, String prefix, byte[]... layers)
            throws Exception {
        List<Path> dirs = new ArrayList<>();
        String parent = "";
        for (int i = 0; i < layers.length; i++) {
            UnpackTarget target = b.layers().prepare(lease, prefix + "-" + i, parent);
            dirs.add(LayerUnpacker.Target.of(target.mounts()).orElseThrow().root());
            UnpackHandoff handoff = new UnpackHandoff();
            assertTrue(handoff.offer(target));
            LayerCheck.check(new ByteArrayInputStream(layers[i]), "layer " + i, true, handoff);
            String unpacked = handoff.unpacked();
            assertEquals(diffId(layers[i]), unpacked, "layer " + i + " unpacked whole (" + handoff.failure() + ")");
            b.layers().commitUnpacked(lease, target, sha256(layers[i]), unpacked, diffId(layers[i]));
            parent = prefix + "-" + i;
        }
        return dirs;
    }

    /** Every path under {@code root} with what a container would see of it; times only when set from the layer. */
    private static Map<String, String> listing(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        long recent = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted().toList()) {
                if (p.equals(root)) {
                    continue;
                }
                Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                FileTime mtime = (FileTime) a.get("lastModifiedTime");
                String type = Files.isSymbolicLink(p) ? "l" : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "d"
                        : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? "f" : (mode & 0170000) == 0020000 ? "c" : "o";
                long rdev = (Long) a.get("rdev");
                StringBuilder s = new StringBuilder(type).append(' ').append(PathSyscalls.major(rdev)).append(' ')
                        .append(PathSyscalls.minor(rdev)).append('/').append(Integer.toOctalString(mode & 07777))
                        .append(' ').append(a.get("uid")).append(':').append(a.get("gid"));
                s.append(" mtime=").append(mtime.toMillis() > recent ? "fresh" : mtime.toInstant().toString());
                switch (type) {
                    case "f" -> s.append(" sha=").append(sha256(Files.readAllBytes(p))).append(" links=").append(a.get("nlink"));
                    case "l" -> s.append(" -> ").append(Files.readSymbolicLink(p));
                    default -> { }
                }
                for (String x : List.of("user.test", "trusted.overlay.opaque")) {
                    String v = getxattr(p, x);
                    if (v != null) {
                        s.append(' ').append(x.substring(x.lastIndexOf('.') + 1)).append('=').append(v);
                    }
                }
                out.put(root.relativize(p).toString(), s.toString());
            }
        }
        return out;
    }

    private static final MethodHandle LGETXATTR = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("lgetxattr").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));

    private static String getxattr(Path p, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            long n = (long) LGETXATTR.invokeExact(arena.allocateFrom(p.toString()), arena.allocateFrom(name), buf, 256L);
            return n < 0 ? null : new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    // ---- layer fixtures

    private interface TarBody {
        void write(TarArchiveOutputStream t) throws IOException;
    }

    private static byte[] tar(TarBody body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            t.setAddPaxHeadersForNonAsciiNames(true);
            body.write(t);
        }
        return bytes.toByteArray();
    }

    private static void entry(TarArchiveOutputStream t, TarArchiveEntry e, int mode, int uid, int gid, byte[] content,
                              Consumer<TarArchiveEntry> more) throws IOException {
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setLastModifiedTime(OLD);
        more.accept(e);
        e.setSize(content.length);
        t.putArchiveEntry(e);
        t.write(content);
        t.closeArchiveEntry();
    }

    /**
     * A PAX extended header for the next entry with one record, its value as raw bytes (as Go's archive/tar writes
     * it; commons-compress's writer neither writes sub-second times nor takes bytes).
     */
    private static void pax(TarArchiveOutputStream t, String name, String key, byte[] value) throws IOException {
        byte[] body = (" " + key + "=").getBytes(StandardCharsets.UTF_8);
        int len = body.length + value.length + 1;
        len += String.valueOf(len).length();
        len = body.length + value.length + 1 + String.valueOf(len).length(); // the length counts its own digits
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.writeBytes(String.valueOf(len).getBytes(StandardCharsets.US_ASCII));
        record.writeBytes(body);
        record.writeBytes(value);
        record.write('\n');
        entry(t, new TarArchiveEntry("PaxHeaders/" + name, TarArchiveEntry.LF_PAX_EXTENDED_HEADER_LC), 0644, 0, 0,
                record.toByteArray(), e -> { });
    }

    private static void dir(TarArchiveOutputStream t, String name, int mode, int uid, int gid) throws IOException {
        entry(t, new TarArchiveEntry(name + "/"), mode, uid, gid, new byte[0], e -> { });
    }

    private static void file(TarArchiveOutputStream t, String name, String content, int mode, int uid, int gid,
                             Map<String, String> pax) throws IOException {
        entry(t, new TarArchiveEntry(name), mode, uid, gid, content.getBytes(StandardCharsets.ISO_8859_1),
                e -> pax.forEach(e::addPaxHeader));
    }

    private static void link(TarArchiveOutputStream t, String name, String target, byte type, int mode)
            throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setLinkName(target);
        entry(t, e, mode, 0, 0, new byte[0], x -> { });
    }

    private static void special(TarArchiveOutputStream t, String name, byte type, int mode, int major, int minor)
            throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        entry(t, e, mode, 0, 0, new byte[0], x -> { });
    }

    private static byte[] gzip(byte[] tar) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(tar);
        }
        return out.toByteArray();
    }

    private static boolean gzipped(byte[] b) {
        return b.length > 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
    }

    private static String diffId(byte[] blob) throws IOException {
        if (!gzipped(blob)) {
            return sha256(blob);
        }
        try (var in = new GZIPInputStream(new ByteArrayInputStream(blob))) {
            return sha256(in.readAllBytes());
        }
    }

    private static String sha256(byte[] b) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
