package io.pouch.daemon.container;

import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerInspect;
import io.pouch.api.container.HostConfig;
import io.pouch.api.container.NetworkMode;
import io.pouch.daemon.network.Attachment;
import io.pouch.daemon.network.NetworkManager;
import io.pouch.daemon.network.NetworkRequest;

import java.util.List;
import java.util.Map;

/** {@link ContainerNetworking} on pouchd's network manager: bridge networks, DNS, published ports, joins. */
public final class ManagedNetworking implements ContainerNetworking {
    private final NetworkManager networks;

    public ManagedNetworking(NetworkManager networks) {
        this.networks = networks;
    }

    @Override
    public void validate(NetworkMode mode, ContainerConfig config, HostConfig hostConfig, NetworkRequest request) {
        networks.validate(mode.value(), request, hostConfig.portBindings(), config.exposedPorts(),
                hostConfig.publishAllPorts());
        networks.validateContainerMode(config, hostConfig, request);
    }

    @Override
    public PredictedNamespace predictNamespace(String containerId, NetworkMode mode, NetworkRequest request) {
        String path = networks.predictNamespace(containerId, mode.value(), request);
        return path == null ? null : new PredictedNamespace(path.isEmpty() ? null : path);
    }

    @Override
    public void register(String containerId, String name, NetworkMode mode, NetworkRequest request) {
        networks.register(containerId, name, mode.value(), request);
    }

    @Override
    public Attachment attach(String containerId, String hostname, Map<String, Object> portBindings,
                             Map<String, Object> exposedPorts, boolean publishAllPorts) {
        return networks.attach(containerId, hostname, portBindings, exposedPorts, publishAllPorts);
    }

    @Override
    public String joinNamespace(String containerId, long pid) {
        return networks.joinNamespace(containerId, pid);
    }

    @Override
    public void detach(String containerId) {
        networks.detach(containerId);
    }

    @Override
    public void detachLater(String containerId) {
        networks.detachLater(containerId);
    }

    @Override
    public void forget(String containerId) {
        networks.forget(containerId);
    }

    @Override
    public void rename(String containerId, String newName) {
        networks.rename(containerId, newName);
    }

    @Override
    public ContainerInspect.NetworkSettings settings(String containerId, Map<String, Object> exposedPorts) {
        return networks.settings(containerId, exposedPorts);
    }

    @Override
    public List<Object> summaryPorts(String containerId, Map<String, Object> exposedPorts) {
        return networks.summaryPorts(containerId, exposedPorts);
    }

    @Override
    public Map<String, Object> summaryNetworks(String containerId) {
        return networks.summaryNetworks(containerId);
    }
}
