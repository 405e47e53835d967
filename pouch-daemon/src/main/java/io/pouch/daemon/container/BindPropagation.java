package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * dockerd's check of the bind sources before a container starts: a bind with shared propagation needs its source
 * on a shared mount of the host (else nothing the container mounts there could reach the host), one with slave
 * propagation a shared or slave mount (else nothing the host mounts there could reach the container). The mount a
 * source is on is the deepest mount point above its real path in pouchd's /proc/self/mountinfo.
 *
 * <p>dockerd refuses with these messages when it builds the spec at start, an error it answers with 500.
 */
final class BindPropagation {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private BindPropagation() {
    }

    /** Checks the bind mounts of {@code spec} against this host's mounts. */
    static void check(JsonNode spec) {
        if (!needsCheck(spec)) {
            return;
        }
        String mountinfo;
        try {
            mountinfo = Files.readString(MOUNTINFO);
        } catch (IOException e) {
            throw PouchException.internal("cannot read " + MOUNTINFO + ": " + e.getMessage(), e);
        }
        check(spec, mountinfo, BindPropagation::realPath);
    }

    /**
     * @param mountinfo the contents of a mountinfo file
     * @param realPath  a source's path with its symbolic links resolved
     */
    static void check(JsonNode spec, String mountinfo, UnaryOperator<String> realPath) {
        for (JsonNode m : spec.path("mounts")) {
            if (!"bind".equals(m.path("type").asText())) {
                continue;
            }
            boolean shared = false;
            boolean slave = false;
            for (JsonNode o : m.path("options")) {
                switch (o.asText()) {
                    case "shared", "rshared" -> shared = true;
                    case "slave", "rslave" -> slave = true;
                    default -> {
                    }
                }
            }
            if (!shared && !slave) {
                continue;
            }
            String source = m.path("source").asText();
            String[] on = mountOf(realPath.apply(source), mountinfo);
            if (on == null) {
                throw new PouchException(500, "Can't find mount point of " + source);
            }
            boolean sourceShared = hasTag(on[1], "shared:");
            if (shared && !sourceShared) {
                throw new PouchException(500, "path " + source + " is mounted on " + on[0]
                        + " but it is not a shared mount");
            }
            if (slave && !sourceShared && !hasTag(on[1], "master:")) {
                throw new PouchException(500, "path " + source + " is mounted on " + on[0]
                        + " but it is not a shared or slave mount");
            }
        }
    }

    private static boolean needsCheck(JsonNode spec) {
        for (JsonNode m : spec.path("mounts")) {
            for (JsonNode o : m.path("options")) {
                if (o.asText().matches("r?(shared|slave)")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The mount point {@code path} is on and its optional fields ({@code shared:N}, {@code master:N}, ...): the
     * deepest mount point above it, the last mounted when several are stacked there (the one the path reaches).
     */
    static String[] mountOf(String path, String mountinfo) {
        String[] best = null;
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            int dash = line.indexOf(" - ");
            if (f.length < 7 || dash < 0) {
                continue;
            }
            String mountPoint = unescape(f[4]);
            boolean above = mountPoint.equals("/") || path.equals(mountPoint) || path.startsWith(mountPoint + "/");
            if (above && (best == null || mountPoint.length() >= best[0].length())) {
                // the optional fields run from the 7th field to the " - " separator
                String[] h = line.substring(0, dash).split(" ");
                best = new String[] {mountPoint, String.join(" ", Arrays.copyOfRange(h, 6, h.length))};
            }
        }
        return best;
    }

    private static boolean hasTag(String optional, String tag) {
        for (String o : optional.split(" ")) {
            if (o.startsWith(tag)) {
                return true;
            }
        }
        return false;
    }

    /** mountinfo's octal escapes of a space, tab, newline and backslash. */
    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    private static String realPath(String source) {
        try {
            return Path.of(source).toRealPath().toString();
        } catch (IOException e) {
            return Path.of(source).toAbsolutePath().normalize().toString();
        }
    }
}
