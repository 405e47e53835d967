package io.pouch.daemon.image;

/**
 * What the container manager needs from the image manager: a local image resolved from what a user typed.
 * Implemented by the image manager; the container manager depends only on this.
 */
public interface ImageLookup {
    /**
     * Resolves {@code busybox}, {@code busybox:latest}, {@code docker.io/library/busybox:1}, {@code name@sha256:..},
     * a full image id ({@code sha256:<64 hex>}) or a unique id prefix.
     *
     * @throws io.pouch.api.PouchException 404 {@code No such image: <reference>} (the docker CLI pulls on it)
     */
    LocalImage resolve(String reference);
}
