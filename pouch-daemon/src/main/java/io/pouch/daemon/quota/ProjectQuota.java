package io.pouch.daemon.quota;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Project quota on ext4 and xfs, as Pouch's prjquota driver: the directory gets a project id with the inherit
 * flag ({@code chattr -p ID +P}, so what is created under it carries the id) and the id a block hard limit
 * ({@code setquota -P ID 0 KB 0 0 MOUNTPOINT}). The filesystem must be mounted with {@code prjquota}. Ids the
 * daemon picks start at Pouch's 16777216 above the highest id in use ({@code repquota -P -n}).
 *
 * <p>Not exercised end to end here: the development kernel has no ext4/xfs quota support; the unit tests
 * check the commands it issues.
 */
final class ProjectQuota implements QuotaDriver {
    /** Pouch's QuotaMinID: ids it picks never collide with those of users and groups. */
    static final long MIN_AUTO_ID = 16_777_216L;

    private final Commands cmd;
    /** The mount point of a directory, from /proc/self/mountinfo (a seam for tests). */
    private final Function<Path, MountEntry> mountOf;

    /** A mount: its point and its superblock options. */
    record MountEntry(Path point, String fsType, List<String> options) {
    }

    ProjectQuota(Commands cmd, Function<Path, MountEntry> mountOf) {
        this.cmd = cmd;
        this.mountOf = mountOf;
    }

    ProjectQuota(Commands cmd) {
        this(cmd, ProjectQuota::mountInfo);
    }

    @Override
    public String name() {
        return "prjquota";
    }

    @Override
    public void check(String what, Path dir, long quotaId) {
        MountEntry m = mountOf.apply(dir);
        if (m == null || m.options().stream().noneMatch(o -> o.equals("prjquota") || o.equals("pquota")
                || o.equals("prjjquota"))) {
            throw PouchException.invalidArgument(what + ": the " + (m == null ? "" : m.fsType() + " ")
                    + "filesystem of " + dir + " is not mounted with project quota (mount it with -o prjquota)");
        }
    }

    @Override
    public long limitEmpty(Path dir, long bytes, long quotaId) {
        MountEntry m = mountOf.apply(dir);
        long id = quotaId > 0 ? quotaId : nextId(m.point());
        try {
            cmd.run(List.of("chattr", "-p", Long.toString(id), "+P", dir.toString()));
            setLimit(m.point(), id, bytes);
        } catch (Commands.CommandFailed e) {
            throw PouchException.internal("cannot set a project quota on " + dir + ": " + e.output, e);
        }
        return id;
    }

    @Override
    public void resize(Path dir, long bytes) {
        long id = projectId(dir);
        try {
            setLimit(mountOf.apply(dir).point(), id, bytes);
        } catch (Commands.CommandFailed e) {
            throw PouchException.internal("cannot change the project quota of " + dir + ": " + e.output, e);
        }
    }

    @Override
    public boolean isLimited(Path dir) {
        try {
            return projectId(dir) > 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void release(Path dir) {
        long id = projectId(dir);
        if (id >= MIN_AUTO_ID) {
            // a chosen id below Pouch's range may be shared with the host's own projects: its limit stays
            setLimit(mountOf.apply(dir).point(), id, 0);
        }
    }

    private void setLimit(Path mountPoint, long id, long bytes) {
        long kib = (bytes + 1023) / 1024;
        cmd.run(List.of("setquota", "-P", Long.toString(id), "0", Long.toString(kib), "0", "0",
                mountPoint.toString()));
    }

    /** {@code lsattr -pd DIR} prints {@code ID FLAGS DIR}. */
    long projectId(Path dir) {
        String out = cmd.run(List.of("lsattr", "-pd", dir.toString())).strip();
        String first = out.split("\\s+", 2)[0];
        try {
            return Long.parseLong(first);
        } catch (NumberFormatException e) {
            throw PouchException.internal("lsattr -pd " + dir + " answered \"" + out + "\"", e);
        }
    }

    /**
     * One above the highest project id {@code repquota -P -n} lists (rows start {@code #ID}), at least Pouch's
     * minimum.
     */
    long nextId(Path mountPoint) {
        String out = cmd.run(List.of("repquota", "-P", "-n", mountPoint.toString()));
        long max = MIN_AUTO_ID - 1;
        for (String line : out.split("\n")) {
            String l = line.strip();
            if (l.startsWith("#")) {
                try {
                    max = Math.max(max, Long.parseLong(l.substring(1).split("\\s+", 2)[0]));
                } catch (NumberFormatException ignored) {
                    // a header or a name, not an id
                }
            }
        }
        return max + 1;
    }

    /** The mount holding {@code dir}: the longest mount point that is a prefix of it, with its superblock options. */
    static MountEntry mountInfo(Path dir) {
        try {
            Path real = dir.toRealPath();
            MountEntry best = null;
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                MountEntry e = parseMountInfo(line);
                if (e != null && real.startsWith(e.point())
                        && (best == null || e.point().getNameCount() >= best.point().getNameCount())) {
                    best = e;
                }
            }
            return best;
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code ID PARENT MAJ:MIN ROOT POINT OPTS [TAGS...] - FSTYPE SOURCE SUPEROPTS}. */
    static MountEntry parseMountInfo(String line) {
        String[] f = line.split(" ");
        int dash = List.of(f).indexOf("-");
        if (f.length < 5 || dash < 0 || dash + 3 >= f.length) {
            return null;
        }
        String point = f[4].replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
        return new MountEntry(Path.of(point), f[dash + 1], List.of(f[dash + 3].split(",")));
    }
}
