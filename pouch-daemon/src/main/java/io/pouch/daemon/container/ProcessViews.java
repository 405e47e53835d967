package io.pouch.daemon.container;

/**
 * Looks up what the exec, top, stats and archive features need to know of a container ({@link
 * ContainerManager#processView}), so that they depend on this lookup rather than on the whole manager.
 */
@FunctionalInterface
public interface ProcessViews {
    /** A consistent snapshot of the container {@code ref} names; 404 when it names none. */
    ContainerManager.ProcessView processView(String ref);
}
