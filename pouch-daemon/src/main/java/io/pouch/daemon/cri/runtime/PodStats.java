package io.pouch.daemon.cri.runtime;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerBrief;
import io.pouch.cri.v1.ContainerAttributes;
import io.pouch.cri.v1.ContainerConfig;
import io.pouch.cri.v1.ContainerStats;
import io.pouch.cri.v1.ContainerStatsFilter;
import io.pouch.cri.v1.CpuUsage;
import io.pouch.cri.v1.MemoryUsage;
import io.pouch.cri.v1.LinuxPodSandboxStats;
import io.pouch.cri.v1.PodSandboxAttributes;
import io.pouch.cri.v1.PodSandboxConfig;
import io.pouch.cri.v1.PodSandboxStats;
import io.pouch.cri.v1.PodSandboxStatsFilter;
import io.pouch.cri.v1.ProcessUsage;
import io.pouch.daemon.container.stats.CgroupSample;

import java.util.ArrayList;
import java.util.List;

/** The stats RPCs: containers' and sandboxes' CPU and memory, read from their cgroups at the time of the call. */
final class PodStats {
    private final PodSandboxes sandboxes;
    private final PodContainers containers;
    private final CriStats stats;

    PodStats(PodSandboxes sandboxes, PodContainers containers, CriStats stats) {
        this.sandboxes = sandboxes;
        this.containers = containers;
        this.stats = stats;
    }

    ContainerStats container(String ref) {
        String id = containers.resolve(ref);
        return container(id, containers.brief(id), containers.config(id));
    }

    private ContainerStats container(String id, ContainerBrief i, ContainerConfig c) {
        long now = CriTimes.now();
        CgroupSample s = stats.sample(i);
        return ContainerStats.newBuilder()
                .setAttributes(ContainerAttributes.newBuilder().setId(id).setMetadata(c.getMetadata())
                        .putAllLabels(c.getLabelsMap()).putAllAnnotations(c.getAnnotationsMap()))
                .setCpu(CriStats.cpu(s, now))
                .setMemory(CriStats.memory(s, now))
                .build();
    }

    List<ContainerStats> containers(ContainerStatsFilter f) {
        List<ContainerStats> out = new ArrayList<>();
        for (String id : containers.ids()) {
            if (!f.getId().isEmpty() && !id.startsWith(f.getId())) {
                continue;
            }
            try {
                ContainerConfig c = containers.config(id);
                if (c == null || !PodSandboxes.matches(f.getLabelSelectorMap(), c.getLabelsMap())) {
                    continue;
                }
                String sandbox = containers.sandboxOf(id);
                if (!f.getPodSandboxId().isEmpty() && (sandbox == null || !sandbox.startsWith(f.getPodSandboxId()))) {
                    continue;
                }
                out.add(container(id, containers.brief(id), c));
            } catch (PouchException e) {
                // removed while listing
            }
        }
        return out;
    }

    PodSandboxStats sandbox(String ref) {
        String id = sandboxes.resolve(ref);
        PodSandboxConfig c = sandboxes.config(id);
        long now = CriTimes.now();
        int pid = sandboxes.pausePid(id);
        // the pod's figures are the sums over its pause process and its containers, each read from its own cgroup
        CgroupSample pause = stats.sample(pid);
        long cpu = pause.cpuTotalNanos();
        long workingSet = pause.memUsage();
        List<ContainerStats> members = new ArrayList<>();
        long processes = 0;
        for (String cid : containers.idsOfSandbox(id)) {
            try {
                ContainerBrief i = containers.brief(cid);
                ContainerConfig cc = containers.config(cid);
                if (cc == null) {
                    continue;
                }
                ContainerStats s = container(cid, i, cc);
                members.add(s);
                cpu += s.getCpu().getUsageCoreNanoSeconds().getValue();
                workingSet += s.getMemory().getWorkingSetBytes().getValue();
                processes += stats.sample(i).pidsCurrent();
            } catch (PouchException e) {
                // removed while reading
            }
        }
        return PodSandboxStats.newBuilder()
                .setAttributes(PodSandboxAttributes.newBuilder().setId(id).setMetadata(c.getMetadata())
                        .putAllLabels(c.getLabelsMap()).putAllAnnotations(c.getAnnotationsMap()))
                .setLinux(LinuxPodSandboxStats.newBuilder()
                        .setCpu(CpuUsage.newBuilder().setTimestamp(now).setUsageCoreNanoSeconds(CriStats.u64(cpu)))
                        .setMemory(MemoryUsage.newBuilder().setTimestamp(now)
                                .setWorkingSetBytes(CriStats.u64(workingSet)))
                        .setProcess(ProcessUsage.newBuilder().setTimestamp(now)
                                .setProcessCount(CriStats.u64(processes + (pid > 0 ? 1 : 0))))
                        .addAllContainers(members))
                .build();
    }

    List<PodSandboxStats> sandboxes(PodSandboxStatsFilter f) {
        List<PodSandboxStats> out = new ArrayList<>();
        for (String id : sandboxes.ids()) {
            if (!f.getId().isEmpty() && !id.startsWith(f.getId())) {
                continue;
            }
            try {
                PodSandboxConfig c = sandboxes.config(id);
                if (PodSandboxes.matches(f.getLabelSelectorMap(), c.getLabelsMap())) {
                    out.add(sandbox(id));
                }
            } catch (PouchException e) {
                // removed while listing
            }
        }
        return out;
    }
}
