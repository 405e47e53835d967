package io.pouch.daemon.cri.runtime;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerBrief;
import io.pouch.api.container.ContainerState;
import io.pouch.api.container.ContainerSummary;
import io.pouch.api.container.ContainerUpdate;
import io.pouch.api.container.HostConfig;
import io.pouch.cri.v1.Container;
import io.pouch.cri.v1.ContainerConfig;
import io.pouch.cri.v1.ContainerFilter;
import io.pouch.cri.v1.ContainerResources;
import io.pouch.cri.v1.ContainerStatus;
import io.pouch.cri.v1.ImageSpec;
import io.pouch.cri.v1.LinuxContainerResources;
import io.pouch.cri.v1.PodSandboxConfig;
import io.pouch.daemon.container.ContainerService;
import io.pouch.daemon.network.NetworkRequest;
import io.pouch.daemon.query.Filters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * CRI containers: engine containers that join their sandbox's namespaces, with kubelet's config kept beside them
 * so that status answers return exactly what kubelet sent. Stop and remove of a missing container succeed.
 */
final class PodContainers {
    private static final Logger LOG = Logger.getLogger(PodContainers.class.getName());
    static final Filters CONTAINERS = new Filters(Map.of("label",
            List.of(CriLabels.TYPE + "=" + CriLabels.CONTAINER)));

    private final ContainerService engine;
    private final CriRecords records;
    private final PodSandboxes sandboxes;

    PodContainers(ContainerService engine, CriRecords records, PodSandboxes sandboxes) {
        this.engine = engine;
        this.records = records;
        this.sandboxes = sandboxes;
    }

    String create(String sandboxRef, ContainerConfig config, PodSandboxConfig given) {
        String sandboxId = sandboxes.resolve(sandboxRef);
        PodSandboxConfig sandbox = sandboxes.config(sandboxId);
        var pod = sandbox.getMetadata();
        if (!config.hasMetadata()) {
            throw PouchException.invalidArgument("container metadata needs a name");
        }
        String name = CriLabels.containerName(config.getMetadata().getName(), pod.getName(), pod.getNamespace(),
                pod.getUid(), config.getMetadata().getAttempt());
        HostConfig.LogConfig log = logConfig(sandbox, config);
        String runtime = engine.brief(sandboxId).hostConfig().runtime();
        ContainerSpecs.Spec spec = ContainerSpecs.of(sandboxId, sandbox, config, config.getImage().getImage(),
                runtime, log);
        String id = engine.createForCri(name, spec.config(), spec.hostConfig(), NetworkRequest.EMPTY).id();
        try {
            records.saveContainer(id, config);
        } catch (RuntimeException e) {
            engine.remove(id, true, true);
            throw e;
        }
        return id;
    }

    /** kubelet's log file (the sandbox's log directory joined with the container's log path), else the default. */
    static HostConfig.LogConfig logConfig(PodSandboxConfig sandbox, ContainerConfig config) {
        if (sandbox.getLogDirectory().isEmpty() || config.getLogPath().isEmpty()) {
            return null;
        }
        Path dir = Path.of(sandbox.getLogDirectory());
        if (!dir.isAbsolute()) {
            throw PouchException.invalidArgument("sandbox log_directory " + dir + " must be an absolute path");
        }
        Path file = dir.resolve(config.getLogPath()).normalize();
        if (!file.startsWith(dir.normalize())) {
            throw PouchException.invalidArgument("container log_path " + config.getLogPath()
                    + " leaves the sandbox's log directory");
        }
        return new HostConfig.LogConfig("cri", Map.of("path", file.toString()));
    }

    void start(String ref) {
        String id = resolve(ref);
        ContainerState s = engine.brief(id).state();
        if (!"created".equals(s.status())) {
            throw PouchException.conflict("container " + id + " is in " + state(s) + " state; only a created"
                    + " container can be started");
        }
        engine.start(id);
    }

