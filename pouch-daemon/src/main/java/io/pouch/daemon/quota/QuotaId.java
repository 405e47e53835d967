package io.pouch.daemon.quota;

import io.pouch.api.PouchException;

/**
 * Pouch's {@code QuotaID}: empty or {@code 0} asks for none of its own, a negative number (the CLI sends
 * {@code -1}) for one the daemon picks, a positive number for that id (so a container made by an upgrade keeps
 * the quota of the one it replaces). An id goes with exactly one DiskQuota rule.
 */
public final class QuotaId {
    public static final long NONE = 0;
    public static final long AUTO = -1;

    private QuotaId() {
    }

    /** @throws PouchException 400 naming {@code QuotaID} when it is not a number or does not fit the rules */
    public static long parse(String quotaId, DiskQuotaRules rules) {
        if (quotaId == null || quotaId.isEmpty() || quotaId.equals("0")) {
            return NONE;
        }
        long id;
        try {
            id = Long.parseLong(quotaId.strip());
        } catch (NumberFormatException e) {
            throw PouchException.invalidArgument("invalid QuotaID \"" + quotaId + "\": give a number (-1 lets the"
                    + " daemon pick one)");
        }
        if (rules.isEmpty()) {
            throw PouchException.invalidArgument("invalid QuotaID \"" + quotaId + "\": set QuotaID without DiskQuota");
        }
        if (rules.rules().size() > 1) {
            throw PouchException.invalidArgument("invalid QuotaID \"" + quotaId + "\": QuotaID only used to set one"
                    + " disk quota, such as: \"/=10G\" or \"/path1=10G\" or \".*=10G\"");
        }
        if (id > 0xFFFF_FFFFL) {
            throw PouchException.invalidArgument("invalid QuotaID \"" + quotaId + "\": above 4294967295");
        }
        return id < 0 ? AUTO : id;
    }
}
