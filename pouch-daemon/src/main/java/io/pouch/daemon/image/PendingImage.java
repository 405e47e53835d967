package io.pouch.daemon.image;

import java.nio.file.Path;
import java.util.List;

/**
 * An image read and verified from an upload (load or import) but not yet stored: everything the store step needs,
 * with the layer blobs still in the spool directory.
 *
 * @param names            record names to give it ({@code docker.io/library/busybox:latest}); empty = dangling
 * @param manifest         the manifest bytes to store (original for OCI layouts, synthesised otherwise)
 * @param manifestMediaType its media type
 */
record PendingImage(List<String> names, byte[] config, String configDigest, List<Layer> layers,
                    byte[] manifest, String manifestMediaType) {

    /** A layer blob as it will be stored: {@code digest}/{@code size} of the blob, {@code diffId} verified. */
    record Layer(Path file, String digest, long size, String mediaType, String diffId) {
    }
}
