package io.pouch.daemon.container.files;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.containerd.Mount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The root directory of a container's filesystem on the host, for copying files in and out. A running container:
 * {@code /proc/<pid>/root} (what its processes see, volumes included). A stopped one: its rootfs snapshot mounted
 * on a private temporary directory, unmounted at {@link #close()}.
 */
public final class ContainerRoot implements AutoCloseable {
    private final Path root;
    private final boolean mounted;

    private ContainerRoot(Path root, boolean mounted) {
        this.root = root;
        this.mounted = mounted;
    }

    public Path path() {
        return root;
    }

    /** Kernel filesystems a running container has mounted: their contents are not the container's files. */
    private static final Set<String> KERNEL_FS = Set.of("proc", "sysfs", "cgroup", "cgroup2",
            "devpts", "mqueue");

    /**
     * The directories under {@link #path()} whose contents an archive leaves out, as dockerd's (which reads the
     * container's rootfs, where they are empty): the container's /proc, /sys, /dev and the other kernel
     * filesystems mounted in its namespace. Reading them would archive the kernel's view (and /proc's files fail
     * half-way through); volumes and tmpfs mounts stay in. Empty for a stopped container's snapshot.
     */
    public Set<Path> kernelMounts() {
        if (mounted || !root.startsWith("/proc")) {
            return Set.of();
        }
        Set<Path> out = new HashSet<>();
        try {
            for (String line : Files.readAllLines(root.getParent().getParent().resolve("mountinfo"))) {
                String[] f = line.split(" ");
                int dash = line.indexOf(" - ");
                if (f.length < 5 || dash < 0) {
                    continue;
                }
                String fstype = line.substring(dash + 3).split(" ")[0];
                String where = f[4].replace("\\040", " ");
                if (KERNEL_FS.contains(fstype) || where.equals("/dev") || where.startsWith("/dev/")) {
                    out.add(root.resolve(where.substring(1))); // the form an archive walk from root produces
                }
            }
        } catch (IOException e) {
            // the process is gone: nothing of it to leave out
        }
        return out;
    }

    public static ContainerRoot open(CopyContainers containers, String ref, Path scratch) {
        ContainerManager.ProcessView c = containers.processView(ref);
        if (c.running() && c.pid() > 0 && Files.isDirectory(Path.of("/proc", Integer.toString(c.pid()), "root"))) {
            // "root/." rather than "root": /proc/<pid>/root is a (magic) symlink, and checks made without following
            // links (which every path inside the container gets) must see the container's / as the directory it is
            return new ContainerRoot(Path.of("/proc", Integer.toString(c.pid()), "root", "."), false);
        }
        return mountAll(c.id(), containers.rootfsMounts(c.id()).mounts(), scratch);
    }

    /**
     * The rootfs snapshot alone (no volumes, no /proc), mounted read-only even while the container runs: the upper
     * dir becomes the top lower layer, so the running container's own overlay mount is not disturbed.
     */
    public static ContainerRoot openReadOnly(CopyContainers containers, String ref, Path scratch) {
        ContainerManager.ProcessView c = containers.processView(ref);
        return mountAll(c.id(), containers.rootfsMounts(c.id()).readOnlyView(), scratch);
    }

    private static ContainerRoot mountAll(String id, List<Mount> mounts, Path scratch) {
        try {
            Files.createDirectories(scratch);
            Path dir = Files.createTempDirectory(scratch, id.substring(0, 12) + "-");
            try {
                for (Mount m : mounts) {
                    mount(m, dir);
                }
            } catch (RuntimeException e) {
                Files.deleteIfExists(dir);
                throw e;
            }
            return new ContainerRoot(dir, true);
        } catch (IOException e) {
            throw PouchException.internal("cannot mount the rootfs of " + id + ": " + e.getMessage(), e);
        }
    }

    private static void mount(Mount m, Path target) {
        List<String> cmd = new ArrayList<>(List.of("mount"));
        if (!m.type().equals("bind")) {
            cmd.addAll(List.of("-t", m.type()));
        }
        if (!m.options().isEmpty()) {
            cmd.addAll(List.of("-o", String.join(",", m.options())));
        }
        cmd.add(m.source());
        cmd.add(target.toString());
        run(cmd);
    }

    private static void run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw PouchException.internal(String.join(" ", cmd.subList(0, 1)) + " failed: " + out.trim(), null);
            }
        } catch (IOException e) {
            throw PouchException.internal(cmd.get(0) + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PouchException.internal(cmd.get(0) + " interrupted", e);
        }
    }

    @Override
    public void close() {
        if (mounted) {
            run(List.of("umount", root.toString()));
            try {
                Files.deleteIfExists(root);
            } catch (IOException ignored) {
                // an empty directory under the exec root; harmless
            }
        }
    }
}
