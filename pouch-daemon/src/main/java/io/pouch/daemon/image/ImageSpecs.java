package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The stored config blob of a local image, for views that show it whole (the CRI's verbose image status). */
public interface ImageSpecs {
    /**
     * The image config JSON (OCI/Docker) of the image {@code reference} names, as {@link ImageLookup#resolve}
     * resolves it; a copy the caller may change.
     *
     * @throws io.pouch.api.PouchException 404 {@code No such image: <reference>}
     */
    ObjectNode config(String reference);
}
