package io.pouch.daemon.lxcfs;

import io.pouch.daemon.sys.Syscalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Replaces bind mounts inside a running container's mount namespace with fresh ones of host files, without a helper
 * process. A bind cannot name a source in another mount namespace, so each host file is first cloned into a
 * detached mount ({@code open_tree(OPEN_TREE_CLONE)}) while still in the daemon's namespace; then the thread enters
 * the container's namespace and attaches the clones there ({@code move_mount}) after detaching what was mounted
 * before ({@code umount2(MNT_DETACH)}, which also works on a dead FUSE mount).
 *
 * <p>A mount namespace is entered per thread only after the thread stops sharing its root and working directory
 * with the rest of the JVM ({@code unshare(CLONE_FS)}); the work runs on a platform thread of its own that ends
 * right after, so nothing else ever runs in the container's namespace.
 */
final class NamespaceBinder {
    private static final int CLONE_FS = 0x200;
    private static final int CLONE_NEWNS = 0x20000;
    private static final int AT_FDCWD = -100;
    private static final int OPEN_TREE_CLONE = 1;
    private static final int MOVE_MOUNT_F_EMPTY_PATH = 4;
    private static final int MNT_DETACH = 2;
    private static final int EINVAL = 22;
    private static final int ENOENT = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");
    private static final MethodHandle OPEN_TREE = handle("open_tree",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle MOVE_MOUNT = handle("move_mount",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle UMOUNT2 = handle("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle UNSHARE = handle("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETNS = handle("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private NamespaceBinder() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd, ERRNO_OPT);
    }

    /**
     * Inside the mount namespace of process {@code pid}, each bind's destination is unmounted (lazily) and the
     * bind's host source mounted there instead.
     *
     * @throws IOException naming the step and file that failed; binds before it are already replaced
     */
    static void rebind(long pid, List<LxcfsFiles.FileBind> binds) throws IOException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().name("lxcfs-rebind-" + pid).daemon().start(() -> {
            try {
                rebindOnThisThread(pid, binds);
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while remounting lxcfs files in process " + pid, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("remount lxcfs files in process " + pid + ": " + e.getCause(), e.getCause());
        }
    }

    private static void rebindOnThisThread(long pid, List<LxcfsFiles.FileBind> binds) throws IOException {
        List<Integer> trees = new ArrayList<>();
        int ns = -1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE);
            for (LxcfsFiles.FileBind b : binds) {
                int fd = (int) OPEN_TREE.invokeExact(capture, AT_FDCWD, arena.allocateFrom(b.source().toString()),
                        OPEN_TREE_CLONE | Syscalls.O_CLOEXEC);
                check(fd, capture, "clone " + b.source());
                trees.add(fd);
            }
            ns = Syscalls.open(Path.of("/proc/" + pid + "/ns/mnt"), Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
            check((int) UNSHARE.invokeExact(capture, CLONE_FS), capture, "unshare the thread's root");
            check((int) SETNS.invokeExact(capture, ns, CLONE_NEWNS), capture,
                    "enter the mount namespace of process " + pid);
            for (int i = 0; i < binds.size(); i++) {
                MemorySegment dst = arena.allocateFrom(binds.get(i).destination());
                int rc = (int) UMOUNT2.invokeExact(capture, dst, MNT_DETACH);
                int errno = (int) ERRNO.get(capture, 0L);
                if (rc != 0 && errno != EINVAL && errno != ENOENT) { // EINVAL: nothing mounted there
                    check(rc, capture, "unmount " + binds.get(i).destination());
                }
                int tree = trees.get(i);
                check((int) MOVE_MOUNT.invokeExact(capture, tree, arena.allocateFrom(""), AT_FDCWD, dst,
                        MOVE_MOUNT_F_EMPTY_PATH), capture, "mount " + binds.get(i).source() + " on "
                        + binds.get(i).destination());
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("remount lxcfs files in process " + pid + ": " + t, t);
        } finally {
            trees.forEach(Syscalls::close);
            Syscalls.close(ns);
        }
    }

    private static void check(int rc, MemorySegment capture, String what) throws IOException {
        if (rc < 0) {
            throw new IOException(what + ": " + Syscalls.strerror((int) ERRNO.get(capture, 0L)));
        }
    }
}
