package io.pouch.daemon.quota;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Picks the quota driver for a directory by the filesystem it is on: btrfs qgroups on btrfs, project quota on
 * ext4 and xfs, and a 400 naming the field and the filesystem elsewhere. Pouch's daemon key {@code quota-driver}
 * narrows the choice: empty picks by filesystem; {@code btrfs} or {@code prjquota} uses only that one (refusing
 * a directory on another filesystem). Pouch's {@code grpquota} (group quota on old alikernels) is refused at
 * startup.
 */
public final class QuotaDrivers {
    public static final String KEY = "quota-driver";

    /** The magic number of a directory's filesystem (a seam for tests). */
    @FunctionalInterface
    public interface Probe {
        long magic(Path dir) throws IOException;
    }

    private final String configured;
    private final Probe probe;
    private final QuotaDriver btrfs;
    private final QuotaDriver project;

    QuotaDrivers(String configured, Probe probe, QuotaDriver btrfs, QuotaDriver project) {
        this.configured = validate(configured);
        this.probe = probe;
        this.btrfs = btrfs;
        this.project = project;
    }

    /** The daemon's drivers: by filesystem until pouchd sets its {@code quota-driver} at startup. */
    private static volatile QuotaDrivers daemon = of("");

    /** Sets the daemon's {@code quota-driver} (pouchd, once at startup, as Pouch's SetQuotaDriver). */
    public static void configure(String configured) {
        daemon = of(configured);
    }

    /** The daemon's drivers. */
    public static QuotaDrivers daemon() {
        return daemon;
    }

    /** The drivers over the real tools, with the {@code quota-driver} setting (null or empty: by filesystem). */
    public static QuotaDrivers of(String configured) {
        return new QuotaDrivers(configured, FilesystemType::magic, new BtrfsQgroups(Commands.SYSTEM),
                new ProjectQuota(Commands.SYSTEM));
    }

    /**
     * @return the setting, normalised ("" for by-filesystem)
     * @throws PouchException 400 for a driver this engine does not have (pouchd refuses to start)
     */
    public static String validate(String configured) {
        String c = configured == null ? "" : configured.strip();
        return switch (c) {
            case "", "btrfs", "prjquota" -> c;
            case "grpquota" -> throw PouchException.invalidArgument("quota-driver grpquota is not supported: group"
                    + " quota needs Alibaba's kernel; use prjquota (ext4/xfs), btrfs, or leave it empty to choose by"
                    + " filesystem");
            default -> throw PouchException.invalidArgument("invalid quota-driver \"" + c + "\": use prjquota,"
                    + " btrfs, or leave it empty to choose by filesystem");
        };
    }

    /**
     * The driver for {@code dir}, checked as it is mounted ({@code what} names the request's field in errors).
     *
     * @throws PouchException 400 naming {@code what} and the filesystem when no quota can be set there
     */
    public QuotaDriver forDir(String what, Path dir, long quotaId) {
        long magic;
        try {
            magic = probe.magic(dir);
        } catch (IOException e) {
            throw PouchException.internal(what + ": cannot tell the filesystem of " + dir + ": " + e.getMessage(), e);
        }
        QuotaDriver d = magic == FilesystemType.BTRFS ? btrfs
                : magic == FilesystemType.EXT4 || magic == FilesystemType.XFS ? project : null;
        if (d == null || (!configured.isEmpty() && !configured.equals(d.name()))) {
            throw PouchException.invalidArgument(what + " cannot be applied: " + dir + " is on "
                    + FilesystemType.name(magic) + ", which " + (d == null
                    ? "has no disk quota (btrfs qgroups or ext4/xfs project quota are needed)"
                    : "quota-driver " + configured + " does not handle"));
        }
        d.check(what, dir, quotaId);
        return d;
    }

    /** The driver of {@code dir}'s filesystem, or null (to find, resize or release a limit already set). */
    public QuotaDriver byFilesystem(Path dir) {
        try {
            long magic = probe.magic(dir);
            return magic == FilesystemType.BTRFS ? btrfs
                    : magic == FilesystemType.EXT4 || magic == FilesystemType.XFS ? project : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The driver whose limit {@code dir} carries, or null. */
    public QuotaDriver limiting(Path dir) {
        QuotaDriver d = byFilesystem(dir);
        return d != null && d.isLimited(dir) ? d : null;
    }
}
