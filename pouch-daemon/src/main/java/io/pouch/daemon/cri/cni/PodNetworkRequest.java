package io.pouch.daemon.cri.cni;

import java.util.List;

/**
 * What the CNI plugins need to attach (or detach) one pod sandbox: its id (CNI_CONTAINERID), the path of its
 * network namespace (CNI_NETNS), the pod's identity for CNI_ARGS and the ports to publish.
 */
public record PodNetworkRequest(String sandboxId, String netnsPath, String podName, String podNamespace,
                                String podUid, List<PortMapping> portMappings) {
    public PodNetworkRequest {
        portMappings = portMappings == null ? List.of() : List.copyOf(portMappings);
    }
}