    void stop(String ref, long timeoutSeconds) {
        String id = resolveOrNull(ref);
        if (id != null) {
            int seconds = (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeoutSeconds));
            CriRefs.untilGone(() -> engine.stop(id, seconds));
        }
    }

    /** Stops the container, logging instead of failing (a sandbox being stopped goes on with the others). */
    void stopQuietly(String id, int timeoutSeconds) {
        try {
            engine.stop(id, timeoutSeconds);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "cannot stop container " + id, e);
        }
    }

    void remove(String ref) {
        String id = resolveOrNull(ref);
        if (id == null) {
            return;
        }
        CriRefs.untilGone(() -> engine.remove(id, true, true));
        records.forgetContainer(id);
    }

    String resolveOrNull(String ref) {
        return CriRefs.resolveOrNull(engine, ref, "container", id -> records.containerConfig(id) != null);
    }

    String resolve(String ref) {
        return CriRefs.resolve(engine, ref, "container", id -> records.containerConfig(id) != null);
    }

    /** The running container's id; 409 (FailedPrecondition) when it is not running. */
    String requireRunning(String ref) {
        String id = resolve(ref);
        if (!engine.brief(id).state().running()) {
            throw PouchException.conflict("container " + id + " is not running");
        }
        return id;
    }

    List<String> idsOfSandbox(String sandboxId) {
        Filters f = new Filters(Map.of("label", List.of(CriLabels.TYPE + "=" + CriLabels.CONTAINER,
                CriLabels.SANDBOX_ID + "=" + sandboxId)));
        return engine.list(true, -1, false, f).stream().map(ContainerSummary::id).toList();
    }

    ContainerStatus status(String ref) {
        String id = resolve(ref);
        return status(id, engine.brief(id), records.containerConfig(id));
    }

    ContainerStatus status(String id, ContainerBrief i, ContainerConfig c) {
        ContainerState s = i.state();
        io.pouch.cri.v1.ContainerState state = state(s);
        ContainerStatus.Builder b = ContainerStatus.newBuilder()
                .setId(id)
                .setMetadata(c.getMetadata())
                .setState(state)
                .setCreatedAt(CriTimes.nanos(i.created()))
                .setImage(ImageSpec.newBuilder().setImage(c.getImage().getImage()))
                .setImageRef(i.imageId() == null ? "" : i.imageId())
                .putAllLabels(c.getLabelsMap())
                .putAllAnnotations(c.getAnnotationsMap())
                .addAllMounts(c.getMountsList())
                .setLogPath(logPath(sandboxOf(i), c))
                .setResources(ContainerResources.newBuilder().setLinux(resources(i.hostConfig())));
        if (state != io.pouch.cri.v1.ContainerState.CONTAINER_CREATED) {
            b.setStartedAt(CriTimes.nanos(s.startedAt()));
        }
        if (state == io.pouch.cri.v1.ContainerState.CONTAINER_EXITED) {
            b.setFinishedAt(CriTimes.nanos(s.finishedAt()))
                    .setExitCode(s.exitCode())
                    .setReason(s.oomKilled() ? "OOMKilled" : s.exitCode() == 0 ? "Completed" : "Error");
            if (s.error() != null) {
                b.setMessage(s.error());
            }
        }
        return b.build();
    }

    private String logPath(String sandboxId, ContainerConfig c) {
        PodSandboxConfig sandbox = sandboxId == null ? null : records.sandboxConfig(sandboxId);
        if (sandbox == null || sandbox.getLogDirectory().isEmpty() || c.getLogPath().isEmpty()) {
            return "";
        }
        return Path.of(sandbox.getLogDirectory()).resolve(c.getLogPath()).toString();
    }

    private static String sandboxOf(ContainerBrief i) {
        return i.labels().get(CriLabels.SANDBOX_ID);
    }

    String sandboxOf(String id) {
        try {
            return engine.brief(id).labels().get(CriLabels.SANDBOX_ID);
        } catch (PouchException e) {
            return null;
        }
    }

    private static LinuxContainerResources resources(HostConfig hc) {
        return LinuxContainerResources.newBuilder()
                .setCpuPeriod(hc.cpuPeriod())
                .setCpuQuota(hc.cpuQuota())
                .setCpuShares(hc.cpuShares())
                .setMemoryLimitInBytes(hc.memory())
                .setOomScoreAdj(hc.oomScoreAdj())
                .setCpusetCpus(hc.cpusetCpus() == null ? "" : hc.cpusetCpus())
                .setCpusetMems(hc.cpusetMems() == null ? "" : hc.cpusetMems())
                .build();
    }

    static io.pouch.cri.v1.ContainerState state(ContainerState s) {
        return switch (s.status() == null ? "" : s.status()) {
            case "created" -> io.pouch.cri.v1.ContainerState.CONTAINER_CREATED;
            case "running", "paused", "restarting" -> io.pouch.cri.v1.ContainerState.CONTAINER_RUNNING;
            case "exited", "dead" -> io.pouch.cri.v1.ContainerState.CONTAINER_EXITED;
            default -> io.pouch.cri.v1.ContainerState.CONTAINER_UNKNOWN;
        };
    }

    Map<String, String> info(String id) {
        ContainerBrief i = engine.brief(id);
        return Map.of("info", VerboseInfo.container(id, sandboxOf(i), i.state().pid(), i.hostConfig().runtime(),
                records.containerConfig(id)));
    }

    List<Container> list(ContainerFilter filter) {
        List<Container> out = new ArrayList<>();
        for (ContainerSummary s : engine.list(true, -1, false, CONTAINERS)) {
            if (!filter.getId().isEmpty() && !s.id().startsWith(filter.getId())) {
                continue;
            }
            String sandboxId = s.labels() == null ? null : s.labels().get(CriLabels.SANDBOX_ID);
            if (!filter.getPodSandboxId().isEmpty() && (sandboxId == null
                    || !sandboxId.startsWith(filter.getPodSandboxId()))) {
                continue;
            }
            ContainerConfig c = records.containerConfig(s.id());
            if (c == null) {
                continue;
            }
            ContainerBrief i;
            try {
                i = engine.brief(s.id());
            } catch (PouchException e) {
                continue; // removed meanwhile
            }
            io.pouch.cri.v1.ContainerState state = state(i.state());
            if (filter.hasState() && filter.getState().getState() != state) {
                continue;
            }
            if (!PodSandboxes.matches(filter.getLabelSelectorMap(), c.getLabelsMap())) {
                continue;
            }
            out.add(Container.newBuilder()
                    .setId(s.id())
                    .setPodSandboxId(sandboxId == null ? "" : sandboxId)
                    .setMetadata(c.getMetadata())
                    .setImage(ImageSpec.newBuilder().setImage(c.getImage().getImage()))
                    .setImageRef(i.imageId() == null ? "" : i.imageId())
                    .setState(state)
                    .setCreatedAt(CriTimes.nanos(i.created()))
                    .putAllLabels(c.getLabelsMap())
                    .putAllAnnotations(c.getAnnotationsMap())
                    .build());
        }
        return out;
    }

    void updateResources(String ref, LinuxContainerResources r) {
        String id = resolve(ref);
        if (r.getUnifiedCount() > 0) {
            throw PouchException.invalidArgument("unified cgroup resources " + r.getUnifiedMap().keySet()
                    + " need cgroup v2; this host runs cgroup v1");
        }
        ContainerUpdate u = new ContainerUpdate(nonZero(r.getMemoryLimitInBytes()),
                nonZero(r.getMemorySwapLimitInBytes()), null, null, nonZero(r.getCpuShares()),
                nonZero(r.getCpuQuota()), nonZero(r.getCpuPeriod()), emptyNull(r.getCpusetCpus()),
                emptyNull(r.getCpusetMems()), null, null, null, null, null, null, null);
        engine.update(id, u);
    }

    private static Long nonZero(long v) {
        return v == 0 ? null : v;
    }

    private static String emptyNull(String v) {
        return v == null || v.isEmpty() ? null : v;
    }

    ContainerBrief brief(String id) {
        return engine.brief(id);
    }

    ContainerConfig config(String id) {
        return records.containerConfig(id);
    }

    List<String> ids() {
        return engine.list(true, -1, false, CONTAINERS).stream().map(ContainerSummary::id).toList();
    }
}
