package io.pouch.daemon.image;

import io.pouch.api.PouchException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the entries of one untrusted tar, in order, so that nothing it describes can land outside the directory
 * it is unpacked into: no absolute names, no {@code ..} components, no hard link to a name outside, no symbolic
 * link whose relative target climbs out, and no entry that reaches outside through a symbolic link the same
 * archive created earlier ({@code a -> ../../..} then {@code a/x}). Absolute symlink targets are allowed:
 * container runtimes resolve them inside the rootfs (every base image has {@code /bin/sh -> /bin/busybox}-like links).
 * One instance per archive; not thread-safe.
 */
public final class TarGuard {
    private static final int MAX_LINK_HOPS = 40;

    private final String what;
    /** Symbolic links seen so far: normalised path -> target as written. */
    private final Map<String, String> symlinks = new HashMap<>();

    /** @param what names the archive in error messages, e.g. "layer sha256:ab.." */
    public TarGuard(String what) {
        this.what = what;
    }

    /** Validates one entry and returns its normalised name ({@code ./a//b/} -> {@code a/b}; the root is ""). */
    public String check(TarArchiveEntry entry) {
        String name = normalizeName(entry.getName());
        if (!name.isEmpty()) {
            // the parent directories must not pass through a symlink that points outside
            int slash = name.lastIndexOf('/');
            if (slash > 0) {
                resolve(name.substring(0, slash), name);
            }
        }
        if (entry.isSymbolicLink()) {
            String target = entry.getLinkName();
            if (target == null || target.isEmpty() || target.indexOf('\0') >= 0) {
                throw hostile(name, "has an empty symbolic link target");
            }
            if (!target.startsWith("/")) {
                String dir = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
                if (climbsOut(dir, target)) {
                    throw hostile(name, "is a symbolic link pointing outside the archive (" + target + ")");
                }
            }
            symlinks.put(name, target);
        } else {
            symlinks.remove(name);
        }
        if (entry.isLink()) {
            String target = entry.getLinkName();
            if (target == null || target.startsWith("/")) {
                throw hostile(name, "is a hard link pointing outside the archive (" + target + ")");
            }
            String t = normalizeName(target);
            if (t.isEmpty()) {
                throw hostile(name, "is a hard link to the archive root");
            }
            int slash = t.lastIndexOf('/');
            if (slash > 0) {
                resolve(t.substring(0, slash), name);
            }
        }
        return name;
    }

    /**
     * {@code ./a//b/} -> {@code a/b}. Refuses absolute names, {@code ..} components and NUL bytes: an archive
     * that needs them is not one we unpack.
     */
    public String normalizeName(String raw) {
        if (raw == null || raw.indexOf('\0') >= 0) {
            throw hostile(String.valueOf(raw), "has an invalid name");
        }
        if (raw.startsWith("/")) {
            throw hostile(raw, "has an absolute path");
        }
        List<String> parts = new ArrayList<>();
        for (String p : raw.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                throw hostile(raw, "contains '..'");
            }
            parts.add(p);
        }
        return String.join("/", parts);
    }

    /**
     * Walks {@code dir} through the symlinks known so far and refuses when it would leave the root. Symlinks
     * resolving to absolute targets restart from the root (they are inside the rootfs by construction).
     */
    private void resolve(String dir, String entryName) {
        Deque<String> todo = new ArrayDeque<>(List.of(dir.split("/")));
        List<String> done = new ArrayList<>();
        int hops = 0;
        while (!todo.isEmpty()) {
            String p = todo.removeFirst();
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (done.isEmpty()) {
                    throw hostile(entryName, "reaches outside the archive through a symbolic link");
                }
                done.removeLast();
                continue;
            }
            done.add(p);
            String target = symlinks.get(String.join("/", done));
            if (target != null) {
                if (++hops > MAX_LINK_HOPS) {
                    throw hostile(entryName, "goes through too many symbolic links");
                }
                done.removeLast();
                if (target.startsWith("/")) {
                    done.clear();
                }
                List<String> expanded = List.of(target.split("/"));
                for (int i = expanded.size() - 1; i >= 0; i--) {
                    todo.addFirst(expanded.get(i));
                }
            }
        }
    }

    /** True when {@code target}, read relative to {@code dir}, leaves the root (purely lexically). */
    static boolean climbsOut(String dir, String target) {
        int depth = dir.isEmpty() ? 0 : dir.split("/").length;
        for (String p : target.split("/")) {
            if (p.equals("..")) {
                if (--depth < 0) {
                    return true;
                }
            } else if (!p.isEmpty() && !p.equals(".")) {
                depth++;
            }
        }
        return false;
    }

    private PouchException hostile(String name, String why) {
        return PouchException.invalidArgument("refusing to load " + what + ": entry \"" + name + "\" " + why);
    }
}
