package io.pouch.daemon.container;

import io.pouch.api.container.ContainerState;
import io.pouch.api.container.HostConfig;

import java.util.Map;

/**
 * What a container is now, from memory alone: for callers that poll often (the CRI's status and list calls) and
 * need neither its mounts nor its storage driver data, which an inspect may have to ask containerd for.
 *
 * @param created RFC 3339 with nanoseconds
 */
public record ContainerBrief(String id, String created, String imageId, ContainerState state, HostConfig hostConfig,
                             Map<String, String> labels) {
}
