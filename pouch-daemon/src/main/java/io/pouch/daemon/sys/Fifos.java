package io.pouch.daemon.sys;


import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Named pipes. {@code mkfifo(3)} is called through the FFM API (Java has no way to make a FIFO, and shelling out
 * to {@code mkfifo} per container start costs a process).
 *
 * <p>Opening a FIFO blocks until the other side appears (O_RDONLY waits for a writer, O_WRONLY for a reader),
 * and in this JDK neither that open nor a FIFO read is "compensated" for virtual threads (FileChannelImpl only
 * calls Blocker.begin for O_DIRECT): a virtual thread blocked on a FIFO pins its carrier. Everything that blocks
 * on a FIFO therefore runs on a (small-stack) platform thread, see {@link #thread}.
 */
public final class Fifos {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MKFIFO = LINKER.downcallHandle(
            LINKER.defaultLookup().find("mkfifo").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final int EEXIST = 17;
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    private Fifos() {
    }

    /**
     * Creates a FIFO at {@code path} with {@code mode} (e.g. 0600). A stale FIFO left at that path (a pouchd that
     * died before cleaning up) is replaced; any other existing file is an error.
     *
     * @throws IOException with the libc error text
     */
    public static void mkfifo(Path path, int mode) throws IOException {
        int errno = call(path, mode);
        if (errno == EEXIST && isFifo(path)) {
            Files.delete(path);
            errno = call(path, mode);
        }
        PathSyscalls.check("mkfifo", path, errno);
    }

    private static int call(Path path, int mode) {
        return PathSyscalls.errno("mkfifo", path, (capture, cpath, arena) -> (int) MKFIFO.invokeExact(capture, cpath, mode));
    }


    /** True when {@code path} exists and is a FIFO (not following a symlink). */
    public static boolean isFifo(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFIFO;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Opens {@code path} O_RDWR, which never blocks on Linux. Holding such a handle makes a pending open of either
     * side return at once: it is how {@code close()} wakes a copier whose peer never showed up, and how a reader
     * attaches to a FIFO whose writer may be gone already (live restore) without waiting forever.
     * Returns null when the FIFO no longer exists.
     */
    public static FileChannel openKeeper(Path path) {
        try {
            return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    public static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing on a teardown path: nothing useful to do with the error
            }
        }
    }

    /** A platform thread for FIFO work (see class doc), daemon, with a small stack: it only copies bytes. */
    public static Thread thread(String name, Runnable body) {
        return Thread.ofPlatform().daemon().name(name).stackSize(256 * 1024).start(body);
    }
}
