package io.pouch.daemon.container;

/**
 * {@code POST /containers/{id}/start?checkpoint=}: checks the checkpoint and restores from it, or refuses; the
 * start route then starts the container. Kept here so the routes do not depend on the checkpoint package.
 */
@FunctionalInterface
public interface CheckpointStart {
    void startFrom(String ref, String checkpoint, String checkpointDir);
}
