package io.pouch.daemon.volume;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Reads the overlay "opaque directory" marker, which lives in the {@code trusted.} xattr namespace that
 * {@code UserDefinedFileAttributeView} cannot reach: lgetxattr(2) through the FFM API.
 */
public final class Xattrs {
    private static final MethodHandle LGETXATTR;

    static {
        MethodHandle h;
        try {
            Linker linker = Linker.nativeLinker();
            h = linker.downcallHandle(linker.defaultLookup().find("lgetxattr").orElseThrow(),
                    FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        } catch (RuntimeException | Error e) {
            h = null; // no native access: every directory reads as not opaque
        }
        LGETXATTR = h;
    }

    private Xattrs() {
    }

    /** True when overlayfs treats {@code dir} as opaque (a {@code .wh..wh..opq} of the image layer). */
    public static boolean opaque(Path dir) {
        return "y".equals(get(dir, "trusted.overlay.opaque")) || "y".equals(get(dir, "user.overlay.opaque"));
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
