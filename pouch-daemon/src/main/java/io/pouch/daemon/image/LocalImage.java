package io.pouch.daemon.image;

import io.pouch.api.container.ContainerConfig;

import java.util.List;
import java.util.Map;

/**
 * An image present in containerd and unpacked into snapshots: what a container is created from.
 *
 * @param id          {@code sha256:<hex>} of the image config blob (Docker's image id)
 * @param name        the normalised reference that was resolved, e.g. {@code docker.io/library/busybox:latest};
 *                    the id when the user named the image by id
 * @param chainId     the snapshot (in {@link #snapshotter}) that holds the unpacked top layer, the container's
 *                    rootfs parent; null for an image with no layers
 * @param snapshotter "overlayfs"
 * @param config      the image's default run settings
 */
public record LocalImage(String id, String name, String chainId, String snapshotter, RunConfig config) {

    /** The {@code config} object of an OCI/Docker image config, the defaults a container starts from. */
    public record RunConfig(String user, List<String> env, List<String> entrypoint, List<String> cmd,
                            String workingDir, Map<String, String> labels, String stopSignal,
                            Map<String, Object> exposedPorts, Map<String, Object> volumes,
                            ContainerConfig.HealthConfig healthcheck) {

        /** Run settings without a healthcheck. */
        public RunConfig(String user, List<String> env, List<String> entrypoint, List<String> cmd, String workingDir,
                         Map<String, String> labels, String stopSignal, Map<String, Object> exposedPorts,
                         Map<String, Object> volumes) {
            this(user, env, entrypoint, cmd, workingDir, labels, stopSignal, exposedPorts, volumes, null);
        }
    }
}
