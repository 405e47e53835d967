package io.pouch.daemon.volume;

import java.nio.file.Path;
import java.util.Map;

/**
 * A volume driver: the built-in {@code local} and {@code tmpfs}, or a docker volume plugin. Calls for one volume
 * are serialised by {@link VolumeManager}; a driver never sees an invalid name.
 */
interface VolumeDriver {
    String name();

    /** "local" or "global" (what docker shows as Scope). */
    String scope();

    /** Checks the options and creates the volume's storage; throws 400 for bad options. */
    void create(String volume, Map<String, String> options);

    void remove(String volume);

    /** Makes the volume usable by {@code containerId} and answers the host path to bind into the container. */
    Path mount(String volume, Map<String, String> options, String containerId);

    /** {@code containerId} no longer uses the volume; {@code lastUser}: no other container has it mounted. */
    void unmount(String volume, Map<String, String> options, String containerId, boolean lastUser);

    /** The host path shown as Mountpoint (may be a path that exists only while mounted). */
    Path path(String volume);
}
