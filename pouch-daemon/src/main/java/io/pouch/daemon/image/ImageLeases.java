package io.pouch.daemon.image;

import io.pouch.daemon.containerd.Leases;

import java.time.Duration;
import java.util.UUID;

/**
 * The leases image writes run under: what a load, import, commit or pull stores is held by its lease until the image
 * records hold it. A lease expires by itself after a day, so a crash of pouchd mid-write leaves nothing pinned forever.
 */
final class ImageLeases {
    private static final Duration EXPIRY = Duration.ofDays(1);

    private final Leases leases;

    ImageLeases(Leases leases) {
        this.leases = leases;
    }

    /** A new lease named after {@code purpose} ("load", "pulling", ...). */
    String create(String purpose) {
        return leases.create("pouch-image-" + purpose + "-" + UUID.randomUUID(), EXPIRY);
    }

    void delete(String id) {
        leases.delete(id);
    }

    /** {@code collect}: containerd collects what only this lease kept before answering (a failed pull). */
    void delete(String id, boolean collect) {
        leases.delete(id, collect);
    }
}
