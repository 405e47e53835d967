package io.pouch.it;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pouch.cri.v1.ContainerConfig;
import io.pouch.cri.v1.ContainerEventResponse;
import io.pouch.cri.v1.ContainerEventType;
import io.pouch.cri.v1.GetEventsRequest;
import io.pouch.cri.v1.ImageFsInfoRequest;
import io.pouch.cri.v1.ImageStatusRequest;
import io.pouch.cri.v1.ListImagesRequest;
import io.pouch.cri.v1.PodSandboxStatsRequest;
import io.pouch.cri.v1.PullImageRequest;
import io.pouch.cri.v1.RemoveImageRequest;
import io.pouch.cri.v1.ContainerFilter;
import io.pouch.cri.v1.ContainerMetadata;
import io.pouch.cri.v1.ContainerState;
import io.pouch.cri.v1.ContainerStateValue;
import io.pouch.cri.v1.ContainerStatsRequest;
import io.pouch.cri.v1.ContainerStatusRequest;
import io.pouch.cri.v1.CreateContainerRequest;
import io.pouch.cri.v1.ExecSyncRequest;
import io.pouch.cri.v1.ExecSyncResponse;
import io.pouch.cri.v1.ImageSpec;
import io.pouch.cri.v1.KeyValue;
import io.pouch.cri.v1.ListContainersRequest;
import io.pouch.cri.v1.ListPodSandboxRequest;
import io.pouch.cri.v1.PodSandboxConfig;
import io.pouch.cri.v1.PodSandboxFilter;
import io.pouch.cri.v1.PodSandboxMetadata;
import io.pouch.cri.v1.PodSandboxState;
import io.pouch.cri.v1.PodSandboxStatus;
import io.pouch.cri.v1.PodSandboxStatusRequest;
import io.pouch.cri.v1.PortMapping;
import io.pouch.cri.v1.RemoveContainerRequest;
import io.pouch.cri.v1.RemovePodSandboxRequest;
import io.pouch.cri.v1.ReopenContainerLogRequest;
import io.pouch.cri.v1.RunPodSandboxRequest;
import io.pouch.cri.v1.StartContainerRequest;
import io.pouch.cri.v1.StatusRequest;
import io.pouch.cri.v1.StatusResponse;
import io.pouch.cri.v1.StopContainerRequest;
import io.pouch.cri.v1.StopPodSandboxRequest;
import io.pouch.cri.v1.VersionRequest;
import io.pouch.testing.Await;
import io.pouch.testing.HostNetworks;
import io.pouch.testing.HostNetworks.Subnet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kubernetes CRI through the project's own generated client, as kubelet drives it: pod sandboxes with CNI
 * networking (Debian's bridge, host-local and portmap plugins on a bridge and subnet of this test's own), containers
 * joined to them, ExecSync, CRI-format logs and their reopening, stats, hostPort, pods surviving a pouchd restart,
 * and the error codes of bad calls. Traffic goes only to the test's own pods and the host's own addresses.
 */
@Tag("e2e")
class CriEndToEndTest {
    /** CRI log lines: RFC 3339 nano time, stream, full/partial tag, content. */
    private static final Pattern CRI_LINE = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z (stdout|stderr) [FP] .*$");
    private static CriDaemon pods;
    private static PouchdHarness d;
    private static CriClient cri;
    private static Subnet podSubnet;

    @BeforeAll
    static void daemon() {
        pods = CriDaemon.start("pcri");
        d = pods.d;
        cri = pods.cri();
        podSubnet = pods.podSubnet;
    }

    @AfterAll
    static void cleanUp() {
        if (pods != null) {
            pods.close();
        }
    }

    private static String id() {
        return CriDaemon.id();
    }

    private static PodSandboxConfig pod(String name) {
        return pods.pod(name);
    }

    private static String runPod(PodSandboxConfig config) {
        return pods.runPod(config);
    }

    private static String startContainer(String pod, PodSandboxConfig podConfig, String name, List<String> command) {
        return pods.startContainer(pod, podConfig, name, command);
    }

    private static ExecSyncResponse exec(String container, String... cmd) {
        return pods.exec(container, cmd);
    }

    private static PodSandboxStatus podStatus(String id) {
        return pods.podStatus(id);
    }

    @Test
    void versionAndStatusNameTheRuntimeAndItsReadiness() {
        var v = cri.runtime().version(VersionRequest.getDefaultInstance());
        assertEquals("pouch", v.getRuntimeName());
        assertEquals("v1", v.getRuntimeApiVersion());
        StatusResponse s = cri.runtime().status(StatusRequest.getDefaultInstance());
        assertEquals(2, s.getStatus().getConditionsCount(), s.toString());
        for (var c : s.getStatus().getConditionsList()) {
            assertTrue(c.getStatus(), c.toString()); // the test's CNI config makes the network ready
        }
    }

