package io.pouch.daemon.cri.runtime;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.HostConfig;
import io.pouch.cri.v1.LinuxPodSandboxConfig;
import io.pouch.cri.v1.LinuxSandboxSecurityContext;
import io.pouch.cri.v1.NamespaceMode;
import io.pouch.cri.v1.NamespaceOption;
import io.pouch.cri.v1.PodSandboxConfig;
import io.pouch.cri.v1.PodSandboxMetadata;

import java.util.ArrayList;
import java.util.List;

/**
 * A pod sandbox as an engine container: the pause image in its own network (empty, for CNI to fill), IPC
 * (shareable, for the pod's containers to join) and UTS namespaces, or the host's where kubelet asks for them.
 */
final class SandboxSpecs {
    /** The engine container and host configs of a sandbox. */
    record Spec(ContainerConfig config, HostConfig hostConfig) {
    }

    private SandboxSpecs() {
    }

    static void validate(PodSandboxConfig c) {
        PodSandboxMetadata m = c.getMetadata();
        if (!c.hasMetadata() || m.getName().isEmpty() || m.getNamespace().isEmpty() || m.getUid().isEmpty()) {
            throw PouchException.invalidArgument("sandbox metadata needs name, namespace and uid (got name \""
                    + m.getName() + "\", namespace \"" + m.getNamespace() + "\", uid \"" + m.getUid() + "\")");
        }
    }

    static NamespaceOption namespaces(PodSandboxConfig c) {
        return c.getLinux().getSecurityContext().getNamespaceOptions();
    }

    static boolean hostNetwork(PodSandboxConfig c) {
        return namespaces(c).getNetwork() == NamespaceMode.NODE;
    }

    static Spec of(PodSandboxConfig c, String image, String runtime) {
        LinuxPodSandboxConfig linux = c.getLinux();
        LinuxSandboxSecurityContext sc = linux.getSecurityContext();
        NamespaceOption ns = sc.getNamespaceOptions();
        if (ns.hasUsernsOptions() && ns.getUsernsOptions().getMode() != NamespaceMode.NODE) {
            throw PouchException.invalidArgument("user namespaces for pods are not supported by this engine (userns"
                    + " mode " + ns.getUsernsOptions().getMode() + ")");
        }
        SecurityProfiles.requireNoSelinux(sc.getSelinuxOptions());
        SecurityProfiles.requireNoAppArmor(sc.hasApparmor() ? sc.getApparmor() : null, "");
        List<String> securityOpt = new ArrayList<>();
        // a privileged sandbox runs without seccomp, whatever profile it names (containerd's rule)
        String seccomp = sc.getPrivileged() ? "seccomp=unconfined"
                : SecurityProfiles.seccomp(sc.hasSeccomp() ? sc.getSeccomp() : null, sc.getSeccompProfilePath());
        if (seccomp != null) {
            securityOpt.add(seccomp);
        }
        String user = null;
        if (sc.hasRunAsUser()) {
            user = Long.toString(sc.getRunAsUser().getValue());
            if (sc.hasRunAsGroup()) {
                user += ":" + sc.getRunAsGroup().getValue();
            }
        } else if (sc.hasRunAsGroup()) {
            throw PouchException.invalidArgument("run_as_group is set without run_as_user");
        }
        boolean hostNet = ns.getNetwork() == NamespaceMode.NODE;
        ContainerConfig.Builder cc = ContainerConfig.builder()
                .image(image)
                .labels(CriLabels.sandbox(c.getLabelsMap()));
        if (!hostNet && !c.getHostname().isEmpty()) {
            cc.hostname(c.getHostname());
        }
        if (user != null) {
            cc.user(user);
        }
        HostConfig.Builder hc = HostConfig.builder()
                .networkMode(hostNet ? "host" : "none")
                .ipcMode(ns.getIpc() == NamespaceMode.NODE ? "host" : "shareable")
                .pidMode(ns.getPid() == NamespaceMode.NODE ? "host" : "")
                .utsMode(hostNet ? "host" : "")
                .privileged(sc.getPrivileged())
                .readonlyRootfs(sc.getReadonlyRootfs())
                .groupAdd(sc.getSupplementalGroupsList().stream().map(String::valueOf).toList())
                .securityOpt(securityOpt)
                .logConfig(new HostConfig.LogConfig("none", null))
                .cgroupParent(linux.getCgroupParent())
                .sysctls(linux.getSysctlsMap())
                .runtime(runtime);
        if (c.hasDnsConfig() && !hostNet) {
            hc.dns(c.getDnsConfig().getServersList())
                    .dnsSearch(c.getDnsConfig().getSearchesList())
                    .dnsOptions(c.getDnsConfig().getOptionsList());
        }
        return new Spec(cc.build(), hc.build());
    }
}
