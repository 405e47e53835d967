package io.pouch.daemon.volume;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Reads the overlay "opaque directory" marker, which lives in the {@code trusted.} xattr namespace that
 * {@code UserDefinedFileAttributeView} cannot reach, and lists a file's other attributes: lgetxattr(2) and
 * llistxattr(2) through the FFM API.
 */
public final class Xattrs {
    private static final MethodHandle LGETXATTR;
    private static final MethodHandle LLISTXATTR;

    static {
        MethodHandle get;
        MethodHandle list;
        try {
            Linker linker = Linker.nativeLinker();
            get = linker.downcallHandle(linker.defaultLookup().find("lgetxattr").orElseThrow(),
                    FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
            list = linker.downcallHandle(linker.defaultLookup().find("llistxattr").orElseThrow(),
                    FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
        } catch (RuntimeException | Error e) {
            get = null; // no native access: every directory reads as not opaque
            list = null;
        }
        LGETXATTR = get;
        LLISTXATTR = list;
    }

    private Xattrs() {
    }

    /** True when overlayfs treats {@code dir} as opaque (a {@code .wh..wh..opq} of the image layer). */
    public static boolean opaque(Path dir) {
        return "y".equals(get(dir, "trusted.overlay.opaque")) || "y".equals(get(dir, "user.overlay.opaque"));
    }

    /**
     * The names of {@code p}'s extended attributes (not following a symlink) other than overlayfs's own
     * ({@code trusted.overlay.*}, {@code user.overlay.*}): a file capability or an ACL, say. Empty when it has none
     * or they cannot be read.
     */
    public static List<String> others(Path p) {
        if (LLISTXATTR == null) {
            return List.of();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(p.toString());
            long n = (long) LLISTXATTR.invokeExact(path, MemorySegment.NULL, 0L);
            if (n <= 0) {
                return List.of();
            }
            MemorySegment buf = arena.allocate(n + 1);
            n = (long) LLISTXATTR.invokeExact(path, buf, n + 1);
            if (n <= 0) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (String name : new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8).split("\0")) {
                if (!name.isEmpty() && !name.startsWith("trusted.overlay.") && !name.startsWith("user.overlay.")) {
                    out.add(name);
                }
            }
            return out;
        } catch (Throwable e) {
            return List.of();
        }
    }

    static String get(Path p, String name) {
        if (LGETXATTR == null) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(16);
            long n = (long) LGETXATTR.invokeExact(arena.allocateFrom(p.toString()), arena.allocateFrom(name), buf,
                    16L);
            if (n <= 0) {
                return null;
            }
            byte[] b = buf.asSlice(0, n).toArray(JAVA_BYTE);
            return new String(b, StandardCharsets.UTF_8);
        } catch (Throwable e) {
            return null;
        }
    }
}
