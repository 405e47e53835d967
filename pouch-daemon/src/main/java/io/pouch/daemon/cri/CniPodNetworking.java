package io.pouch.daemon.cri;

import io.pouch.cri.v1.PodSandboxMetadata;
import io.pouch.cri.v1.PortMapping;
import io.pouch.daemon.cri.cni.CniNetwork;
import io.pouch.daemon.cri.cni.PodNetworkRequest;
import io.pouch.daemon.cri.runtime.PodNetworking;

import java.util.List;
import java.util.Locale;

/** Pod networks through the CNI configuration, in the CNI layer's own terms. */
final class CniPodNetworking implements PodNetworking {
    private final CniNetwork cni;

    CniPodNetworking(CniNetwork cni) {
        this.cni = cni;
    }

    private static PodNetworkRequest request(String sandboxId, String netns, PodSandboxMetadata pod,
                                             List<PortMapping> ports) {
        return new PodNetworkRequest(sandboxId, netns, pod.getName(), pod.getNamespace(), pod.getUid(),
                ports.stream().map(p -> new io.pouch.daemon.cri.cni.PortMapping(p.getHostPort(), p.getContainerPort(),
                        p.getProtocol().name().toLowerCase(Locale.ROOT), p.getHostIp())).toList());
    }

    @Override
    public List<String> setUp(String sandboxId, String netns, PodSandboxMetadata pod, List<PortMapping> ports) {
        return cni.setUp(request(sandboxId, netns, pod, ports)).ips();
    }

    @Override
    public void tearDown(String sandboxId, String netns, PodSandboxMetadata pod, List<PortMapping> ports) {
        cni.tearDown(request(sandboxId, netns, pod, ports));
    }

    @Override
    public Readiness readiness() {
        CniNetwork.Status s = cni.status();
        return new Readiness(s.ready(), s.reason(), s.message());
    }
}
