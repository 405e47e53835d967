package io.pouch.it;

import io.grpc.StatusRuntimeException;
import io.pouch.cri.v1.ContainerConfig;
import io.pouch.cri.v1.ContainerMetadata;
import io.pouch.cri.v1.CreateContainerRequest;
import io.pouch.cri.v1.ExecSyncRequest;
import io.pouch.cri.v1.ExecSyncResponse;
import io.pouch.cri.v1.ImageSpec;
import io.pouch.cri.v1.KeyValue;
import io.pouch.cri.v1.PodSandboxConfig;
import io.pouch.cri.v1.PodSandboxMetadata;
import io.pouch.cri.v1.PodSandboxStatus;
import io.pouch.cri.v1.PodSandboxStatusRequest;
import io.pouch.cri.v1.RemovePodSandboxRequest;
import io.pouch.cri.v1.RunPodSandboxRequest;
import io.pouch.cri.v1.StartContainerRequest;
import io.pouch.cri.v1.StopPodSandboxRequest;
import io.pouch.testing.HostNetworks;
import io.pouch.testing.HostNetworks.Subnet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A private pouchd serving the CRI, with a pod network of the test's own (Debian's bridge, host-local and portmap
 * CNI plugins on a random bridge and a reserved subnet), the project's pause image as the sandbox image, and a CRI
 * client. {@link #close} removes the pods, the daemon, the bridge and portmap's chains when they are empty.
 */
public final class CriDaemon implements AutoCloseable {
    public final PouchdHarness d;
    public final String cniBridge;
    public final Subnet podSubnet;
    private final List<String> pods = new ArrayList<>();
    private CriClient cri;

    private CriDaemon(String cniBridge, Subnet podSubnet, PouchdHarness d) {
        this.cniBridge = cniBridge;
        this.podSubnet = podSubnet;
        this.d = d;
        this.cri = new CriClient(d.base().resolve("cri.sock"));
    }

    public static CriDaemon start(String prefix) {
        return start(prefix, List.of());
    }

    /** As {@link #start(String)}, with more daemon flags. */
    public static CriDaemon start(String prefix, List<String> daemonArgs) {
        String bridge = HostNetworks.bridgeName(prefix);
        Subnet subnet = HostNetworks.reserveSubnet();
        List<String> args = new ArrayList<>(List.of("--sandbox-image", "pouch-test/pause:1", "--cni-conf-dir",
                "$BASE/cni", "--cni-bin-dir", "/usr/lib/cni"));
        args.addAll(daemonArgs);
        PouchdHarness d = PouchdHarness.startPrivate(prefix + "d", base -> writeCniConfig(base.resolve("cni"), bridge,
                subnet), args);
        try {
            Path pauseTar = d.base().resolve("pause.tar");
            Cmd.run(List.of(Cmd.repoRoot().resolve("scripts/build-pause-image").toString(), pauseTar.toString(),
                    "pouch-test/pause:1"), Map.of(), null, Duration.ofMinutes(2)).ok();
            d.docker("load", "-i", pauseTar.toString()).ok();
            return new CriDaemon(bridge, subnet, d);
        } catch (RuntimeException | AssertionError e) {
            d.close();
            Cmd.run(List.of("ip", "link", "del", bridge), Map.of(), null, Duration.ofSeconds(10));
            throw e;
        }
    }

    private static void writeCniConfig(Path dir, String bridge, Subnet subnet) {
        String conf = """
                {"cniVersion": "1.0.0", "name": "pouch-cri-test", "plugins": [
                  {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": true, "hairpinMode": true,
                   "ipam": {"type": "host-local", "dataDir": "%s", "ranges": [[{"subnet": "%s"}]]}},
                  {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}]}
                """.formatted(bridge, dir.resolve("ipam"), subnet.cidr());
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("10-test.conflist"), conf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public CriClient cri() {
        return cri;
    }

    /** A new connection (a restarted daemon's socket), as kubelet redials. */
    public void reconnect() {
        cri.close();
        cri = new CriClient(d.base().resolve("cri.sock"));
    }

    public static String id() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** A pod config as kubelet writes one: metadata, hostname, log directory, its labels and an annotation. */
    public PodSandboxConfig pod(String name) {
        return PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("default")
                        .setUid(UUID.randomUUID().toString()).setAttempt(0))
                .setHostname(name)
                .setLogDirectory(d.base().resolve("pods").resolve(name).toString())
                .putLabels("io.kubernetes.pod.name", name)
                .putLabels("io.kubernetes.pod.namespace", "default")
                .putAnnotations("test.pouch.io/pod", name)
                .build();
    }

    public String runPod(PodSandboxConfig config) {
        String id = cri.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).build())
                .getPodSandboxId();
        pods.add(id);
        return id;
    }

    public ContainerConfig container(PodSandboxConfig podConfig, String name, List<String> command) {
        return ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage("busybox:latest"))
                .addAllCommand(command)
                .addEnvs(KeyValue.newBuilder().setKey("GREETING").setValue("hello"))
                .setLogPath(name + "/0.log")
                .putLabels("io.kubernetes.container.name", name)
                .putAllLabels(podConfig.getLabelsMap()) // kubelet labels containers with their pod's name too
                .build();
    }

    public String startContainer(String pod, PodSandboxConfig podConfig, ContainerConfig c) {
        String id = cri.runtime().createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(pod)
                .setConfig(c).setSandboxConfig(podConfig).build()).getContainerId();
        cri.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
        return id;
    }

    public String startContainer(String pod, PodSandboxConfig podConfig, String name, List<String> command) {
        return startContainer(pod, podConfig, container(podConfig, name, command));
    }

    public ExecSyncResponse exec(String container, String... cmd) {
        return cri.runtime().execSync(ExecSyncRequest.newBuilder().setContainerId(container)
                .addAllCmd(List.of(cmd)).setTimeout(30).build());
    }

    public PodSandboxStatus podStatus(String id) {
        return cri.runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(id).build())
                .getStatus();
    }

    @Override
    public void close() {
        try {
            for (String pod : pods) {
                try {
                    cri.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(pod).build());
                    cri.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod).build());
                } catch (StatusRuntimeException e) {
                    System.err.println("cannot remove pod " + pod + ": " + e.getStatus());
                }
            }
            cri.close();
        } finally {
            d.close();
            Cmd.run(List.of("ip", "link", "del", cniBridge), Map.of(), null, Duration.ofSeconds(10));
            CniChains.removeEmptyPortmapChains();
        }
    }
}
