package io.pouch.daemon.containerd;

import containerd.services.leases.v1.LeasesOuterClass;

import java.time.Duration;
import java.time.Instant;

/**
 * containerd's leases: what a lease holds is kept from containerd's garbage collector until the lease is deleted.
 * Every lease pouchd takes carries {@code containerd.io/gc.expire}, so a pouchd that dies mid-operation leaves
 * nothing pinned for ever: containerd expires the lease itself.
 */
public final class Leases {
    private final Containerd ctd;

    public Leases(Containerd ctd) {
        this.ctd = ctd;
    }

    /** Creates lease {@code id}, expiring by itself after {@code expiry}; returns the id. */
    public String create(String id, Duration expiry) {
        Calls.run(() -> ctd.leases().create(LeasesOuterClass.CreateRequest.newBuilder().setId(id)
                .putLabels("containerd.io/gc.expire", Instant.now().plus(expiry).toString())
                .build()));
        return id;
    }

    /** Deletes the lease; one already gone is fine. */
    public void delete(String id) {
        delete(id, false);
    }

    /** {@code sync}: containerd collects what only this lease kept before answering. */
    public void delete(String id, boolean sync) {
        Calls.ignoreNotFound(() -> ctd.leases().delete(LeasesOuterClass.DeleteRequest.newBuilder().setId(id)
                .setSync(sync).build()));
    }

    /** Puts an existing resource (for example {@code snapshots/overlayfs}, a key) under the lease. */
    public void addResource(String lease, String type, String resourceId) {
        Calls.run(() -> ctd.leases().addResource(LeasesOuterClass.AddResourceRequest.newBuilder().setId(lease)
                .setResource(LeasesOuterClass.Resource.newBuilder().setId(resourceId).setType(type)).build()));
    }
}
