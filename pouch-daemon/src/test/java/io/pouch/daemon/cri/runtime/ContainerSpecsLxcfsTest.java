package io.pouch.daemon.cri.runtime;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import io.pouch.cri.v1.ContainerConfig;
import io.pouch.cri.v1.ContainerMetadata;
import io.pouch.cri.v1.ImageSpec;
import io.pouch.cri.v1.PodSandboxConfig;
import io.pouch.cri.v1.PodSandboxMetadata;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pouch's CRI annotation io.kubernetes.lxcfs.enabled turns on HostConfig.EnableLxcfs for the pod's containers. */
class ContainerSpecsLxcfsTest {
    private static final String KEY = "io.kubernetes.lxcfs.enabled";

    private static HostConfig hostConfig(Map<String, String> pod, Map<String, String> container) {
        PodSandboxConfig sandbox = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("web").setNamespace("shop").setUid("u1"))
                .putAllAnnotations(pod).build();
        ContainerConfig c = ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("app"))
                .setImage(ImageSpec.newBuilder().setImage("busybox")).putAllAnnotations(container).build();
        return ContainerSpecs.of("0123456789abcdef", sandbox, c, "sha256:abc", "runc",
                new HostConfig.LogConfig("cri", Map.of("path", "/var/log/x.log"))).hostConfig();
    }

    @Test
    void thePodsAnnotationTurnsLxcfsOnAndAContainersOwnDecidesForIt() {
        assertFalse(hostConfig(Map.of(), Map.of()).enableLxcfs());
        assertTrue(hostConfig(Map.of(KEY, "true"), Map.of()).enableLxcfs());
        assertFalse(hostConfig(Map.of(KEY, "true"), Map.of(KEY, "false")).enableLxcfs());
        assertTrue(hostConfig(Map.of(), Map.of(KEY, "true")).enableLxcfs());
    }

    @Test
    void aValueThatIsNotABooleanIsRefusedByName() {
        PouchException e = assertThrows(PouchException.class, () -> hostConfig(Map.of(KEY, "on"), Map.of()));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains(KEY + "=\"on\""), e.getMessage());
    }
}
