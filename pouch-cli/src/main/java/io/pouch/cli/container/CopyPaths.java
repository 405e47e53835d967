package io.pouch.cli.container;

import java.util.ArrayDeque;

/**
 * The path rules of {@code docker cp} (Go's path/filepath and moby's pkg/archive copy helpers), on slash-separated
 * strings so that a container path and a local one follow the same rules: a trailing {@code /.} means "the
 * directory's contents", a trailing {@code /} asserts a directory, names are rebased when the destination's name
 * differs from the source's.
 */
final class CopyPaths {
    private CopyPaths() {
    }

    /** What a copy argument names: a container path ({@code container} non-null) or a local one. */
    record Arg(String container, String path) {
    }

    /** docker's splitCpArg: absolute paths and {@code ./x:y} are local; otherwise {@code CONTAINER:PATH}. */
    static Arg split(String arg) {
        if (arg.startsWith("/")) {
            return new Arg(null, arg);
        }
        int colon = arg.indexOf(':');
        if (colon < 0 || arg.substring(0, colon).startsWith(".")) {
            return new Arg(null, arg);
        }
        return new Arg(arg.substring(0, colon), arg.substring(colon + 1));
    }

    /** One side of a copy (moby's archive.CopyInfo). */
    record CopyInfo(String path, boolean exists, boolean isDir, String rebaseName) {
    }

    /** Go's filepath.Clean. */
    static String clean(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        boolean rooted = path.startsWith("/");
        ArrayDeque<String> out = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!out.isEmpty() && !out.peekLast().equals("..")) {
                    out.pollLast();
                } else if (!rooted) {
                    out.addLast("..");
                }
                continue;
            }
            out.addLast(part);
        }
        String joined = String.join("/", out);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }

    /** Go's filepath.Base. */
    static String base(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.equals("/")) {
            return "/";
        }
        int i = p.lastIndexOf('/');
        return i < 0 ? p : p.substring(i + 1);
    }

    /** Go's filepath.Dir. */
    static String dir(String path) {
        int i = path.lastIndexOf('/');
        return clean(i < 0 ? "" : path.substring(0, i + 1));
    }

    /** Go's filepath.Join of two elements. */
    static String join(String a, String b) {
        if (a.isEmpty()) {
            return clean(b);
        }
        return clean(a + "/" + b);
    }

    static boolean hasTrailingSeparator(String path) {
        return !path.isEmpty() && path.endsWith("/");
    }

    static boolean specifiesCurrentDir(String path) {
        return base(path).equals(".");
    }

    /** A destination ending in {@code /} or {@code /.} must be a directory. */
    static boolean assertsDirectory(String path) {
        return hasTrailingSeparator(path) || specifiesCurrentDir(path);
    }

    /** moby's SplitPathDirEntry: {@code [dir, base]}, base "." for a path naming a directory's contents. */
    static String[] splitDirEntry(String path) {
        String cleaned = clean(path);
        if (specifiesCurrentDir(path)) {
            cleaned += "/.";
        }
        return new String[] {dir(cleaned), base(cleaned)};
    }

    /** moby's PreserveTrailingDotOrSeparator: the cleaned path keeps the original's trailing "/." or "/". */
    static String preserveTrailing(String cleaned, String original) {
        if (!specifiesCurrentDir(cleaned) && specifiesCurrentDir(original)) {
            if (!hasTrailingSeparator(cleaned)) {
                cleaned += "/";
            }
            cleaned += ".";
        }
        if (!hasTrailingSeparator(cleaned) && hasTrailingSeparator(original)) {
            cleaned += "/";
        }
        return cleaned;
    }

    /** moby's GetRebaseName: {@code [resolvedPath, rebaseName or ""]} after a symlink was followed. */
    static String[] rebaseName(String path, String resolved) {
        String r = resolved;
        if (specifiesCurrentDir(path) && !specifiesCurrentDir(r)) {
            r += "/.";
        }
        if (hasTrailingSeparator(path) && !hasTrailingSeparator(r)) {
            r += "/";
        }
        String rebase = base(path).equals(base(r)) ? "" : base(path);
        return new String[] {r, rebase};
    }

    /** Where to extract and how to rename the archive's entries (moby's PrepareArchiveCopy). */
    record Prepared(String dstDir, String oldBase, String newBase) {
        /** The entry name after rebasing (the first occurrence of oldBase, which starts every name). */
        String rename(String name) {
            if (oldBase == null) {
                return name;
            }
            String from = oldBase.equals("/") ? "" : oldBase;
            int i = name.indexOf(from);
            return i < 0 ? name : name.substring(0, i) + newBase + name.substring(i + from.length());
        }
    }

    /**
     * moby's PrepareArchiveCopy: an existing directory receives the archive as is; otherwise the archive goes to the
     * destination's parent with its top entry renamed to the destination's name.
     *
     * @throws CopyException "cannot copy directory" (directory onto an existing file), "no such directory" (a
     *                       file onto a missing path that asserts a directory)
     */
    static Prepared prepare(CopyInfo src, CopyInfo dst) {
        String[] d = splitDirEntry(dst.path());
        String srcBase = splitDirEntry(src.path())[1];
        if (src.rebaseName() != null && !src.rebaseName().isEmpty()) {
            srcBase = src.rebaseName();
        }
        if (dst.exists() && dst.isDir()) {
            return new Prepared(dst.path(), null, null);
        }
        if (dst.exists() && src.isDir()) {
            throw new CopyException("cannot copy directory");
        }
        if (!dst.exists() && !src.isDir() && assertsDirectory(dst.path())) {
            throw new CopyException("no such directory");
        }
        return new Prepared(d[0], srcBase, d[1]);
    }

    /** A failure with docker's message; the command exits 1. */
    static final class CopyException extends RuntimeException {
        CopyException(String message) {
            super(message);
        }
    }
}
