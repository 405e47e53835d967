package io.pouch.daemon.cri.runtime;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.HostConfig;
import io.pouch.cri.v1.Device;
import io.pouch.cri.v1.KeyValue;
import io.pouch.cri.v1.LinuxContainerResources;
import io.pouch.cri.v1.LinuxContainerSecurityContext;
import io.pouch.cri.v1.Mount;
import io.pouch.cri.v1.NamespaceMode;
import io.pouch.cri.v1.NamespaceOption;
import io.pouch.cri.v1.PodSandboxConfig;
import io.pouch.daemon.lxcfs.LxcfsAnnotation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CRI container as an engine container: it joins its sandbox's network and IPC namespaces (and PID namespace,
 * when the pod shares one), with kubelet's command, mounts, devices, security context and resources applied with
 * containerd's meaning. What the engine cannot apply is refused with the field's name.
 */
final class ContainerSpecs {
    record Spec(ContainerConfig config, HostConfig hostConfig) {
    }

    private ContainerSpecs() {
    }

    static Spec of(String sandboxId, PodSandboxConfig sandbox, io.pouch.cri.v1.ContainerConfig c, String image,
                   String runtime, HostConfig.LogConfig log) {
        if (!c.hasMetadata() || c.getMetadata().getName().isEmpty()) {
            throw PouchException.invalidArgument("container metadata needs a name");
        }
        if (c.getImage().getImage().isEmpty()) {
            throw PouchException.invalidArgument("container config needs an image");
        }
        if (c.getCDIDevicesCount() > 0) {
            throw PouchException.invalidArgument("CDI devices are not supported through the CRI by this engine");
        }
        LinuxContainerSecurityContext sc = c.getLinux().getSecurityContext();
        NamespaceOption podNs = SandboxSpecs.namespaces(sandbox);
        NamespaceOption ns = sc.getNamespaceOptions();
        SecurityProfiles.requireNoSelinux(sc.getSelinuxOptions());
        SecurityProfiles.requireNoAppArmor(sc.hasApparmor() ? sc.getApparmor() : null, sc.getApparmorProfile());
        if (sc.getCapabilities().getAddAmbientCapabilitiesCount() > 0) {
            throw PouchException.invalidArgument("ambient capabilities " + sc.getCapabilities()
                    .getAddAmbientCapabilitiesList() + " are not supported by this engine");
        }

        ContainerConfig.Builder cc = ContainerConfig.builder()
                .image(image)
                .labels(CriLabels.container(c.getLabelsMap(), sandboxId))
                .env(c.getEnvsList().stream().map(kv -> kv.getKey() + "=" + kv.getValue()).toList())
                .tty(c.getTty())
                .openStdin(c.getStdin())
                .stdinOnce(c.getStdinOnce())
                .attachStdin(c.getStdin())
                .attachStdout(true)
                .attachStderr(!c.getTty());
        if (c.getCommandCount() > 0) {
            cc.entrypoint(c.getCommandList());
        }
        if (c.getArgsCount() > 0) {
            cc.cmd(c.getArgsList());
        }
        if (!c.getWorkingDir().isEmpty()) {
            cc.workingDir(c.getWorkingDir());
        }
        String user = user(sc);
        if (user != null) {
            cc.user(user);
        }

        boolean hostNet = podNs.getNetwork() == NamespaceMode.NODE;
        List<String> securityOpt = new ArrayList<>();
        // a privileged container runs without seccomp, whatever profile it names (containerd's rule)
        String seccomp = sc.getPrivileged() ? null
                : SecurityProfiles.seccomp(sc.hasSeccomp() ? sc.getSeccomp() : null, sc.getSeccompProfilePath());
        if (seccomp != null) {
            securityOpt.add(seccomp);
        }
        if (sc.getNoNewPrivs()) {
            securityOpt.add("no-new-privileges");
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("io.kubernetes.cri.container-type", "container");
        annotations.put("io.kubernetes.cri.sandbox-id", sandboxId);
        annotations.put("io.kubernetes.cri.container-name", c.getMetadata().getName());
        annotations.put("io.kubernetes.cri.sandbox-name", sandbox.getMetadata().getName());
        annotations.put("io.kubernetes.cri.sandbox-namespace", sandbox.getMetadata().getNamespace());
        HostConfig.Builder hc = HostConfig.builder()
                .networkMode(hostNet ? "host" : "container:" + sandboxId)
                .ipcMode(podNs.getIpc() == NamespaceMode.NODE ? "host" : "container:" + sandboxId)
                .pidMode(pidMode(sandboxId, podNs, ns))
                .utsMode(hostNet ? "host" : "")
                .privileged(sc.getPrivileged())
                .readonlyRootfs(sc.getReadonlyRootfs())
                .capAdd(sc.getCapabilities().getAddCapabilitiesList())
                .capDrop(sc.getCapabilities().getDropCapabilitiesList())
                .groupAdd(sc.getSupplementalGroupsList().stream().map(String::valueOf).toList())
                .securityOpt(securityOpt)
                .binds(binds(c.getMountsList()))
                .devices(devices(c.getDevicesList()))
                .logConfig(log)
                .annotations(annotations)
                .runtime(runtime)
                .cgroupParent(sandbox.getLinux().getCgroupParent())
                .enableLxcfs(LxcfsAnnotation.enabled(sandbox.getAnnotationsMap(), c.getAnnotationsMap()));
        if (!sc.getPrivileged()) {
            // kubelet sends the paths to mask (empty lists for an unmasked /proc); the engine's defaults otherwise
            if (sc.getMaskedPathsCount() > 0) {
                hc.maskedPaths(sc.getMaskedPathsList());
            }
            if (sc.getReadonlyPathsCount() > 0) {
                hc.readonlyPaths(sc.getReadonlyPathsList());
            }
        }
        resources(hc, c.getLinux().getResources());
        return new Spec(cc.build(), hc.build());
    }

    static String user(LinuxContainerSecurityContext sc) {
        String user = null;
        if (sc.hasRunAsUser()) {
            user = Long.toString(sc.getRunAsUser().getValue());
        } else if (!sc.getRunAsUsername().isEmpty()) {
            user = sc.getRunAsUsername();
        }
        if (sc.hasRunAsGroup()) {
            if (user == null) {
                throw PouchException.invalidArgument("run_as_group is set without run_as_user or run_as_username");
            }
            user += ":" + sc.getRunAsGroup().getValue();
        }
        return user;
    }

    private static String pidMode(String sandboxId, NamespaceOption pod, NamespaceOption c) {
        if (pod.getPid() == NamespaceMode.NODE || c.getPid() == NamespaceMode.NODE) {
            return "host";
        }
        return switch (c.getPid()) {
            case POD -> "container:" + sandboxId;
            case CONTAINER -> "";
            case TARGET -> {
                if (c.getTargetId().isEmpty()) {
                    throw PouchException.invalidArgument("PID namespace mode TARGET needs a target_id");
                }
                yield "container:" + c.getTargetId();
            }
            default -> throw PouchException.invalidArgument("unknown PID namespace mode " + c.getPidValue());
        };
    }

    static List<String> binds(List<Mount> mounts) {
        List<String> out = new ArrayList<>();
        for (Mount m : mounts) {
            if (m.getContainerPath().isEmpty() || !Path.of(m.getContainerPath()).isAbsolute()) {
                throw PouchException.invalidArgument("mount container_path \"" + m.getContainerPath()
                        + "\" must be an absolute path");
            }
            if (m.getHostPath().isEmpty() || !Path.of(m.getHostPath()).isAbsolute()) {
                throw PouchException.invalidArgument("mount host_path \"" + m.getHostPath()
                        + "\" must be an absolute path");
            }
            if (m.getUidMappingsCount() > 0 || m.getGidMappingsCount() > 0) {
                throw PouchException.invalidArgument("id-mapped mounts (" + m.getContainerPath() + ") are not supported"
                        + " by this engine");
            }
            if (m.getHostPath().contains(":") || m.getContainerPath().contains(":")) {
                throw PouchException.invalidArgument("mount paths may not contain ':' (" + m.getHostPath() + ")");
            }
            String propagation = switch (m.getPropagation()) {
                case PROPAGATION_PRIVATE -> "rprivate";
                case PROPAGATION_HOST_TO_CONTAINER -> "rslave";
                case PROPAGATION_BIDIRECTIONAL -> "rshared";
                default -> throw PouchException.invalidArgument("unknown mount propagation " + m.getPropagationValue());
            };
            out.add(m.getHostPath() + ":" + m.getContainerPath() + ":" + (m.getReadonly() ? "ro" : "rw") + ","
                    + propagation);
        }
        return out;
    }

    private static List<HostConfig.DeviceMapping> devices(List<Device> devices) {
        List<HostConfig.DeviceMapping> out = new ArrayList<>();
        for (Device d : devices) {
            out.add(new HostConfig.DeviceMapping(d.getHostPath(),
                    d.getContainerPath().isEmpty() ? d.getHostPath() : d.getContainerPath(),
                    d.getPermissions().isEmpty() ? "rwm" : d.getPermissions()));
        }
        return out;
    }

    static void resources(HostConfig.Builder hc, LinuxContainerResources r) {
        if (r.getUnifiedCount() > 0) {
            throw PouchException.invalidArgument("unified cgroup resources " + r.getUnifiedMap().keySet()
                    + " need cgroup v2; this host runs cgroup v1");
        }
        r.getHugepageLimitsList().forEach(h -> {
            if (h.getLimit() != 0) {
                throw PouchException.invalidArgument("hugepage limit " + h.getPageSize() + "=" + h.getLimit()
                        + " is not supported by this engine");
            }
        });
        hc.cpuPeriod(r.getCpuPeriod())
                .cpuQuota(r.getCpuQuota())
                .cpuShares(r.getCpuShares())
                .memory(r.getMemoryLimitInBytes())
                .oomScoreAdj(OomScores.restrict((int) r.getOomScoreAdj()))
                .cpusetCpus(r.getCpusetCpus())
                .cpusetMems(r.getCpusetMems());
        if (r.getMemorySwapLimitInBytes() != 0) {
            hc.memorySwap(r.getMemorySwapLimitInBytes());
        }
    }

    static List<String> env(List<KeyValue> kvs) {
        return kvs.stream().map(kv -> kv.getKey() + "=" + kv.getValue()).toList();
    }
}
