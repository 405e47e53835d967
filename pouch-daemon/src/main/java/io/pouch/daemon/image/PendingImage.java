package io.pouch.daemon.image;

import io.pouch.daemon.containerd.Descriptor;

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

    /** The layers as the manifest lists them. */
    List<Descriptor> layerDescriptors() {
        return layers.stream().map(l -> new Descriptor(l.mediaType(), l.digest(), l.size())).toList();
    }

    /** The chain id of every layer, bottom first: the snapshots the image's layers unpack into. */
    List<String> chainIds() {
        return ChainIds.of(layers.stream().map(Layer::diffId).toList());
    }

    /** A layer blob as it will be stored: {@code digest}/{@code size} of the blob, {@code diffId} verified. */
    record Layer(Path file, String digest, long size, String mediaType, String diffId) {
    }
}
