package io.pouch.daemon.quota;

import java.nio.file.Path;

/**
 * Pouch's {@code size} option of a local volume: its data directory, empty when the volume is made, is limited
 * to the size by the quota driver of its filesystem (a filesystem without quota refuses the volume, naming the
 * option). The limit goes with the volume.
 */
public final class VolumeQuota {
    private final QuotaDrivers drivers;

    public VolumeQuota(QuotaDrivers drivers) {
        this.drivers = drivers;
    }

    /** The daemon's drivers. */
    public static VolumeQuota daemon() {
        return new VolumeQuota(QuotaDrivers.daemon());
    }

    /** @throws io.pouch.api.PouchException 400 naming the volume's size option for a bad size or no quota */
    public static long size(String volume, String size) {
        return QuotaSize.parse("create " + volume + ": option size", size);
    }

    /** Limits the fresh, empty data directory of {@code volume}. */
    public void limit(String volume, Path data, String size) {
        long bytes = size(volume, size);
        String what = "create " + volume + ": option size=" + size;
        drivers.forDir(what, data, QuotaId.NONE).limitEmpty(data, bytes, QuotaId.NONE);
    }

    /** Removes the limit and what backs it; a directory without one is left alone. */
    public void release(Path data) {
        QuotaDriver d = drivers.limiting(data);
        if (d != null) {
            d.release(data);
        }
    }
}
