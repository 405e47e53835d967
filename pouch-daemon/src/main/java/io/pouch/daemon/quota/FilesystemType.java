package io.pouch.daemon.quota;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** The filesystem a directory lives on, by the magic number statfs(2) reports ({@code f_type}). */
public final class FilesystemType {
    public static final long BTRFS = 0x9123683EL;
    public static final long EXT4 = 0xEF53L; // ext2, ext3 and ext4 share it
    public static final long XFS = 0x58465342L;

    /** {@code struct statfs} on 64-bit Linux is 120 bytes; {@code f_type} is its first word. */
    private static final long STATFS_SIZE = 120;
    private static final MethodHandle STATFS = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("statfs").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    private FilesystemType() {
    }

    /** The magic number of the filesystem holding {@code dir}. */
    public static long magic(Path dir) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(STATFS_SIZE, 8);
            int rc = (int) STATFS.invokeExact(arena.allocateFrom(dir.toString()), buf);
            if (rc != 0) {
                throw new IOException("statfs " + dir + " failed");
            }
            return buf.get(JAVA_LONG, 0) & 0xFFFF_FFFFL;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("statfs " + dir + ": " + t.getMessage(), t);
        }
    }

    /** A readable name of a magic number, for errors. */
    public static String name(long magic) {
        if (magic == BTRFS) {
            return "btrfs";
        }
        if (magic == EXT4) {
            return "ext4";
        }
        if (magic == XFS) {
            return "xfs";
        }
        if (magic == 0x01021994L) {
            return "tmpfs";
        }
        if (magic == 0x794C7630L) {
            return "overlayfs";
        }
        return "filesystem 0x" + Long.toHexString(magic);
    }
}
