package io.pouch.it;

import io.pouch.cri.v1.ContainerConfig;
import io.pouch.cri.v1.LinuxContainerConfig;
import io.pouch.cri.v1.LinuxContainerResources;
import io.pouch.cri.v1.LinuxContainerSecurityContext;
import io.pouch.cri.v1.NamespaceMode;
import io.pouch.cri.v1.NamespaceOption;
import io.pouch.cri.v1.PodSandboxConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pouch's CRI switch: a pod annotated {@code io.kubernetes.lxcfs.enabled: "true"} gets LXCFS's /proc view in its
 * containers; a pod without it keeps the host's.
 */
@Tag("e2e")
class LxcfsCriEndToEndTest {
    private static PrivateLxcfs lxcfs;
    private static CriDaemon pods;

    @BeforeAll
    static void start() throws Exception {
        lxcfs = PrivateLxcfs.start();
        try {
            pods = CriDaemon.start("plxc", List.of("--enable-lxcfs", "--lxcfs-home", lxcfs.mount().toString()));
        } catch (RuntimeException | Error e) {
            lxcfs.close();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        try {
            if (pods != null) {
                pods.close();
            }
        } finally {
            lxcfs.close();
        }
    }

    private static String meminfoOfAContainerLimitedTo256MiB(PodSandboxConfig podConfig) {
        String pod = pods.runPod(podConfig);
        ContainerConfig base = pods.container(podConfig, "app", List.of("sleep", "3600"));
        // a PID namespace of its own, as kubelet asks without shareProcessNamespace: lxcfs reads the cgroup of the
        // reader's PID namespace init, which in a shared one is the pod's pause
        ContainerConfig c = base.toBuilder().setLinux(LinuxContainerConfig.newBuilder()
                .setSecurityContext(LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(
                        NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER)))
                .setResources(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(256L << 20))).build();
        String id = pods.startContainer(pod, podConfig, c);
        var r = pods.exec(id, "cat", "/proc/meminfo");
        assertEquals(0, r.getExitCode(), r.getStderr().toStringUtf8());
        // the cgroup lxcfs reads the limit from, for the failure message
        var cgroup = pods.exec(id, "sh", "-c", "grep memory /proc/1/cgroup; cat /sys/fs/cgroup/memory/memory.limit_in_bytes");
        return r.getStdout().toStringUtf8() + "\n" + cgroup.getStdout().toStringUtf8();
    }

    @Test
    void aPodAnnotatedForLxcfsSeesItsContainersLimitInProc() {
        PodSandboxConfig on = pods.pod("lx-" + CriDaemon.id()).toBuilder()
                .putAnnotations("io.kubernetes.lxcfs.enabled", "true").build();
        String meminfo = meminfoOfAContainerLimitedTo256MiB(on);
        assertTrue(meminfo.matches("(?s)MemTotal:\\s+262144 kB\n.*"), meminfo);

        String plain = meminfoOfAContainerLimitedTo256MiB(pods.pod("nolx-" + CriDaemon.id()));
        assertFalse(plain.matches("(?s)MemTotal:\\s+262144 kB\n.*"), plain);
    }
}
