package io.pouch.daemon.container;

import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerState;
import io.pouch.api.container.HostConfig;

import java.util.List;

/**
 * What pouchd persists about one container ({@code containers/<id>/config.v2.json}). Immutable: every change
 * writes a new value under the container's lock.
 *
 * @param name      bare name, without the leading slash
 * @param created   RFC 3339 with nanoseconds
 * @param imageId   {@code sha256:...}
 * @param imageName what the user asked for, as Docker shows it in {@code Config.Image} and ps
 * @param chainId   the snapshot the rootfs was prepared from
 */
public record ContainerMeta(String id, String name, String created, String path, List<String> args,
                            ContainerConfig config, HostConfig hostConfig, String imageId, String imageName,
                            String chainId, ContainerState state, int restartCount) {

    public ContainerMeta withState(ContainerState s) {
        return new ContainerMeta(id, name, created, path, args, config, hostConfig, imageId, imageName, chainId, s,
                restartCount);
    }

    public ContainerMeta withName(String n) {
        return new ContainerMeta(id, n, created, path, args, config, hostConfig, imageId, imageName, chainId, state,
                restartCount);
    }

    public ContainerMeta withRestartCount(int n) {
        return new ContainerMeta(id, name, created, path, args, config, hostConfig, imageId, imageName, chainId, state,
                n);
    }

    public boolean running() {
        return state.running();
    }
}
