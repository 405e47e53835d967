package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerInspect;
import io.pouch.api.container.HostConfig;
import io.pouch.api.container.NetworkMode;
import io.pouch.daemon.network.Attachment;
import io.pouch.daemon.network.NetworkRequest;

import java.util.List;
import java.util.Map;

/** {@link ContainerNetworking#NONE}: no networks of pouchd's; the built-in modes only. */
final class NoNetworking implements ContainerNetworking {
    @Override
    public void validate(NetworkMode mode, ContainerConfig config, HostConfig hostConfig,
                         NetworkRequest request) {
        if (mode.joinedContainer() != null) {
            throw PouchException.invalidArgument("network mode " + mode.value()
                    + " is not supported yet");
        }
        if (!mode.builtIn()) {
            throw PouchException.notFound("network " + mode.value() + " not found");
        }
    }

    @Override
    public void register(String containerId, String name, NetworkMode mode, NetworkRequest request) {
    }

    @Override
    public Attachment attach(String containerId, String hostname, Map<String, Object> portBindings,
                             Map<String, Object> exposedPorts, boolean publishAllPorts) {
        return Attachment.NONE;
    }

    @Override
    public PredictedNamespace predictNamespace(String containerId, NetworkMode mode, NetworkRequest request) {
        return new PredictedNamespace(null);
    }

    @Override
    public String joinNamespace(String containerId, long pid) {
        return "/proc/" + pid + "/ns/net";
    }

    @Override
    public void detach(String containerId) {
    }

    @Override
    public void detachLater(String containerId) {
    }

    @Override
    public void forget(String containerId) {
    }

    @Override
    public void rename(String containerId, String newName) {
    }

    @Override
    public ContainerInspect.NetworkSettings settings(String containerId, Map<String, Object> exposedPorts) {
        return ContainerInspect.NetworkSettings.unattached("");
    }

    @Override
    public List<Object> summaryPorts(String containerId, Map<String, Object> exposedPorts) {
        return List.of();
    }

    @Override
    public Map<String, Object> summaryNetworks(String containerId) {
        return Map.of();
    }
}
