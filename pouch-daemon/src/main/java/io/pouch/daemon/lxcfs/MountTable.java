package io.pouch.daemon.lxcfs;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/** Reads {@code /proc/<pid>/mountinfo} lines (proc(5)). Pure: no I/O. */
public final class MountTable {
    private MountTable() {
    }

    /**
     * The mount ID of the LXCFS FUSE mount at {@code mountPoint} (the topmost one when several are stacked), or
     * empty when none is mounted there. A new ID after an LXCFS restart is how a remount is told apart from the
     * same mount still in place.
     */
    public static OptionalLong lxcfsMountId(List<String> mountinfo, Path mountPoint) {
        String wanted = mountPoint.normalize().toString();
        OptionalLong found = OptionalLong.empty();
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length < 5 || dash < 0 || dash + 1 >= f.length) {
                continue;
            }
            if (unescape(f[4]).equals(wanted) && isLxcfs(f[dash + 1], dash + 2 < f.length ? f[dash + 2] : "")) {
                try {
                    found = OptionalLong.of(Long.parseLong(f[0]));
                } catch (NumberFormatException ignored) {
                    // not a mountinfo line
                }
            }
        }
        return found;
    }

    /** lxcfs mounts as {@code fuse.lxcfs}; some builds show plain {@code fuse} with source {@code lxcfs}. */
    private static boolean isLxcfs(String fsType, String source) {
        return fsType.equals("fuse.lxcfs") || (fsType.equals("fuse") && source.equals("lxcfs"));
    }

    /** mountinfo writes space, tab, newline and backslash in paths as three-digit octal escapes. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
