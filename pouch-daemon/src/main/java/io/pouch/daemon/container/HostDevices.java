package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The host's device nodes, which a privileged container gets all of (as containerd's {@code HostDevices} that
 * dockerd uses: every character and block device under /dev but the pseudo-terminals, shm and mqueue).
 */
final class HostDevices {
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final Set<String> SKIPPED = Set.of("/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/.lxc",
            "/dev/.udev", "/dev/fd");

    /** One node: {@code type} is "c" or "b". */
    record Device(String path, String type, long major, long minor, int fileMode, int uid, int gid) {
    }

    private HostDevices() {
    }

    static List<Device> list() {
        List<Device> out = new ArrayList<>();
        try {
            Files.walkFileTree(Path.of("/dev"), new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return SKIPPED.contains(dir.toString()) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (!attrs.isOther() || file.toString().equals("/dev/console")) {
                        return FileVisitResult.CONTINUE; // the console is the container's own terminal
                    }
                    try {
                        int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                        long rdev = (Long) Files.getAttribute(file, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
                        String type = (mode & S_IFMT) == S_IFCHR ? "c" : (mode & S_IFMT) == S_IFBLK ? "b" : null;
                        if (type != null) {
                            out.add(new Device(file.toString(), type, major(rdev), minor(rdev), mode & 07777,
                                    (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                                    (Integer) Files.getAttribute(file, "unix:gid", LinkOption.NOFOLLOW_LINKS)));
                        }
                    } catch (IOException | RuntimeException e) {
                        // vanished meanwhile or unreadable: not a device the container can have
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

    /** Adds {@code devices} to the spec's {@code linux.devices}, after any already there, once per path. */
    static void addTo(ObjectNode spec, List<Device> devices) {
        ObjectNode linux = spec.with("linux");
        JsonNode existing = linux.get("devices");
        ArrayNode arr = existing instanceof ArrayNode a ? a : linux.putArray("devices");
        Set<String> have = new java.util.HashSet<>();
        arr.forEach(d -> have.add(d.path("path").asText()));
        for (Device d : devices) {
            if (have.add(d.path())) {
                arr.addObject().put("path", d.path()).put("type", d.type()).put("major", d.major())
                        .put("minor", d.minor()).put("fileMode", d.fileMode()).put("uid", d.uid())
                        .put("gid", d.gid());
            }
        }
    }

    static long major(long rdev) {
        return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
    }

    static long minor(long rdev) {
        return (rdev & 0xff) | ((rdev >>> 12) & 0xfff00L);
    }
}
