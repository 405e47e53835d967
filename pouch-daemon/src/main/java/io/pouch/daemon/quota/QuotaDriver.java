package io.pouch.daemon.quota;

import java.nio.file.Path;

/** One way of limiting the bytes written under a directory, bound to the filesystem that supports it. */
public interface QuotaDriver {
    /** Pouch's name of the driver ({@code quota-driver}): {@code btrfs} or {@code prjquota}. */
    String name();

    /** Whether a limit can be kept under an id the user (or an earlier container) chose. */
    default boolean keepsChosenIds() {
        return true;
    }

    /**
     * Refuses, with a 400 naming {@code what}, a directory whose filesystem cannot take a limit as it is mounted
     * (quotas not enabled), or a {@code quotaId} this driver cannot honour.
     */
    void check(String what, Path dir, long quotaId);

    /**
     * The directory whose limit covers an overlay rootfs: its upper directory, unless the driver needs the work
     * directory inside the same unit.
     */
    default Path rootfsUnit(Path upper, Path work) {
        return upper;
    }

    /**
     * Limits the directory {@code dir}, empty but for empty directories, to {@code bytes}: everything written
     * under it afterwards counts.
     *
     * @param quotaId {@link QuotaId#AUTO}, {@link QuotaId#NONE} or an id the user chose
     * @return the id the limit is kept under (shown as the container's QuotaID)
     */
    long limitEmpty(Path dir, long bytes, long quotaId);

    /** Sets a new limit on a directory {@link #limitEmpty} limited. */
    void resize(Path dir, long bytes);

    /** Whether {@code dir} carries a limit of this driver. */
    boolean isLimited(Path dir);

    /**
     * Removes the limit and what backs it; for btrfs this deletes the directory with its content (a subvolume),
     * so call it only when the directory goes.
     */
    void release(Path dir);
}
