package io.pouch.daemon.container.devices;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The host's device nodes as {@code --device} and the block IO limits name them: read with stat (type, device
 * numbers, mode, owner), a directory standing for every device under it, as dockerd does.
 */
public final class HostDevices {
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFIFO = 0010000;
    private static final Set<String> NOT_FOR_PRIVILEGED = Set.of("/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/.lxc",
            "/dev/.udev", "/dev/fd");

    /** A host device mapped into a container: the node to create and the cgroup rule that lets it be used. */
    public record Mapped(DeviceNode node, DeviceRule rule) {
    }

    private HostDevices() {
    }

    /**
     * The nodes and rules for one {@code Devices} entry. A directory maps every device below it (non-devices are
     * skipped), each at the same relative place under the container path.
     */
    public static List<Mapped> map(HostConfig.DeviceMapping d) {
        if (d == null || d.pathOnHost() == null || d.pathOnHost().isEmpty()) {
            throw PouchException.invalidArgument("invalid device mapping: PathOnHost is required");
        }
        String src = d.pathOnHost();
        String dst = d.pathInContainer() == null || d.pathInContainer().isEmpty() ? src : d.pathInContainer();
        String access = d.cgroupPermissions() == null || d.cgroupPermissions().isEmpty() ? "rwm"
                : d.cgroupPermissions();
        if (!DeviceRule.validAccess(access)) {
            throw PouchException.invalidArgument("bad mode specified: " + access);
        }
        if (!dst.startsWith("/")) {
            throw PouchException.invalidArgument("bad format for path: " + dst);
        }
        Path host = Path.of(src);
        List<Mapped> out = new ArrayList<>();
        try {
            Path real = host.toRealPath(); // dockerd follows a symlink given as the device
            if (Files.isDirectory(real)) {
                try (Stream<Path> all = Files.walk(real)) {
                    for (Path p : (Iterable<Path>) all::iterator) {
                        DeviceNode n = Files.isSymbolicLink(p) ? null : stat(p);
                        if (n != null) {
                            String rel = real.relativize(p).toString();
                            DeviceNode at = n.at(dst.endsWith("/") ? dst + rel : dst + "/" + rel);
                            out.add(new Mapped(at, at.rule(access)));
                        }
                    }
                }
                return out;
            }
            DeviceNode n = stat(real);
            if (n == null) {
                throw gathering(src, "not a device node");
            }
            out.add(new Mapped(n.at(dst), n.rule(access)));
            return out;
        } catch (NoSuchFileException e) {
            throw gathering(src, "no such file or directory");
        } catch (IOException e) {
            throw gathering(src, e.getMessage());
        }
    }

    /**
     * Every character and block device under the host's /dev but the pseudo-terminals, shm, mqueue and the
     * console (the container's own terminal): what a privileged container gets, as containerd's HostDevices
     * that dockerd uses gives them.
     */
    public static List<DeviceNode> all() {
        List<DeviceNode> out = new ArrayList<>();
        try {
            Files.walkFileTree(Path.of("/dev"), new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return NOT_FOR_PRIVILEGED.contains(dir.toString()) ? FileVisitResult.SKIP_SUBTREE
                            : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isOther() && !file.toString().equals("/dev/console")) {
                        try {
                            DeviceNode n = stat(file);
                            if (n != null && !"p".equals(n.type())) {
                                out.add(n);
                            }
                        } catch (IOException | RuntimeException e) {
                            // vanished meanwhile or unreadable: not a device the container can have
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // no /dev: nothing to add
        }
        return List.copyOf(out);
    }

    /** The device node at {@code p} (not following a final symlink), or null when it is not a device. */
    public static DeviceNode stat(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,rdev,uid,gid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        String type = switch (mode & S_IFMT) {
            case S_IFCHR -> "c";
            case S_IFBLK -> "b";
            case S_IFIFO -> "p";
            default -> null;
        };
        if (type == null) {
            return null;
        }
        long rdev = (Long) a.get("rdev");
        return new DeviceNode(p.toString(), type, major(rdev), minor(rdev), mode & 0777, (Integer) a.get("uid"),
                (Integer) a.get("gid"));
    }

    /** The block device a block IO setting names ({@code /dev/sda}), refused unless it is one. */
    public static DeviceNode block(String field, String path) {
        if (path == null || path.isEmpty()) {
            throw PouchException.invalidArgument(field + ": a device Path is required");
        }
        try {
            DeviceNode n = stat(Path.of(path).toRealPath());
            if (n == null || !"b".equals(n.type())) {
                throw PouchException.invalidArgument(field + ": " + path + " is not a block device");
            }
            return n;
        } catch (NoSuchFileException e) {
            throw PouchException.invalidArgument(field + ": stat " + path + ": no such file or directory");
        } catch (IOException e) {
            throw PouchException.invalidArgument(field + ": stat " + path + ": " + e.getMessage());
        }
    }

    /** glibc's gnu_dev_major. */
    static long major(long rdev) {
        return ((rdev >>> 8) & 0xfffL) | ((rdev >>> 32) & 0xfffff000L);
    }

    /** glibc's gnu_dev_minor. */
    static long minor(long rdev) {
        return (rdev & 0xffL) | ((rdev >>> 12) & 0xffffff00L);
    }

    private static PouchException gathering(String src, String why) {
        return PouchException.invalidArgument("error gathering device information while adding custom device \""
                + src + "\": " + why);
    }
}
