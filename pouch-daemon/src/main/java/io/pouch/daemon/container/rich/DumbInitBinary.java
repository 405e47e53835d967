package io.pouch.daemon.container.rich;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's dumb-init made runnable inside any image. Debian builds it dynamically linked against glibc, which
 * an image may lack (busybox) or carry in another version. So a private copy is made: the binary with its
 * program interpreter and its libc entry rewritten in place to absolute paths under {@link RichSpec#POUCH_DIR},
 * next to copies of the host's loader and libc. The directory is read-only in the container and nothing else in
 * the image is touched; the user's command, exec'd by dumb-init, loads the image's own libraries as usual.
 * A static dumb-init is copied as it is.
 */
public final class DumbInitBinary {
    static final String NAME = "dumb-init";
    static final Path HOST_BINARY = Path.of("/usr/bin/dumb-init");
    /** Names inside {@link RichSpec#POUCH_DIR}: no longer than what they replace in the binary's strings. */
    static final String LOADER = "ld.so";
    static final String LIBC = "c";
    private static final String LIBC_SONAME = "libc.so.6";
    private static final List<Path> LIBC_DIRS = List.of(Path.of("/lib/x86_64-linux-gnu"),
            Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"),
            Path.of("/usr/lib"));

    private DumbInitBinary() {
    }

    /**
     * The directory to mount at {@link RichSpec#POUCH_DIR}, made under {@code cache} once per version of the host's
     * dumb-init (named by its size and time); a 400 when the host has no dumb-init.
     */
    public static synchronized Path prepare(Path cache) {
        if (!Files.isExecutable(HOST_BINARY)) {
            throw PouchException.invalidArgument("RichMode dumb-init needs dumb-init on the host, and "
                    + HOST_BINARY + " is missing: install it (apt-get install dumb-init) or choose another RichMode");
        }
        try {
            Path dir = cache.resolve(NAME + "-" + Files.size(HOST_BINARY) + "-"
                    + Files.getLastModifiedTime(HOST_BINARY).toMillis());
            if (Files.isExecutable(dir.resolve(NAME))) {
                return dir;
            }
            Files.createDirectories(cache);
            Path tmp = Files.createTempDirectory(cache, ".tmp-");
            try {
                build(Files.readAllBytes(HOST_BINARY), tmp);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                deleteQuietly(tmp);
                if (Files.isExecutable(dir.resolve(NAME))) {
                    return dir;
                }
                throw e;
            }
            return dir;
        } catch (IOException e) {
            throw PouchException.internal("cannot prepare dumb-init for the container: " + e.getMessage(), e);
        }
    }

    private static void build(byte[] elf, Path dir) throws IOException {
        String interp = ElfPatch.interpreter(elf);
        if (interp != null) {
            List<String> needed = ElfPatch.needed(elf);
            if (!needed.equals(List.of(LIBC_SONAME))) {
                throw PouchException.invalidArgument("the host's " + HOST_BINARY + " needs " + needed
                        + ", more than libc: use a static dumb-init or one linked with glibc alone");
            }
            ElfPatch.setInterpreter(elf, RichSpec.POUCH_DIR + "/" + LOADER);
            ElfPatch.renameNeeded(elf, LIBC_SONAME, RichSpec.POUCH_DIR + "/" + LIBC);
            copyExecutable(Path.of(interp), dir.resolve(LOADER));
            copyExecutable(libc(), dir.resolve(LIBC));
        }
        Path out = dir.resolve(NAME);
        Files.write(out, elf);
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("r-xr-xr-x"));
    }

    private static Path libc() {
        for (Path d : LIBC_DIRS) {
            Path p = d.resolve(LIBC_SONAME);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw PouchException.invalidArgument("the host's " + HOST_BINARY + " needs " + LIBC_SONAME
                + ", which is in none of " + LIBC_DIRS);
    }

    private static void copyExecutable(Path from, Path to) throws IOException {
        Files.copy(from, to); // follows the symlinks: the file itself goes into the container
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("r-xr-xr-x"));
    }

    private static void deleteQuietly(Path dir) {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a leftover .tmp- directory only costs space
        }
    }

    /**
     * The two in-place edits of a 64-bit little-endian ELF executable: its program interpreter (PT_INTERP) and the
     * name of a DT_NEEDED library in its dynamic string table. A new string must fit in the old one's bytes.
     */
    static final class ElfPatch {
        private static final int PT_LOAD = 1;
        private static final int PT_DYNAMIC = 2;
        private static final int PT_INTERP = 3;
        private static final long DT_NEEDED = 1;
        private static final long DT_STRTAB = 5;

        private ElfPatch() {
        }

        record Segment(int type, long offset, long vaddr, long fileSize) {
        }

        static List<Segment> segments(byte[] elf) {
            ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
            if (elf.length < 64 || b.getInt(0) != 0x464c457f || elf[4] != 2 || elf[5] != 1) {
                throw PouchException.invalidArgument("the host's " + HOST_BINARY
                        + " is not a 64-bit little-endian ELF executable");
            }
            long phoff = b.getLong(0x20);
            int phentsize = Short.toUnsignedInt(b.getShort(0x36));
            int phnum = Short.toUnsignedInt(b.getShort(0x38));
            List<Segment> out = new ArrayList<>();
            for (int i = 0; i < phnum; i++) {
                int o = Math.toIntExact(phoff + (long) i * phentsize);
                out.add(new Segment(b.getInt(o), b.getLong(o + 8), b.getLong(o + 16), b.getLong(o + 32)));
            }
            return out;
        }

        /** The interpreter's path, or null for a static executable. */
        static String interpreter(byte[] elf) {
            for (Segment s : segments(elf)) {
                if (s.type() == PT_INTERP) {
                    return cString(elf, Math.toIntExact(s.offset()));
                }
            }
            return null;
        }

        static void setInterpreter(byte[] elf, String path) {
            for (Segment s : segments(elf)) {
                if (s.type() == PT_INTERP) {
                    put(elf, Math.toIntExact(s.offset()), Math.toIntExact(s.fileSize()) - 1, path);
                    return;
                }
            }
            throw PouchException.invalidArgument("the host's " + HOST_BINARY + " has no program interpreter");
        }

        static List<String> needed(byte[] elf) {
            List<String> out = new ArrayList<>();
            for (int at : neededOffsets(elf)) {
                out.add(cString(elf, at));
            }
            return out;
        }

        static void renameNeeded(byte[] elf, String from, String to) {
            for (int at : neededOffsets(elf)) {
                if (cString(elf, at).equals(from)) {
                    put(elf, at, from.length(), to);
                }
            }
        }

        /** File offsets of the DT_NEEDED names. */
        private static List<Integer> neededOffsets(byte[] elf) {
            List<Segment> segs = segments(elf);
            ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
            List<Long> names = new ArrayList<>();
            long strtab = -1;
            for (Segment s : segs) {
                if (s.type() != PT_DYNAMIC) {
                    continue;
                }
                for (long o = s.offset(); o + 16 <= s.offset() + s.fileSize(); o += 16) {
                    long tag = b.getLong(Math.toIntExact(o));
                    long val = b.getLong(Math.toIntExact(o + 8));
                    if (tag == 0) {
                        break;
                    }
                    if (tag == DT_NEEDED) {
                        names.add(val);
                    } else if (tag == DT_STRTAB) {
                        strtab = val;
                    }
                }
            }
            List<Integer> out = new ArrayList<>();
            if (names.isEmpty()) {
                return out;
            }
            long strtabOffset = fileOffset(segs, strtab);
            for (long n : names) {
                out.add(Math.toIntExact(strtabOffset + n));
            }
            return out;
        }

        private static long fileOffset(List<Segment> segs, long vaddr) {
            for (Segment s : segs) {
                if (s.type() == PT_LOAD && vaddr >= s.vaddr() && vaddr < s.vaddr() + s.fileSize()) {
                    return vaddr - s.vaddr() + s.offset();
                }
            }
            throw PouchException.invalidArgument("the host's " + HOST_BINARY + " has no loaded string table");
        }

        private static String cString(byte[] elf, int at) {
            int end = at;
            while (end < elf.length && elf[end] != 0) {
                end++;
            }
            return new String(elf, at, end - at, StandardCharsets.ISO_8859_1);
        }

        /** Writes {@code s} and NULs over {@code room} bytes at {@code at}; the byte after them stays a NUL. */
        private static void put(byte[] elf, int at, int room, String s) {
            byte[] v = s.getBytes(StandardCharsets.ISO_8859_1);
            if (v.length > room) {
                throw new IllegalArgumentException(s + " is longer than the " + room + " bytes it replaces");
            }
            System.arraycopy(v, 0, elf, at, v.length);
            for (int i = v.length; i < room; i++) {
                elf[at + i] = 0;
            }
        }
    }
}
