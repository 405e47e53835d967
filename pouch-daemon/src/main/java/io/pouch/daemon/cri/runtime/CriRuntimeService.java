package io.pouch.daemon.cri.runtime;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.pouch.cri.v1.*;
import io.pouch.daemon.container.ContainerService;
import io.pouch.daemon.container.stats.CgroupReader;
import io.pouch.daemon.cri.grpc.GrpcErrors;
import io.pouch.daemon.events.EventBus;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The CRI RuntimeService: each RPC is translated to a call on the sandboxes, containers, stats or streaming
 * URLs, and every failure answered as a gRPC status with a message a person can act on.
 */
public final class CriRuntimeService extends RuntimeServiceGrpc.RuntimeServiceImplBase {
    /** The CRI version kubelet checks for, and how this runtime names itself. */
    static final String API_VERSION = "v1";
    static final String RUNTIME_NAME = "pouch";

    private final String version;
    private final PodSandboxes sandboxes;
    private final PodContainers containers;
    private final PodStats stats;
    private final PodNetworking network;
    private final CriProcesses processes;
    private final StreamUrls streams;
    private final ContainerEventFeed events;
    private volatile String podCidr = "";

    public CriRuntimeService(String version, ContainerService engine, EventBus bus, Path recordsDir,
                             PodNetworking network, SandboxImages images, String sandboxImage,
                             CriProcesses processes, StreamUrls streams) {
        this.version = version;
        CriRecords records = new CriRecords(recordsDir);
        this.sandboxes = new PodSandboxes(engine, records, network, images, sandboxImage);
        this.containers = new PodContainers(engine, records, sandboxes);
        this.stats = new PodStats(sandboxes, containers, new CriStats(new CgroupReader(Path.of("/sys/fs/cgroup"))));
        this.network = network;
        this.processes = processes;
        this.streams = streams;
        this.events = new ContainerEventFeed(bus, sandboxes, containers);
    }

    private static <T> void answer(StreamObserver<T> out, Supplier<T> body) {
        T value;
        try {
            value = body.get();
        } catch (Throwable e) {
            out.onError(GrpcErrors.of(e));
            return;
        }
        out.onNext(value);
        out.onCompleted();
    }

    @Override
    public void version(VersionRequest r, StreamObserver<VersionResponse> out) {
        answer(out, () -> VersionResponse.newBuilder().setVersion("0.1.0").setRuntimeName(RUNTIME_NAME)
                .setRuntimeVersion(version).setRuntimeApiVersion(API_VERSION).build());
    }

    @Override
    public void runPodSandbox(RunPodSandboxRequest r, StreamObserver<RunPodSandboxResponse> out) {
        answer(out, () -> RunPodSandboxResponse.newBuilder()
                .setPodSandboxId(sandboxes.run(r.getConfig(), r.getRuntimeHandler())).build());
    }

    @Override
    public void stopPodSandbox(StopPodSandboxRequest r, StreamObserver<StopPodSandboxResponse> out) {
        answer(out, () -> {
            sandboxes.stop(r.getPodSandboxId(), containers);
            return StopPodSandboxResponse.getDefaultInstance();
        });
    }

    @Override
    public void removePodSandbox(RemovePodSandboxRequest r, StreamObserver<RemovePodSandboxResponse> out) {
        answer(out, () -> {
            sandboxes.remove(r.getPodSandboxId(), containers);
            return RemovePodSandboxResponse.getDefaultInstance();
        });
    }

    @Override
    public void podSandboxStatus(PodSandboxStatusRequest r, StreamObserver<PodSandboxStatusResponse> out) {
        answer(out, () -> {
            PodSandboxStatus s = sandboxes.status(r.getPodSandboxId());
            PodSandboxStatusResponse.Builder b = PodSandboxStatusResponse.newBuilder().setStatus(s)
                    .setTimestamp(CriTimes.now());
            if (r.getVerbose()) {
                b.putAllInfo(sandboxes.info(s.getId(), s));
            }
            return b.build();
        });
    }

    @Override
    public void listPodSandbox(ListPodSandboxRequest r, StreamObserver<ListPodSandboxResponse> out) {
        answer(out, () -> ListPodSandboxResponse.newBuilder().addAllItems(sandboxes.list(r.getFilter())).build());
    }

    @Override
    public void createContainer(CreateContainerRequest r, StreamObserver<CreateContainerResponse> out) {
        answer(out, () -> CreateContainerResponse.newBuilder()
                .setContainerId(containers.create(r.getPodSandboxId(), r.getConfig(), r.getSandboxConfig())).build());
    }

