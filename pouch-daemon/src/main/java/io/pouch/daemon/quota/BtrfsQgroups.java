package io.pouch.daemon.quota;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * btrfs qgroups: the limited directory is made a subvolume (it must be empty, so the subvolume simply takes its
 * place with the same owner and mode) whose level-0 qgroup gets a referenced-bytes limit; a write past it fails
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

    @Override
    public long limitEmpty(Path dir, long bytes, long quotaId) {
        try (var s = Files.list(dir)) {
            if (s.findAny().isPresent()) {
                throw PouchException.internal("cannot limit " + dir + ": it is not empty", null);
            }
        } catch (IOException e) {
            throw PouchException.internal("cannot limit " + dir + ": " + e.getMessage(), e);
        }
        Object uid;
        Object gid;
        Set<PosixFilePermission> mode;
        try {
            uid = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            gid = Files.getAttribute(dir, "unix:gid", LinkOption.NOFOLLOW_LINKS);
            mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            Files.delete(dir);
        } catch (IOException e) {
            throw PouchException.internal("cannot limit " + dir + ": " + e.getMessage(), e);
        }
        try {
            cmd.run(List.of("btrfs", "subvolume", "create", dir.toString()));
        } catch (Commands.CommandFailed e) {
            recreate(dir);
            throw PouchException.internal("cannot make " + dir + " a btrfs subvolume: " + e.output, e);
        }
        try {
            Files.setAttribute(dir, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(dir, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            Files.setPosixFilePermissions(dir, mode);
            cmd.run(List.of("btrfs", "qgroup", "limit", Long.toString(bytes), dir.toString()));
            return subvolumeId(dir);
        } catch (IOException | RuntimeException e) {
            release(dir);
            recreate(dir);
            String why = e instanceof Commands.CommandFailed f ? f.output : e.getMessage();
            throw PouchException.internal("cannot set a btrfs quota on " + dir + ": " + why, e);
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

    private static void recreate(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException ignored) {
            // the caller reports the first failure
        }
    }
}
