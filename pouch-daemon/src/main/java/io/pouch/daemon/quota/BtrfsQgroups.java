package io.pouch.daemon.quota;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * btrfs qgroups: the limited directory is made a subvolume (it holds nothing but empty directories, so the
 * subvolume simply takes its place, with them, with the same owners and modes) whose level-0 qgroup gets a
 * referenced-bytes limit; a write past it fails
 * with EDQUOT. The filesystem needs quotas enabled ({@code btrfs quota enable}); pouchd does not enable them
 * itself, since that is a filesystem-wide choice with a cost. Release deletes the subvolume, waits for the
 * cleaner and destroys the qgroup (kernels from 6.x drop a stale level-0 qgroup themselves).
 */
final class BtrfsQgroups implements QuotaDriver {
    /** The inode number of every subvolume's root directory. */
    private static final long SUBVOLUME_ROOT_INODE = 256;

    private static final Logger LOG = Logger.getLogger(BtrfsQgroups.class.getName());

    private final Commands cmd;

    BtrfsQgroups(Commands cmd) {
        this.cmd = cmd;
    }

    @Override
    public String name() {
        return "btrfs";
    }

    /**
     * The snapshot directory holding both: overlayfs renames from its work directory into its upper one, and
     * btrfs refuses a rename across subvolumes (EXDEV), so both must be in the one subvolume.
     */
    @Override
    public Path rootfsUnit(Path upper, Path work) {
        return work != null && upper.getParent() != null && upper.getParent().equals(work.getParent())
                ? upper.getParent() : upper;
    }

    /** A btrfs quota is the subvolume's own qgroup: its id is the subvolume's. */
    @Override
    public boolean keepsChosenIds() {
        return false;
    }

    @Override
    public void check(String what, Path dir, long quotaId) {
        if (quotaId > 0) {
            throw PouchException.invalidArgument(what + ": QuotaID " + quotaId + " cannot be honoured on btrfs: a"
                    + " btrfs quota is the subvolume's own qgroup, so only QuotaID -1 (or none) applies here");
        }
        try {
            cmd.run(List.of("btrfs", "qgroup", "show", dir.toString()));
        } catch (Commands.CommandFailed e) {
            throw PouchException.invalidArgument(what + ": quotas are not enabled on the btrfs filesystem of " + dir
                    + " (enable them with: btrfs quota enable <mountpoint>): " + e.output);
        }
    }

    /** An empty directory to put back inside the subvolume: its name, owner and mode. */
    private record Child(String name, Object uid, Object gid, Set<PosixFilePermission> mode) {
        static Child of(Path p) throws IOException {
            return new Child(p.getFileName().toString(), Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS),
                    Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        }

        void restore(Path dir) throws IOException {
            Path p = name.isEmpty() ? dir : Files.createDirectory(dir.resolve(name));
            Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            Files.setPosixFilePermissions(p, mode);
        }
    }

    @Override
    public long limitEmpty(Path dir, long bytes, long quotaId) {
        Child self;
        List<Child> children = new ArrayList<>();
        try {
            self = new Child("", Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    Files.getAttribute(dir, "unix:gid", LinkOption.NOFOLLOW_LINKS),
                    Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || !isEmpty(p)) {
                        throw PouchException.internal("cannot limit " + dir + ": it already holds " + p, null);
                    }
                    children.add(Child.of(p));
                }
            }
            for (Child c : children) {
                Files.delete(dir.resolve(c.name()));
            }
            Files.delete(dir);
        } catch (IOException e) {
            throw PouchException.internal("cannot limit " + dir + ": " + e.getMessage(), e);
        }
        try {
            cmd.run(List.of("btrfs", "subvolume", "create", dir.toString()));
        } catch (Commands.CommandFailed e) {
            recreate(dir, self, children);
            throw PouchException.internal("cannot make " + dir + " a btrfs subvolume: " + e.output, e);
        }
        try {
            self.restore(dir);
            for (Child c : children) {
                c.restore(dir);
            }
            cmd.run(List.of("btrfs", "qgroup", "limit", Long.toString(bytes), dir.toString()));
            return subvolumeId(dir);
        } catch (IOException | RuntimeException e) {
            release(dir);
            recreate(dir, self, children);
            String why = e instanceof Commands.CommandFailed f ? f.output : e.getMessage();
            throw PouchException.internal("cannot set a btrfs quota on " + dir + ": " + why, e);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    @Override
    public void resize(Path dir, long bytes) {
        try {
            cmd.run(List.of("btrfs", "qgroup", "limit", Long.toString(bytes), dir.toString()));
        } catch (Commands.CommandFailed e) {
            throw PouchException.internal("cannot change the btrfs quota of " + dir + ": " + e.output, e);
        }
    }

    @Override
    public boolean isLimited(Path dir) {
        try {
            Object ino = Files.getAttribute(dir, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            return ino instanceof Long l && l == SUBVOLUME_ROOT_INODE;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    @Override
    public void release(Path dir) {
        if (!isLimited(dir)) {
            return;
        }
        long id = subvolumeId(dir);
        String parent = dir.getParent().toString();
        cmd.run(List.of("btrfs", "subvolume", "delete", "--commit-after", dir.toString()));
        // the qgroup can go only once the cleaner has dropped the subvolume's extents
        cmd.run(List.of("btrfs", "subvolume", "sync", parent, Long.toString(id)));
        try {
            cmd.run(List.of("btrfs", "qgroup", "destroy", "0/" + id, parent));
        } catch (Commands.CommandFailed e) {
            // "No such file or directory": the kernel dropped the stale qgroup with its subvolume. Anything else
            // leaves an empty stale qgroup, which limits nothing: the removal goes on
            if (!e.output.contains("No such file or directory")) {
                LOG.warning("cannot destroy btrfs qgroup 0/" + id + " of " + dir + ": " + e.output);
            }
        }
    }

    private long subvolumeId(Path dir) {
        String out = cmd.run(List.of("btrfs", "inspect-internal", "rootid", dir.toString())).strip();
        try {
            return Long.parseLong(out);
        } catch (NumberFormatException e) {
            throw PouchException.internal("btrfs inspect-internal rootid " + dir + " answered \"" + out + "\"", e);
        }
    }

    /** Puts the plain directories back as they were (the caller reports the first failure). */
    private static void recreate(Path dir, Child self, List<Child> children) {
        try {
            Files.createDirectories(dir);
            self.restore(dir);
            for (Child c : children) {
                if (!Files.exists(dir.resolve(c.name()))) {
                    c.restore(dir);
                }
            }
        } catch (IOException ignored) {
            // best effort
        }
    }
}