    @Override
    public void startContainer(StartContainerRequest r, StreamObserver<StartContainerResponse> out) {
        answer(out, () -> {
            containers.start(r.getContainerId());
            return StartContainerResponse.getDefaultInstance();
        });
    }

    @Override
    public void stopContainer(StopContainerRequest r, StreamObserver<StopContainerResponse> out) {
        answer(out, () -> {
            containers.stop(r.getContainerId(), r.getTimeout());
            return StopContainerResponse.getDefaultInstance();
        });
    }

    @Override
    public void removeContainer(RemoveContainerRequest r, StreamObserver<RemoveContainerResponse> out) {
        answer(out, () -> {
            containers.remove(r.getContainerId());
            return RemoveContainerResponse.getDefaultInstance();
        });
    }

    @Override
    public void listContainers(ListContainersRequest r, StreamObserver<ListContainersResponse> out) {
        answer(out, () -> ListContainersResponse.newBuilder().addAllContainers(containers.list(r.getFilter())).build());
    }

    @Override
    public void containerStatus(ContainerStatusRequest r, StreamObserver<ContainerStatusResponse> out) {
        answer(out, () -> {
            ContainerStatus s = containers.status(r.getContainerId());
            ContainerStatusResponse.Builder b = ContainerStatusResponse.newBuilder().setStatus(s);
            if (r.getVerbose()) {
                b.putAllInfo(containers.info(s.getId()));
            }
            return b.build();
        });
    }

    @Override
    public void updateContainerResources(UpdateContainerResourcesRequest r,
                                         StreamObserver<UpdateContainerResourcesResponse> out) {
        answer(out, () -> {
            containers.updateResources(r.getContainerId(), r.getLinux());
            return UpdateContainerResourcesResponse.getDefaultInstance();
        });
    }

    @Override
    public void reopenContainerLog(ReopenContainerLogRequest r, StreamObserver<ReopenContainerLogResponse> out) {
        answer(out, () -> {
            processes.reopenLog(containers.requireRunning(r.getContainerId()));
            return ReopenContainerLogResponse.getDefaultInstance();
        });
    }

