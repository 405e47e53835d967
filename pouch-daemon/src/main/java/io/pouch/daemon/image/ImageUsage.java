package io.pouch.daemon.image;

import java.util.List;

/** Asked by the image manager before it removes an image: which containers still use it. */
@FunctionalInterface
public interface ImageUsage {
    /** Ids of containers (running or not) created from the image with this id. */
    List<String> containersUsing(String imageId);

    /** Ids of the running (or paused, or restarting) containers among {@link #containersUsing}. */
    default List<String> runningContainersUsing(String imageId) {
        return List.of();
    }
}
