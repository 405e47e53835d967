package io.pouch.daemon.sys;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves a path given by a user (or read from a tar entry, or a symlink inside a container) against a container's
 * root directory the way the kernel would inside the container: component by component, {@code ..} never climbs
 * above the root, and every symlink met is read and resolved relative to the root (an absolute target restarts at
 * the root, a relative one at the link's directory). So a link to {@code /etc} or {@code ../../..} in a hostile
 * image lands inside the container, never on the host.
 *
 * <p>Not atomic: a process running in the container could swap a directory for a link between this walk and the
 * file operation that follows. Callers that write re-check the last component with NOFOLLOW.
 */
public final class ScopedPath {
    private static final int MAX_LINKS = 255;

    private ScopedPath() {
    }

    /**
     * @param root       the container root on the host (a mounted rootfs or {@code /proc/<pid>/root})
     * @param path       the path as seen inside the container (absolute or not: both start at the root)
     * @param followLast resolve a symlink in the last component too (false: the link itself is meant)
     * @return a host path under {@code root} whose every parent component is a real directory or missing
     */
    public static Path resolve(Path root, String path, boolean followLast) {
        Deque<String> todo = new ArrayDeque<>(split(path));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!done.isEmpty()) {
                    done.removeLast();
                }
                continue;
            }
            Path candidate = join(root, done).resolve(c);
            boolean last = todo.stream().allMatch(x -> x.isEmpty() || x.equals("."));
            if ((!last || followLast) && Files.isSymbolicLink(candidate)) {
                if (++links > MAX_LINKS) {
                    throw PouchException.invalidArgument("too many levels of symbolic links in " + path);
                }
                String target;
                try {
                    target = Files.readSymbolicLink(candidate).toString();
                } catch (IOException e) {
                    throw PouchException.internal("cannot read the link " + c + " in " + path + ": " + e.getMessage(), e);
                }
                if (target.startsWith("/")) {
                    done.clear();
                }
                List<String> t = split(target);
                for (int i = t.size() - 1; i >= 0; i--) {
                    todo.addFirst(t.get(i));
                }
                continue;
            }
            done.add(c);
        }
        return join(root, done);
    }

    /** The path relative to the container root, for messages and tar names ("/" for the root itself). */
    public static String inside(Path root, Path resolved) {
        String r = root.relativize(resolved).toString();
        return "/" + r;
    }

    /**
     * A tar entry name made safe for extraction under a directory: leading "/" and "./" dropped, "." components
     * dropped; a name that climbs with ".." is refused (dockerd refuses such archives too).
     */
    public static String entryName(String name) {
        List<String> out = new ArrayList<>();
        for (String c : split(name)) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                throw PouchException.invalidArgument("invalid tar entry name \"" + name + "\": it leaves the target directory");
            }
            out.add(c);
        }
        return String.join("/", out);
    }

    public static boolean isDirNoFollow(Path p) {
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static List<String> split(String p) {
        List<String> parts = new ArrayList<>();
        for (String s : p.split("/")) {
            parts.add(s);
        }
        return parts;
    }

    private static Path join(Path root, List<String> parts) {
        Path p = root;
        for (String s : parts) {
            p = p.resolve(s);
        }
        return p;
    }
}