    @Override
    public void execSync(ExecSyncRequest r, StreamObserver<ExecSyncResponse> out) {
        answer(out, () -> {
            if (r.getCmdCount() == 0) {
                throw GrpcErrors.invalidArgument("cmd is required");
            }
            String id = containers.requireRunning(r.getContainerId());
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            ByteArrayOutputStream stderr = new ByteArrayOutputStream();
            Duration timeout = r.getTimeout() > 0 ? Duration.ofSeconds(r.getTimeout()) : Duration.ofDays(3650);
            Integer code;
            try {
                code = processes.execSync(id, r.getCmdList(), stdout, stderr, timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Status.CANCELLED.withDescription("exec interrupted").asRuntimeException();
            }
            if (code == null) {
                throw Status.DEADLINE_EXCEEDED.withDescription("command " + r.getCmdList() + " timed out after "
                        + r.getTimeout() + "s").asRuntimeException();
            }
            return ExecSyncResponse.newBuilder()
                    .setStdout(com.google.protobuf.ByteString.copyFrom(stdout.toByteArray()))
                    .setStderr(com.google.protobuf.ByteString.copyFrom(stderr.toByteArray()))
                    .setExitCode(code).build();
        });
    }

    @Override
    public void exec(ExecRequest r, StreamObserver<ExecResponse> out) {
        answer(out, () -> {
            if (r.getCmdCount() == 0) {
                throw GrpcErrors.invalidArgument("cmd is required");
            }
            if (!r.getStdout() && !r.getStderr() && !r.getStdin()) {
                throw GrpcErrors.invalidArgument("one of stdin, stdout or stderr must be requested");
            }
            if (r.getTty() && r.getStderr()) {
                throw GrpcErrors.invalidArgument("tty and stderr cannot both be true");
            }
            containers.requireRunning(r.getContainerId());
            return ExecResponse.newBuilder().setUrl(streams.exec(r.toBuilder()
                    .setContainerId(containers.resolve(r.getContainerId())).build())).build();
        });
    }

    @Override
    public void attach(AttachRequest r, StreamObserver<AttachResponse> out) {
        answer(out, () -> {
            if (!r.getStdout() && !r.getStderr() && !r.getStdin()) {
                throw GrpcErrors.invalidArgument("one of stdin, stdout or stderr must be requested");
            }
            containers.requireRunning(r.getContainerId());
            return AttachResponse.newBuilder().setUrl(streams.attach(r.toBuilder()
                    .setContainerId(containers.resolve(r.getContainerId())).build())).build();
        });
    }

    @Override
    public void portForward(PortForwardRequest r, StreamObserver<PortForwardResponse> out) {
        answer(out, () -> {
            String id = sandboxes.resolve(r.getPodSandboxId());
            if (!sandboxes.ready(id)) {
                throw GrpcErrors.failedPrecondition("pod sandbox " + id + " is not ready");
            }
            return PortForwardResponse.newBuilder().setUrl(streams.portForward(r.toBuilder().setPodSandboxId(id)
                    .build())).build();
        });
    }

    @Override
    public void containerStats(ContainerStatsRequest r, StreamObserver<ContainerStatsResponse> out) {
        answer(out, () -> ContainerStatsResponse.newBuilder().setStats(stats.container(r.getContainerId())).build());
    }

    @Override
    public void listContainerStats(ListContainerStatsRequest r, StreamObserver<ListContainerStatsResponse> out) {
        answer(out, () -> ListContainerStatsResponse.newBuilder().addAllStats(stats.containers(r.getFilter())).build());
    }

    @Override
    public void podSandboxStats(PodSandboxStatsRequest r, StreamObserver<PodSandboxStatsResponse> out) {
        answer(out, () -> PodSandboxStatsResponse.newBuilder().setStats(stats.sandbox(r.getPodSandboxId())).build());
    }

    @Override
    public void listPodSandboxStats(ListPodSandboxStatsRequest r, StreamObserver<ListPodSandboxStatsResponse> out) {
        answer(out, () -> ListPodSandboxStatsResponse.newBuilder().addAllStats(stats.sandboxes(r.getFilter()))
                .build());
    }

    @Override
    public void updateRuntimeConfig(UpdateRuntimeConfigRequest r, StreamObserver<UpdateRuntimeConfigResponse> out) {
        answer(out, () -> {
            // the pod CIDR is kubelet's; pod addresses come from the CNI config's own IPAM, as with containerd
            // when no config template is set. It is kept for the verbose status.
            podCidr = r.getRuntimeConfig().getNetworkConfig().getPodCidr();
            return UpdateRuntimeConfigResponse.getDefaultInstance();
        });
    }

    @Override
    public void status(StatusRequest r, StreamObserver<StatusResponse> out) {
        answer(out, () -> {
            PodNetworking.Readiness net = network.readiness();
            StatusResponse.Builder b = StatusResponse.newBuilder().setStatus(RuntimeStatus.newBuilder()
                    .addConditions(RuntimeCondition.newBuilder().setType("RuntimeReady").setStatus(true))
                    .addConditions(RuntimeCondition.newBuilder().setType("NetworkReady").setStatus(net.ready())
                            .setReason(net.ready() ? "" : net.reason())
                            .setMessage(net.ready() ? "" : net.message())));
            if (r.getVerbose()) {
                b.putInfo("config", "{\"podCIDR\":\"" + podCidr + "\"}");
            }
            return b.build();
        });
    }

    @Override
    public void checkpointContainer(CheckpointContainerRequest r, StreamObserver<CheckpointContainerResponse> out) {
        out.onError(Status.UNIMPLEMENTED.withDescription("checkpointing containers through the CRI is not supported"
                + " by this engine").asRuntimeException());
    }

    @Override
    public void getContainerEvents(GetEventsRequest r, StreamObserver<ContainerEventResponse> out) {
        events.stream(out);
    }

    @Override
    public void listMetricDescriptors(ListMetricDescriptorsRequest r,
                                      StreamObserver<ListMetricDescriptorsResponse> out) {
        out.onError(Status.UNIMPLEMENTED.withDescription("CRI metrics are not served by this engine")
                .asRuntimeException());
    }

    @Override
    public void listPodSandboxMetrics(ListPodSandboxMetricsRequest r,
                                      StreamObserver<ListPodSandboxMetricsResponse> out) {
        out.onError(Status.UNIMPLEMENTED.withDescription("CRI metrics are not served by this engine")
                .asRuntimeException());
    }

    @Override
    public void runtimeConfig(RuntimeConfigRequest r, StreamObserver<RuntimeConfigResponse> out) {
        answer(out, () -> RuntimeConfigResponse.newBuilder().setLinux(LinuxRuntimeConfiguration.newBuilder()
                .setCgroupDriver(CgroupDriver.CGROUPFS)).build());
    }
}