    @Test
    void aPodRunsContainersThatShareItsNetworkAndWriteCriLogs() throws Exception {
        String name = "web-" + id();
        PodSandboxConfig config = pod(name);
        String pod = runPod(config);
        PodSandboxStatus status = podStatus(pod);
        assertEquals(PodSandboxState.SANDBOX_READY, status.getState());
        String ip = status.getNetwork().getIp();
        assertTrue(ip.startsWith(podSubnet.prefix()), "pod IP " + ip + " in " + podSubnet);
        assertEquals(name, status.getMetadata().getName());
        assertEquals(name, status.getAnnotationsOrThrow("test.pouch.io/pod"));

        String c = startContainer(pod, config, "app", List.of("sh", "-c",
                "echo $GREETING; echo oops >&2; exec sleep 1000"));
        var cs = cri.runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(c).build())
                .getStatus();
        assertEquals(ContainerState.CONTAINER_RUNNING, cs.getState());
        assertTrue(cs.getStartedAt() > 0);
        assertTrue(cs.getImageRef().startsWith("sha256:"), cs.getImageRef());

        // the container is in the pod's network namespace and has the pod's hostname
        assertEquals(name, exec(c, "hostname").getStdout().toStringUtf8().trim());
        assertTrue(exec(c, "ip", "-4", "addr", "show", "eth0").getStdout().toStringUtf8().contains(ip));
        ExecSyncResponse failing = exec(c, "sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, failing.getExitCode());
        assertEquals("out\n", failing.getStdout().toStringUtf8());
        assertEquals("err\n", failing.getStderr().toStringUtf8());
        // the host reaches the pod on the test's own bridge
        Cmd.run(List.of("busybox", "ping", "-c", "1", "-W", "2", ip), Map.of(), null, Duration.ofSeconds(10)).ok();

        // CRI-format log at kubelet's path
        Path log = Path.of(config.getLogDirectory(), "app/0.log");
        String text = Await.until(Duration.ofSeconds(10), () -> read(log), t -> t.contains("oops"), "log of app");
        for (String line : text.split("\n")) {
            assertTrue(CRI_LINE.matcher(line).matches(), line);
        }
        assertTrue(text.contains(" stdout F hello\n"), text);
        assertTrue(text.contains(" stderr F oops\n"), text);

        // kubelet's rotation: rename, reopen, new output goes to a new file at the path
        Path rotated = log.resolveSibling("0.log.1");
        Files.move(log, rotated);
        cri.runtime().reopenContainerLog(ReopenContainerLogRequest.newBuilder().setContainerId(c).build());
        assertTrue(Files.exists(log));
        // kubelet reads it with its own reader: the engine's logs API answers from the same file
        assertTrue(d.docker("ps", "--filter", "label=io.kubernetes.pod.name=" + name, "--format", "{{.ID}}").ok()
                .out().contains(c.substring(0, 12)));

        // stats of a running container
        var stats = cri.runtime().containerStats(ContainerStatsRequest.newBuilder().setContainerId(c).build())
                .getStats();
        assertTrue(stats.getMemory().getWorkingSetBytes().getValue() > 0, stats.toString());
        assertTrue(stats.getCpu().getUsageCoreNanoSeconds().getValue() > 0, stats.toString());

        // lists filter by pod, state and label
        var listed = cri.runtime().listContainers(ListContainersRequest.newBuilder().setFilter(ContainerFilter
                .newBuilder().setPodSandboxId(pod).setState(ContainerStateValue.newBuilder()
                        .setState(ContainerState.CONTAINER_RUNNING))).build()).getContainersList();
        assertEquals(1, listed.size());
        assertEquals(c, listed.getFirst().getId());
        assertEquals(1, cri.runtime().listPodSandbox(ListPodSandboxRequest.newBuilder().setFilter(PodSandboxFilter
                .newBuilder().putLabelSelector("io.kubernetes.pod.name", name)).build()).getItemsCount());

        // stop: the container exits, the pod is not ready and its network is gone; both stops are idempotent
        cri.runtime().stopContainer(StopContainerRequest.newBuilder().setContainerId(c).setTimeout(2).build());
        var stopped = cri.runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(c).build())
                .getStatus();
        assertEquals(ContainerState.CONTAINER_EXITED, stopped.getState());
        assertTrue(stopped.getFinishedAt() >= stopped.getStartedAt());
        cri.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(pod).build());
        cri.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(pod).build());
        assertEquals(PodSandboxState.SANDBOX_NOTREADY, podStatus(pod).getState());
        cri.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod).build());
        cri.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod).build());
        StatusRuntimeException gone = assertThrows(StatusRuntimeException.class,
                () -> cri.runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(c).build()));
        assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
        assertFalse(d.docker("ps", "-a", "--format", "{{.ID}}").ok().out().contains(c.substring(0, 12)));
    }

    @Test
    void podsReachEachOtherAndAHostPortReachesAPod() throws Exception {
        PodSandboxConfig a = pod("a-" + id());
        String podA = runPod(a);
        int hostPort = freePort();
        PodSandboxConfig b = pod("b-" + id()).toBuilder()
                .addPortMappings(PortMapping.newBuilder().setContainerPort(8080).setHostPort(hostPort)).build();
        String podB = runPod(b);
        String inA = startContainer(podA, a, "client", List.of("sleep", "1000"));
        startContainer(podB, b, "server", List.of("sh", "-c", "while true; do echo pod-b | nc -l -p 8080; done"));
        String ipB = podStatus(podB).getNetwork().getIp();
        String got = Await.until(Duration.ofSeconds(10), () -> {
            ExecSyncResponse r = exec(inA, "nc", "-w", "2", ipB, "8080");
            return r.getStdout().toStringUtf8() + r.getStderr().toStringUtf8() + " exit " + r.getExitCode();
        }, s -> s.contains("pod-b"), "pod a to pod b");
        assertTrue(got.startsWith("pod-b\n"), got);
        // hostPort through portmap, to the host's own address on the pod bridge
        String gateway = podSubnet.address(1);
        String body = Await.until(Duration.ofSeconds(10), () -> readLine(gateway, hostPort), l -> l.equals("pod-b"),
                "hostPort " + hostPort);
        assertEquals("pod-b", body);
    }

    @Test
    void podsAndContainersSurviveADaemonRestart() {
        PodSandboxConfig config = pod("keep-" + id());
        String pod = runPod(config);
        String c = startContainer(pod, config, "app", List.of("sleep", "1000"));
        String ip = podStatus(pod).getNetwork().getIp();
        d.stopDaemon();
        d.restartDaemon();
        // a new connection, as kubelet redials; the CRI socket comes up right after the Engine API's
        pods.reconnect();
        cri = pods.cri();
        Await.until(Duration.ofSeconds(30), () -> {
            try {
                return cri.runtime().version(VersionRequest.getDefaultInstance()).getRuntimeName();
            } catch (StatusRuntimeException e) {
                return e.getStatus().toString();
            }
        }, "pouch"::equals, "the CRI after the restart");
        PodSandboxStatus after = podStatus(pod);
        assertEquals(PodSandboxState.SANDBOX_READY, after.getState());
        assertEquals(ip, after.getNetwork().getIp());
        assertEquals(0, exec(c, "true").getExitCode());
    }

    @Test
    void badCallsGetCodesAPersonCanActOn() {
        StatusRuntimeException noMeta = assertThrows(StatusRuntimeException.class, () -> cri.runtime()
                .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(PodSandboxConfig.getDefaultInstance())
                        .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, noMeta.getStatus().getCode());
        assertTrue(noMeta.getStatus().getDescription().contains("metadata"), noMeta.getStatus().toString());
        StatusRuntimeException handler = assertThrows(StatusRuntimeException.class, () -> cri.runtime()
                .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod("h-" + id()))
                        .setRuntimeHandler("kata").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, handler.getStatus().getCode());
        assertTrue(handler.getStatus().getDescription().contains("kata"));
        StatusRuntimeException noPod = assertThrows(StatusRuntimeException.class, () -> cri.runtime()
                .createContainer(CreateContainerRequest.newBuilder().setPodSandboxId("f00dfeed")
                        .setConfig(ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder()
                                .setName("x")).setImage(ImageSpec.newBuilder().setImage("busybox"))).build()));
        assertEquals(Status.Code.NOT_FOUND, noPod.getStatus().getCode());
        // idempotent stop and remove of what does not exist
        cri.runtime().stopContainer(StopContainerRequest.newBuilder().setContainerId("f00dfeed").build());
        cri.runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId("f00dfeed").build());
        cri.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId("f00dfeed").build());
        cri.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId("f00dfeed").build());
        // a second container with the same metadata in the same pod is refused, the first stays
        PodSandboxConfig config = pod("dup-" + id());
        String pod = runPod(config);
        startContainer(pod, config, "one", List.of("sleep", "1000"));
        StatusRuntimeException dup = assertThrows(StatusRuntimeException.class,
                () -> startContainer(pod, config, "one", List.of("sleep", "1000")));
        assertTrue(dup.getStatus().getCode() == Status.Code.ALREADY_EXISTS
                || dup.getStatus().getCode() == Status.Code.FAILED_PRECONDITION, dup.getStatus().toString());
    }

    /** The first line a TCP server sends, or "" when it cannot be reached. */
    private static String readLine(String host, int port) {
        try (var socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(host, port), 2000);
            socket.setSoTimeout(2000);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream()));
            String line = in.readLine();
            return line == null ? "" : line;
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void imagesArePulledListedAndRemovedThroughTheCri() throws Exception {
        Path dir = Files.createTempDirectory(d.base(), "reg");
        try (LocalRegistry r = new LocalRegistry(dir, "cri", "")) {
            String ref = "127.0.0.1:" + r.port() + "/cri/busybox:" + id();
            // an image of its own: removing an image through the CRI removes all its names, as containerd's does
            String maker = "mk-" + id();
            d.docker("run", "--name", maker, "busybox", "touch", "/cri-marker").ok();
            d.docker("commit", maker, ref).ok();
            d.docker("rm", maker).ok();
            d.docker("push", ref).ok();
            d.docker("rmi", ref).ok();
            String imageRef = cri.images().pullImage(PullImageRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(ref)).build()).getImageRef();
            assertTrue(imageRef.startsWith("sha256:"), imageRef);
            var status = cri.images().imageStatus(ImageStatusRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(ref)).setVerbose(true).build());
            assertEquals(imageRef, status.getImage().getId());
            assertTrue(status.getImage().getRepoTagsList().contains(ref), status.toString());
            assertTrue(status.getInfoOrThrow("info").contains("chainID"), status.getInfoMap().toString());
            assertTrue(cri.images().listImages(ListImagesRequest.getDefaultInstance()).getImagesList().stream()
                    .anyMatch(i -> i.getRepoTagsList().contains(ref)));
            var fs = cri.images().imageFsInfo(ImageFsInfoRequest.getDefaultInstance()).getImageFilesystemsList();
            assertEquals(1, fs.size());
            assertTrue(fs.getFirst().getUsedBytes().getValue() > 0, fs.toString());
            cri.images().removeImage(RemoveImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(ref))
                    .build());
            cri.images().removeImage(RemoveImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(ref))
                    .build());
            assertFalse(cri.images().imageStatus(ImageStatusRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(ref)).build()).hasImage());
            StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> cri.images()
                    .pullImage(PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder()
                            .setImage("127.0.0.1:" + r.port() + "/cri/none:1")).build()));
            assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode(), missing.getStatus().toString());
        }
    }

    @Test
    void containerEventsAndPodStatsFollowAPod() throws Exception {
        var events = new java.util.concurrent.LinkedBlockingQueue<ContainerEventResponse>();
        var call = new io.grpc.stub.StreamObserver<ContainerEventResponse>() {
            @Override
            public void onNext(ContainerEventResponse e) {
                events.add(e);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        };
        io.grpc.Context.CancellableContext ctx = io.grpc.Context.current().withCancellation();
        try {
            ctx.run(() -> cri.async().getContainerEvents(GetEventsRequest.getDefaultInstance(), call));
            PodSandboxConfig config = pod("ev-" + id());
            String pod = runPod(config);
            String c = startContainer(pod, config, "app", List.of("sleep", "1000"));
            List<ContainerEventType> seen = new ArrayList<>();
            Await.until(Duration.ofSeconds(10), () -> {
                ContainerEventResponse e;
                while ((e = events.poll()) != null) {
                    if (e.getContainerId().equals(c)) {
                        seen.add(e.getContainerEventType());
                        assertEquals(pod, e.getPodSandboxStatus().getId());
                    }
                }
                return seen;
            }, s -> s.contains(ContainerEventType.CONTAINER_STARTED_EVENT), "events of " + c);
            assertEquals(ContainerEventType.CONTAINER_CREATED_EVENT, seen.getFirst());
            var stats = cri.runtime().podSandboxStats(PodSandboxStatsRequest.newBuilder().setPodSandboxId(pod)
                    .build()).getStats();
            assertEquals(1, stats.getLinux().getContainersCount());
            assertTrue(stats.getLinux().getMemory().getWorkingSetBytes().getValue() > 0, stats.toString());
        } finally {
            ctx.cancel(null);
        }
    }

    private static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
