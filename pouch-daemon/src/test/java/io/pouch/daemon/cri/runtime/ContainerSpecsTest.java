package io.pouch.daemon.cri.runtime;

import io.pouch.api.container.HostConfig;
import io.pouch.cri.v1.CDIDevice;
import io.pouch.cri.v1.Capability;
import io.pouch.cri.v1.ContainerConfig;
import io.pouch.cri.v1.ContainerMetadata;
import io.pouch.cri.v1.Device;
import io.pouch.cri.v1.HugepageLimit;
import io.pouch.cri.v1.IDMapping;
import io.pouch.cri.v1.ImageSpec;
import io.pouch.cri.v1.Int64Value;
import io.pouch.cri.v1.KeyValue;
import io.pouch.cri.v1.LinuxContainerConfig;
import io.pouch.cri.v1.LinuxContainerResources;
import io.pouch.cri.v1.LinuxContainerSecurityContext;
import io.pouch.cri.v1.LinuxPodSandboxConfig;
import io.pouch.cri.v1.LinuxSandboxSecurityContext;
import io.pouch.cri.v1.Mount;
import io.pouch.cri.v1.MountPropagation;
import io.pouch.cri.v1.NamespaceMode;
import io.pouch.cri.v1.NamespaceOption;
import io.pouch.cri.v1.PodSandboxConfig;
import io.pouch.cri.v1.PodSandboxMetadata;
import io.pouch.cri.v1.SELinuxOption;
import io.pouch.cri.v1.SecurityProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.pouch.daemon.cri.runtime.CriAsserts.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContainerSpecsTest {
    private static final String SANDBOX = "0123456789abcdef";
    private static final SecurityProfile RUNTIME_DEFAULT = SecurityProfile.newBuilder()
            .setProfileType(SecurityProfile.ProfileType.RuntimeDefault).build();
    private static final HostConfig.LogConfig LOG = new HostConfig.LogConfig("cri", Map.of("path", "/var/log/x.log"));

    private static PodSandboxConfig pod(NamespaceOption ns) {
        return PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("web").setNamespace("shop").setUid("u1"))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent("/kubepods/podu1")
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(ns)))
                .build();
    }

    private static final PodSandboxConfig POD = pod(NamespaceOption.getDefaultInstance());

    /** The security context kubelet sends for a plain container: the runtime's default seccomp profile. */
    private static LinuxContainerSecurityContext.Builder security() {
        return LinuxContainerSecurityContext.newBuilder().setSeccomp(RUNTIME_DEFAULT);
    }

    private static ContainerConfig.Builder container(LinuxContainerSecurityContext.Builder sc) {
        return ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName("app"))
                .setImage(ImageSpec.newBuilder().setImage("busybox"))
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(sc));
    }

    private static ContainerSpecs.Spec spec(ContainerConfig.Builder c) {
        return spec(POD, c);
    }

    private static ContainerSpecs.Spec spec(PodSandboxConfig pod, ContainerConfig.Builder c) {
        return ContainerSpecs.of(SANDBOX, pod, c.build(), "sha256:abc", "runc", LOG);
    }

    private static ContainerSpecs.Spec spec(LinuxContainerSecurityContext.Builder sc) {
        return spec(container(sc));
    }

    private static String pid(NamespaceMode pod, NamespaceMode container, String target) {
        return spec(pod(NamespaceOption.newBuilder().setPid(pod).build()), container(security()
                .setNamespaceOptions(NamespaceOption.newBuilder().setPid(container).setTargetId(target))))
                .hostConfig().pidMode();
    }

    @Test
    void joinsTheSandboxsNetworkAndIpc() {
        HostConfig h = spec(security()).hostConfig();
        assertEquals("container:" + SANDBOX, h.networkMode());
        assertEquals("container:" + SANDBOX, h.ipcMode());
        assertEquals("", h.utsMode());
        assertEquals("runc", h.runtime());
        assertEquals("/kubepods/podu1", h.cgroupParent());
        assertSame(LOG, h.logConfig());
        assertEquals("sha256:abc", spec(security()).config().image());
    }

    @Test
    void hostNamespacesOfThePodAreTheHosts() {
        HostConfig h = spec(pod(NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE)
                .setIpc(NamespaceMode.NODE).build()), container(security())).hostConfig();
        assertEquals("host", h.networkMode());
        assertEquals("host", h.ipcMode());
        assertEquals("host", h.utsMode());
    }

    @Test
    void pidNamespaceModes() {
        assertEquals("container:" + SANDBOX, pid(NamespaceMode.POD, NamespaceMode.POD, ""));
        assertEquals("", pid(NamespaceMode.POD, NamespaceMode.CONTAINER, ""));
        assertEquals("host", pid(NamespaceMode.POD, NamespaceMode.NODE, ""));
        assertEquals("host", pid(NamespaceMode.NODE, NamespaceMode.CONTAINER, ""));
        assertEquals("container:feedbeef", pid(NamespaceMode.POD, NamespaceMode.TARGET, "feedbeef"));
        refused(() -> pid(NamespaceMode.POD, NamespaceMode.TARGET, ""), "TARGET", "target_id");
    }

    @Test
    void commandIsTheEntrypointAndArgsTheCmd() {
        var c = spec(container(security()).addCommand("/bin/sh").addCommand("-c").addArgs("echo hi")).config();
        assertEquals(List.of("/bin/sh", "-c"), c.entrypoint());
        assertEquals(List.of("echo hi"), c.cmd());
        var argsOnly = spec(container(security()).addArgs("--port=80")).config();
        assertNull(argsOnly.entrypoint());
        assertEquals(List.of("--port=80"), argsOnly.cmd());
        var neither = spec(container(security())).config();
        assertNull(neither.entrypoint());
        assertNull(neither.cmd());
        assertNull(neither.workingDir());
        assertEquals("/srv", spec(container(security()).setWorkingDir("/srv")).config().workingDir());
    }

    @Test
    void envAndStdio() {
        var c = spec(container(security())
                .addEnvs(KeyValue.newBuilder().setKey("A").setValue("1"))
                .addEnvs(KeyValue.newBuilder().setKey("B").setValue("x=y"))
                .setStdin(true).setStdinOnce(true).setTty(true)).config();
        assertEquals(List.of("A=1", "B=x=y"), c.env());
        assertTrue(c.tty());
        assertTrue(c.openStdin());
        assertTrue(c.attachStdin());
        assertTrue(c.stdinOnce());
        assertFalse(c.attachStderr());
        var plain = spec(container(security())).config();
        assertFalse(plain.openStdin());
        assertTrue(plain.attachStderr());
        assertEquals(List.of("A=1"), ContainerSpecs.env(List.of(KeyValue.newBuilder().setKey("A").setValue("1")
                .build())));
    }

    @Test
    void userFromUidNameAndGroup() {
        assertNull(spec(security()).config().user());
        assertEquals("1000", spec(security().setRunAsUser(Int64Value.newBuilder().setValue(1000))).config().user());
        assertEquals("nobody", spec(security().setRunAsUsername("nobody")).config().user());
        assertEquals("1000:3000", spec(security().setRunAsUser(Int64Value.newBuilder().setValue(1000))
                .setRunAsGroup(Int64Value.newBuilder().setValue(3000))).config().user());
        assertEquals("nobody:3000", spec(security().setRunAsUsername("nobody")
                .setRunAsGroup(Int64Value.newBuilder().setValue(3000))).config().user());
        refused(() -> spec(security().setRunAsGroup(Int64Value.newBuilder().setValue(3000))), "run_as_group");
    }

    private static Mount.Builder mount(String host, String ctr) {
        return Mount.newBuilder().setHostPath(host).setContainerPath(ctr);
    }

    @Test
    void mountsAreBindStringsWithTheirPropagation() {
        assertEquals(List.of("/h/a:/c/a:rw,rprivate", "/h/b:/c/b:ro,rslave", "/h/c:/c/c:rw,rshared"),
                ContainerSpecs.binds(List.of(
                        mount("/h/a", "/c/a").build(),
                        mount("/h/b", "/c/b").setReadonly(true)
                                .setPropagation(MountPropagation.PROPAGATION_HOST_TO_CONTAINER).build(),
                        mount("/h/c", "/c/c").setPropagation(MountPropagation.PROPAGATION_BIDIRECTIONAL).build())));
        assertEquals(List.of("/var/lib/kubelet/pods/u1/volumes/x:/data:ro,rprivate"),
                spec(container(security()).addMounts(mount("/var/lib/kubelet/pods/u1/volumes/x", "/data")
                        .setReadonly(true))).hostConfig().binds());
        assertEquals(List.of(), spec(security()).hostConfig().binds());
    }

    @Test
    void badMountsAreRefused() {
        refused(() -> ContainerSpecs.binds(List.of(mount("relative/dir", "/c").build())), "host_path",
                "relative/dir");
        refused(() -> ContainerSpecs.binds(List.of(mount("/h", "data").build())), "container_path", "data");
        refused(() -> ContainerSpecs.binds(List.of(mount("", "/c").build())), "host_path");
        refused(() -> ContainerSpecs.binds(List.of(mount("/h:x", "/c").build())), "':'");
        refused(() -> ContainerSpecs.binds(List.of(mount("/h", "/c:x").build())), "':'");
        refused(() -> ContainerSpecs.binds(List.of(mount("/h", "/c").addUidMappings(IDMapping.newBuilder()
                .setHostId(100000).setLength(65536)).build())), "id-mapped", "/c");
        refused(() -> ContainerSpecs.binds(List.of(mount("/h", "/c").addGidMappings(IDMapping.newBuilder()
                .setHostId(100000).setLength(65536)).build())), "id-mapped");
    }

    @Test
    void devicesDefaultToTheHostPathAndFullPermissions() {
        assertEquals(List.of(new HostConfig.DeviceMapping("/dev/fuse", "/dev/fuse", "rwm"),
                        new HostConfig.DeviceMapping("/dev/sda", "/dev/xvda", "r")),
                spec(container(security())
                        .addDevices(Device.newBuilder().setHostPath("/dev/fuse"))
                        .addDevices(Device.newBuilder().setHostPath("/dev/sda").setContainerPath("/dev/xvda")
                                .setPermissions("r"))).hostConfig().devices());
    }

    @Test
    void maskedAndReadonlyPathsOnlyWhenGivenAndNotPrivileged() {
        HostConfig none = spec(security()).hostConfig();
        assertNull(none.maskedPaths());
        assertNull(none.readonlyPaths());
        HostConfig given = spec(security().addMaskedPaths("/proc/kcore").addReadonlyPaths("/proc/sys"))
                .hostConfig();
        assertEquals(List.of("/proc/kcore"), given.maskedPaths());
        assertEquals(List.of("/proc/sys"), given.readonlyPaths());
        HostConfig privileged = spec(security().setPrivileged(true).addMaskedPaths("/proc/kcore")
                .addReadonlyPaths("/proc/sys")).hostConfig();
        assertTrue(privileged.privileged());
        assertNull(privileged.maskedPaths());
        assertNull(privileged.readonlyPaths());
    }

    @Test
    void seccompIsSkippedWhenPrivileged() {
        SecurityProfile unconfined = SecurityProfile.newBuilder()
                .setProfileType(SecurityProfile.ProfileType.Unconfined).build();
        assertEquals(List.of("seccomp=unconfined"), spec(security().setSeccomp(unconfined)).hostConfig()
                .securityOpt());
        assertEquals(List.of(), spec(security().setSeccomp(unconfined).setPrivileged(true)).hostConfig()
                .securityOpt());
        assertEquals(List.of(), spec(security()).hostConfig().securityOpt());
    }

    @Test
    void noNewPrivileges() {
        assertEquals(List.of("no-new-privileges"), spec(security().setNoNewPrivs(true)).hostConfig().securityOpt());
    }

    @Test
    void capabilitiesAddAndDrop() {
        HostConfig h = spec(security().setCapabilities(Capability.newBuilder().addAddCapabilities("NET_ADMIN")
                .addDropCapabilities("ALL"))).hostConfig();
        assertEquals(List.of("NET_ADMIN"), h.capAdd());
        assertEquals(List.of("ALL"), h.capDrop());
    }

    @Test
    void ambientCapabilitiesAreRefused() {
        refused(() -> spec(security().setCapabilities(Capability.newBuilder()
                .addAddAmbientCapabilities("NET_BIND_SERVICE"))), "ambient", "NET_BIND_SERVICE");
    }

    @Test
    void selinuxAndAppArmorProfilesAreRefused() {
        refused(() -> spec(security().setSelinuxOptions(SELinuxOption.newBuilder().setLevel("s0:c123"))),
                "SELinux", "s0:c123");
        refused(() -> spec(security().setApparmor(SecurityProfile.newBuilder()
                .setProfileType(SecurityProfile.ProfileType.Localhost).setLocalhostRef("deny-write"))),
                "AppArmor", "deny-write");
        refused(() -> spec(security().setApparmorProfile("localhost/deny-write")), "AppArmor", "deny-write");
    }

    private static ContainerSpecs.Spec withResources(LinuxContainerResources.Builder r) {
        return spec(container(security()).setLinux(LinuxContainerConfig.newBuilder()
                .setSecurityContext(security()).setResources(r)));
    }

    @Test
    void resourcesAreCopied() {
        HostConfig h = withResources(LinuxContainerResources.newBuilder().setCpuPeriod(100000).setCpuQuota(50000)
                .setCpuShares(512).setMemoryLimitInBytes(64 << 20).setCpusetCpus("0-1").setCpusetMems("0")
                .setOomScoreAdj(1000)).hostConfig();
        assertEquals(100000, h.cpuPeriod());
        assertEquals(50000, h.cpuQuota());
        assertEquals(512, h.cpuShares());
        assertEquals(64 << 20, h.memory());
        assertEquals("0-1", h.cpusetCpus());
        assertEquals("0", h.cpusetMems());
        assertEquals(1000, h.oomScoreAdj());
    }

    @Test
    void memorySwapOnlyWhenNonZero() {
        assertEquals(0, withResources(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(1 << 20))
                .hostConfig().memorySwap());
        assertEquals(-1, withResources(LinuxContainerResources.newBuilder().setMemorySwapLimitInBytes(-1))
                .hostConfig().memorySwap());
        assertEquals(2 << 20, withResources(LinuxContainerResources.newBuilder().setMemorySwapLimitInBytes(2 << 20))
                .hostConfig().memorySwap());
    }

    @Test
    void unifiedResourcesAndHugepageLimitsAreRefused() {
        refused(() -> withResources(LinuxContainerResources.newBuilder().putUnified("memory.high", "1G")),
                "unified", "memory.high");
        refused(() -> withResources(LinuxContainerResources.newBuilder().addHugepageLimits(HugepageLimit
                .newBuilder().setPageSize("2MB").setLimit(4 << 20))), "hugepage", "2MB");
        // kubelet lists every page size with limit 0 when the pod asks for none
        assertEquals("container:" + SANDBOX, withResources(LinuxContainerResources.newBuilder()
                .addHugepageLimits(HugepageLimit.newBuilder().setPageSize("2MB"))).hostConfig().networkMode());
    }

    @Test
    void labelsAndAnnotationsMarkTheCriContainer() {
        var s = spec(container(security()).putLabels("io.kubernetes.container.name", "app"));
        assertEquals(Map.of("io.kubernetes.container.name", "app", CriLabels.TYPE, CriLabels.CONTAINER,
                CriLabels.SANDBOX_ID, SANDBOX), s.config().labels());
        assertEquals(Map.of("io.kubernetes.cri.container-type", "container",
                "io.kubernetes.cri.sandbox-id", SANDBOX,
                "io.kubernetes.cri.container-name", "app",
                "io.kubernetes.cri.sandbox-name", "web",
                "io.kubernetes.cri.sandbox-namespace", "shop"), s.hostConfig().annotations());
    }

    @Test
    void cdiDevicesAreRefused() {
        refused(() -> spec(container(security()).addCDIDevices(CDIDevice.newBuilder()
                .setName("vendor.com/gpu=0"))), "CDI");
    }

    @Test
    void metadataNameAndImageAreNeeded() {
        refused(() -> spec(container(security()).clearMetadata()), "name");
        refused(() -> spec(container(security()).setImage(ImageSpec.getDefaultInstance())), "image");
    }
}
