package io.pouch.daemon.quota;

import io.pouch.api.PouchException;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A container's {@code DiskQuota}/{@code QuotaID} made real on its rootfs: the limit of {@code /} goes on the
 * overlay's upper directory (where every write of the container lands; with btrfs, the snapshot directory
 * holding it and the work directory), right after the snapshot is prepared and while it is still empty. Limits
 * on other mount points are refused by name: a volume is limited by its own size ({@code pouch volume create -o
 * size=}), which a DiskQuota rule leaves alone, as Pouch does.
 */
public final class RootfsQuota {
    static final String FIELD = "DiskQuota";

    private final QuotaDrivers drivers;

    public RootfsQuota(QuotaDrivers drivers) {
        this.drivers = drivers;
    }

    /** The daemon's drivers. */
    public static RootfsQuota daemon() {
        return new RootfsQuota(QuotaDrivers.daemon());
    }

    /**
     * Validates a create's fields before anything is made.
     *
     * @param mountDestinations where the container's user mounts go, except volumes with their own size
     * @return the parsed rules (empty when there is no quota)
     * @throws PouchException 400 naming DiskQuota or QuotaID
     */
    public static DiskQuotaRules validate(Map<String, String> diskQuota, String quotaId,
                                          Collection<String> mountDestinations) {
        DiskQuotaRules rules = DiskQuotaRules.parse(diskQuota);
        QuotaId.parse(quotaId, rules);
        for (String dest : mountDestinations) {
            if (rules.limitFor(dest).isPresent()) {
                String key = rules.rules().keySet().stream().filter(k -> covers(k, dest)).findFirst().orElse(dest);
                throw PouchException.invalidArgument(FIELD + " \"" + key + "\" cannot be applied to the mount at "
                        + dest + ": only the container's rootfs (\"/\") takes a disk quota here; limit a volume with"
                        + " its size (pouch volume create -o size=10g), or use --disk-quota /=SIZE");
            }
        }
        return rules;
    }

    private static boolean covers(String key, String dest) {
        return new DiskQuotaRules(Map.of(key, 1L)).limitFor(dest).isPresent();
    }

    /**
     * Limits the fresh rootfs whose overlay upper directory is {@code upper}.
     *
     * @return the QuotaID to keep in the container's config: the id the limit is kept under when one was asked
     *         for (-1 or a chosen id), else {@code quotaId} unchanged; null when no quota applies
     */
    public String apply(DiskQuotaRules rules, String quotaId, Path upper, Path work) {
        OptionalLong limit = rules.limitFor("/");
        if (limit.isEmpty()) {
            return quotaId;
        }
        if (upper == null) {
            throw PouchException.invalidArgument(FIELD + " cannot be applied: the container's rootfs snapshot has no"
                    + " upper directory to limit");
        }
        long id = QuotaId.parse(quotaId, rules);
        QuotaDriver d = drivers.forDir(FIELD, upper, id);
        long kept = d.limitEmpty(d.rootfsUnit(upper, work), limit.getAsLong(), id);
        return id == QuotaId.NONE ? quotaId : Long.toString(kept);
    }

    /**
     * The container's limit again on a new rootfs (Pouch's upgrade keeps the disk quota): a project quota keeps
     * its id, a btrfs one gets the new subvolume's.
     *
     * @return the QuotaID to keep in the container's config
     */
    public String reapply(Map<String, String> diskQuota, String quotaId, Path upper, Path work) {
        DiskQuotaRules rules = DiskQuotaRules.parse(diskQuota);
        OptionalLong limit = rules.limitFor("/");
        if (limit.isEmpty()) {
            return quotaId;
        }
        long id = QuotaId.parse(quotaId, rules);
        QuotaDriver d = drivers.forDir(FIELD, upper, QuotaId.NONE);
        long asked = id > 0 && !d.keepsChosenIds() ? QuotaId.AUTO : id;
        long kept = d.limitEmpty(d.rootfsUnit(upper, work), limit.getAsLong(), asked);
        return id == QuotaId.NONE ? quotaId : Long.toString(kept);
    }

    /**
     * {@code pouch update --disk-quota}: the new sizes replace those of the same keys, and the rootfs gets the
     * new limit of {@code /}. Only the rootfs's rule ({@code /} or {@code .*}, which create kept off every mount)
     * can change. A rootfs created without a limit cannot take one any more (its upper directory is no longer
     * empty), so that is refused.
     *
     * @return the container's rules after the update
     */
    public Map<String, String> update(Map<String, String> current, Map<String, String> changes, Path upper,
                                      Path work) {
        for (String key : changes.keySet()) {
            if (!"/".equals(key) && !DiskQuotaRules.ALL.equals(key)) {
                throw PouchException.invalidArgument(FIELD + " \"" + key + "\" cannot be updated: only the rootfs"
                        + " limit (/=SIZE, or SIZE alone) can change on an existing container");
            }
        }
        Map<String, String> merged = new LinkedHashMap<>(current == null ? Map.of() : current);
        merged.putAll(changes);
        DiskQuotaRules rules = DiskQuotaRules.parse(merged);
        OptionalLong limit = rules.limitFor("/");
        QuotaDriver d = upper == null ? null : drivers.byFilesystem(upper);
        Path unit = d == null ? null : d.rootfsUnit(upper, work);
        if (d == null || !d.isLimited(unit)) {
            throw PouchException.invalidArgument(FIELD + " cannot be added to a container created without one: its"
                    + " rootfs already holds files; set --disk-quota at create");
        }
        d.resize(unit, limit.getAsLong());
        return merged;
    }

    /** Removes the rootfs limit and what backs it (with the container); a rootfs without one is left alone. */
    public void release(Path upper, Path work) {
        QuotaDriver d = upper == null ? null : drivers.byFilesystem(upper);
        Path unit = d == null ? null : d.rootfsUnit(upper, work);
        if (d != null && d.isLimited(unit)) {
            d.release(unit);
        }
    }
}
