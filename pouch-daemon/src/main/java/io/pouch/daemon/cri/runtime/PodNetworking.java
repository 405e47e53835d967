package io.pouch.daemon.cri.runtime;

import io.pouch.cri.v1.PodSandboxMetadata;
import io.pouch.cri.v1.PortMapping;

import java.util.List;

/** The pod network a sandbox gets (CNI, configured the way clusters configure it). */
public interface PodNetworking {
    /** Whether pods can get a network now; the reason and message say why not, for the Status RPC. */
    record Readiness(boolean ready, String reason, String message) {
    }

    /** Sets up the network in the namespace at {@code netns}; the pod's addresses, the primary first. */
    List<String> setUp(String sandboxId, String netns, PodSandboxMetadata pod, List<PortMapping> ports);

    /** Undoes {@link #setUp}; idempotent, also when the namespace is gone. */
    void tearDown(String sandboxId, String netns, PodSandboxMetadata pod, List<PortMapping> ports);

    Readiness readiness();
}
