package io.pouch.daemon.container;

import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerInspect;
import io.pouch.api.container.HostConfig;
import io.pouch.api.container.NetworkMode;
import io.pouch.daemon.network.Attachment;
import io.pouch.daemon.network.NetworkRequest;

import java.util.List;
import java.util.Map;

/**
 * What the container lifecycle asks of networking: check and record a new container's networks, attach it
 * before its task starts and detach it after, and describe its networks for inspect and list. {@link #NONE} is
 * the implementation without networks of pouchd's: every container gets an empty namespace (runc makes one).
 */
public interface ContainerNetworking {
    /** At create: the networks the mode names exist, and nothing conflicts with a {@code container:} mode. */
    void validate(NetworkMode mode, ContainerConfig config, HostConfig hostConfig, NetworkRequest request);

    /** At create, after {@link #validate}: records what the new container asked for. */
    void register(String containerId, String name, NetworkMode mode, NetworkRequest request);

    /** Before the task starts: namespace, addresses and published ports (see {@link Attachment}). */
    Attachment attach(String containerId, String hostname, Map<String, Object> portBindings,
                      Map<String, Object> exposedPorts, boolean publishAllPorts);

    /**
     * What {@link #attach} will answer as the namespace path, told at create.
     *
     * @param path the namespace the task joins, or null for none of pouchd's (runc makes one, or the host's)
     */
    record PredictedNamespace(String path) {
    }

    /**
     * The namespace {@link #attach} will give a container of this {@code mode} and {@code request} (its own
     * networks; not a {@code container:} joiner's), or null when that is decided only at start.
     */
    PredictedNamespace predictNamespace(String containerId, NetworkMode mode, NetworkRequest request);

    /** The namespace a {@code container:} joiner enters: the joined container's, whose init has {@code pid}. */
    String joinNamespace(String containerId, long pid);

    /** Undoes {@link #attach} now (a start that failed). */
    void detach(String containerId);

    /** Undoes {@link #attach} off the caller's path (the task exited). */
    void detachLater(String containerId);

    /** The container is removed: drops its record. */
    void forget(String containerId);

    /** The container was renamed (its DNS name follows). */
    void rename(String containerId, String newName);

    ContainerInspect.NetworkSettings settings(String containerId, Map<String, Object> exposedPorts);

    List<Object> summaryPorts(String containerId, Map<String, Object> exposedPorts);

    Map<String, Object> summaryNetworks(String containerId);

    /**
     * No networks: the built-in modes only (each container in an empty namespace of its own, or the host's), no
     * {@code container:} joins, no named networks.
     */
    ContainerNetworking NONE = new NoNetworking();
}
