package io.pouch.daemon.image;

import io.pouch.daemon.containerd.SnapshotMounts;

/**
 * The snapshot one layer is unpacked into: {@code key} of an active snapshot prepared on the parent chain, with its
 * mounts, or a null key when the chain id is a committed snapshot already (then only leased).
 */
record UnpackTarget(String chainId, String key, SnapshotMounts mounts) {
}
