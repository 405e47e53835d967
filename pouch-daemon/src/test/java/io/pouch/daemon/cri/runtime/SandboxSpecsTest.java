package io.pouch.daemon.cri.runtime;

import io.pouch.cri.v1.DNSConfig;
import io.pouch.cri.v1.Int64Value;
import io.pouch.cri.v1.LinuxPodSandboxConfig;
import io.pouch.cri.v1.LinuxSandboxSecurityContext;
import io.pouch.cri.v1.NamespaceMode;
import io.pouch.cri.v1.NamespaceOption;
import io.pouch.cri.v1.PodSandboxConfig;
import io.pouch.cri.v1.PodSandboxMetadata;
import io.pouch.cri.v1.SELinuxOption;
import io.pouch.cri.v1.SecurityProfile;
import io.pouch.cri.v1.UserNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.pouch.daemon.cri.runtime.CriAsserts.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SandboxSpecsTest {
    private static final SecurityProfile RUNTIME_DEFAULT = SecurityProfile.newBuilder()
            .setProfileType(SecurityProfile.ProfileType.RuntimeDefault).build();

    private static PodSandboxMetadata metadata() {
        return PodSandboxMetadata.newBuilder().setName("web").setNamespace("default").setUid("uid-1").build();
    }

    /** A pod in its own namespaces with the runtime's default seccomp profile, as kubelet sends by default. */
    private static LinuxSandboxSecurityContext.Builder security() {
        return LinuxSandboxSecurityContext.newBuilder().setSeccomp(RUNTIME_DEFAULT);
    }

    private static PodSandboxConfig pod(LinuxSandboxSecurityContext.Builder sc) {
        return PodSandboxConfig.newBuilder().setMetadata(metadata()).setHostname("web-host")
                .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(sc)).build();
    }

    private static SandboxSpecs.Spec spec(LinuxSandboxSecurityContext.Builder sc) {
        return SandboxSpecs.of(pod(sc), "pause:3.9", "runc");
    }

    private static NamespaceOption ns(NamespaceMode network, NamespaceMode pid, NamespaceMode ipc) {
        return NamespaceOption.newBuilder().setNetwork(network).setPid(pid).setIpc(ipc).build();
    }

    @Test
    void podNetworkIsAnEmptyNamespaceWithThePodsHostname() {
        SandboxSpecs.Spec s = spec(security());
        assertEquals("none", s.hostConfig().networkMode());
        assertEquals("", s.hostConfig().utsMode());
        assertEquals("web-host", s.config().hostname());
        assertEquals("pause:3.9", s.config().image());
        assertEquals("runc", s.hostConfig().runtime());
        assertEquals(Map.of(CriLabels.TYPE, CriLabels.SANDBOX), s.config().labels());
        assertFalse(SandboxSpecs.hostNetwork(pod(security())));
    }

    @Test
    void hostNetworkSharesTheHostsNetworkAndUtsAndSetsNoHostname() {
        PodSandboxConfig c = pod(security().setNamespaceOptions(ns(NamespaceMode.NODE, NamespaceMode.POD,
                NamespaceMode.POD)));
        SandboxSpecs.Spec s = SandboxSpecs.of(c, "pause", null);
        assertEquals("host", s.hostConfig().networkMode());
        assertEquals("host", s.hostConfig().utsMode());
        assertNull(s.config().hostname());
        assertTrue(SandboxSpecs.hostNetwork(c));
    }

    @Test
    void ipcIsShareableUnlessTheHostsIsAsked() {
        assertEquals("shareable", spec(security()).hostConfig().ipcMode());
        assertEquals("host", spec(security().setNamespaceOptions(ns(NamespaceMode.POD, NamespaceMode.POD,
                NamespaceMode.NODE))).hostConfig().ipcMode());
    }

    @Test
    void pidIsTheSandboxsOwnUnlessTheHostsIsAsked() {
        assertEquals("", spec(security()).hostConfig().pidMode());
        assertEquals("host", spec(security().setNamespaceOptions(ns(NamespaceMode.POD, NamespaceMode.NODE,
                NamespaceMode.POD))).hostConfig().pidMode());
    }

    @Test
    void runAsUserAndGroupMakeTheUser() {
        assertNull(spec(security()).config().user());
        assertEquals("1000", spec(security().setRunAsUser(Int64Value.newBuilder().setValue(1000)))
                .config().user());
        assertEquals("1000:2000", spec(security().setRunAsUser(Int64Value.newBuilder().setValue(1000))
                .setRunAsGroup(Int64Value.newBuilder().setValue(2000))).config().user());
        assertEquals("0:0", spec(security().setRunAsUser(Int64Value.newBuilder().setValue(0))
                .setRunAsGroup(Int64Value.newBuilder().setValue(0))).config().user());
    }

    @Test
    void runAsGroupWithoutUserIsRefused() {
        refused(() -> spec(security().setRunAsGroup(Int64Value.newBuilder().setValue(2000))), "run_as_group");
    }

    @Test
    void privilegeReadonlyRootAndGroupsAreCopied() {
        SandboxSpecs.Spec s = spec(security().setPrivileged(true).setReadonlyRootfs(true)
                .addSupplementalGroups(5).addSupplementalGroups(7));
        assertTrue(s.hostConfig().privileged());
        assertTrue(s.hostConfig().readonlyRootfs());
        assertEquals(List.of("5", "7"), s.hostConfig().groupAdd());
    }

    @Test
    void dnsIsCopiedOnlyWithoutHostNetwork() {
        DNSConfig dns = DNSConfig.newBuilder().addServers("10.0.0.10").addSearches("svc.cluster.local")
                .addOptions("ndots:5").build();
        PodSandboxConfig own = pod(security()).toBuilder().setDnsConfig(dns).build();
        SandboxSpecs.Spec s = SandboxSpecs.of(own, "pause", null);
        assertEquals(List.of("10.0.0.10"), s.hostConfig().dns());
        assertEquals(List.of("svc.cluster.local"), s.hostConfig().dnsSearch());
        assertEquals(List.of("ndots:5"), s.hostConfig().dnsOptions());

        PodSandboxConfig host = pod(security().setNamespaceOptions(ns(NamespaceMode.NODE, NamespaceMode.POD,
                NamespaceMode.POD))).toBuilder().setDnsConfig(dns).build();
        SandboxSpecs.Spec h = SandboxSpecs.of(host, "pause", null);
        assertNull(h.hostConfig().dns());
        assertNull(h.hostConfig().dnsSearch());
        assertNull(h.hostConfig().dnsOptions());
    }

    @Test
    void sysctlsCgroupParentAndLabelsAreCopiedAndLogsGoNowhere() {
        PodSandboxConfig c = PodSandboxConfig.newBuilder().setMetadata(metadata())
                .putLabels("io.kubernetes.pod.name", "web")
                .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(security())
                        .setCgroupParent("/kubepods/besteffort/poduid-1")
                        .putSysctls("net.ipv4.ip_unprivileged_port_start", "0"))
                .build();
        SandboxSpecs.Spec s = SandboxSpecs.of(c, "pause", null);
        assertEquals("/kubepods/besteffort/poduid-1", s.hostConfig().cgroupParent());
        assertEquals(Map.of("net.ipv4.ip_unprivileged_port_start", "0"), s.hostConfig().sysctls());
        assertEquals("none", s.hostConfig().logConfig().type());
        assertEquals(Map.of("io.kubernetes.pod.name", "web", CriLabels.TYPE, CriLabels.SANDBOX),
                s.config().labels());
    }

    @Test
    void seccompUnsetWithNoDeprecatedPathIsUnconfined() {
        assertEquals(List.of("seccomp=unconfined"), spec(LinuxSandboxSecurityContext.newBuilder())
                .hostConfig().securityOpt());
    }

    @Test
    void seccompRuntimeDefaultLeavesTheEnginesDefault() {
        assertEquals(List.of(), spec(security()).hostConfig().securityOpt());
    }

    @Test
    void seccompUnconfined() {
        assertEquals(List.of("seccomp=unconfined"), spec(LinuxSandboxSecurityContext.newBuilder()
                .setSeccomp(SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.Unconfined)))
                .hostConfig().securityOpt());
    }

    @Test
    void seccompLocalhostIsTheProfileFilesContents(@TempDir Path dir) throws Exception {
        Path profile = dir.resolve("profile.json");
        String json = "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}";
        Files.writeString(profile, json);
        SecurityProfile p = SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.Localhost)
                .setLocalhostRef(profile.toString()).build();
        assertEquals(List.of("seccomp=" + json), spec(LinuxSandboxSecurityContext.newBuilder().setSeccomp(p))
                .hostConfig().securityOpt());
    }

    @Test
    void seccompLocalhostWithARelativePathIsRefused() {
        SecurityProfile p = SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.Localhost)
                .setLocalhostRef("profiles/audit.json").build();
        refused(() -> spec(LinuxSandboxSecurityContext.newBuilder().setSeccomp(p)), "profiles/audit.json",
                "absolute");
    }

    @Test
    void seccompLocalhostThatCannotBeReadIsRefused(@TempDir Path dir) {
        String missing = dir.resolve("missing.json").toString();
        SecurityProfile p = SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.Localhost)
                .setLocalhostRef(missing).build();
        refused(() -> spec(LinuxSandboxSecurityContext.newBuilder().setSeccomp(p)), missing);
    }

    @Test
    void selinuxOptionsAreRefused() {
        refused(() -> spec(security().setSelinuxOptions(SELinuxOption.newBuilder().setType("spc_t"))),
                "SELinux", "spc_t");
    }

    @Test
    void appArmorLocalhostIsRefusedButRuntimeDefaultAndUnconfinedPass() {
        refused(() -> spec(security().setApparmor(SecurityProfile.newBuilder()
                .setProfileType(SecurityProfile.ProfileType.Localhost).setLocalhostRef("k8s-apparmor-deny"))),
                "AppArmor", "k8s-apparmor-deny");
        assertEquals("none", spec(security().setApparmor(SecurityProfile.newBuilder()
                .setProfileType(SecurityProfile.ProfileType.RuntimeDefault))).hostConfig().networkMode());
        assertEquals("none", spec(security().setApparmor(SecurityProfile.newBuilder()
                .setProfileType(SecurityProfile.ProfileType.Unconfined))).hostConfig().networkMode());
    }

    @Test
    void userNamespacesOtherThanTheHostsAreRefused() {
        refused(() -> spec(security().setNamespaceOptions(NamespaceOption.newBuilder()
                .setUsernsOptions(UserNamespace.newBuilder().setMode(NamespaceMode.POD)))), "user namespace", "POD");
        assertEquals("none", spec(security().setNamespaceOptions(NamespaceOption.newBuilder()
                .setUsernsOptions(UserNamespace.newBuilder().setMode(NamespaceMode.NODE)))).hostConfig().networkMode());
    }

    @Test
    void validateNeedsNameNamespaceAndUid() {
        SandboxSpecs.validate(pod(security()));
        refused(() -> SandboxSpecs.validate(PodSandboxConfig.getDefaultInstance()), "name", "namespace", "uid");
        refused(() -> SandboxSpecs.validate(pod(security()).toBuilder()
                .setMetadata(metadata().toBuilder().setName("")).build()), "name \"\"");
        refused(() -> SandboxSpecs.validate(pod(security()).toBuilder()
                .setMetadata(metadata().toBuilder().setNamespace("")).build()), "namespace \"\"");
        refused(() -> SandboxSpecs.validate(pod(security()).toBuilder()
                .setMetadata(metadata().toBuilder().setUid("")).build()), "uid \"\"");
    }
}
