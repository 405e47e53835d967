package io.pouch.daemon.container;

import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.HostConfig;
import io.pouch.api.container.NetworkMode;
import io.pouch.daemon.network.NetworkRequest;
import io.pouch.daemon.volume.ContainerVolumes;
import io.pouch.daemon.volume.PlannedMount;

import java.nio.file.Path;
import java.util.List;

/**
 * The runtime spec a new container's first start will build, computed at create when nothing it depends on is
 * left to the start: its network namespace is known (its own bridge namespace, none, or the one of a running
 * container it joins, as a CRI container joins its sandbox's), its PID and IPC namespaces are its own, the host's
 * or a running container's, its image's passwd and group are known ({@link ImageUserFiles}), and its mounts are
 * tmpfs and binds of existing host paths. containerd stores it with the record at create, where the call runs
 * beside the snapshot's; the start builds its spec again, finds the bytes containerd holds, and skips its
 * Containers/Update (a metadata write with an fsync) on the path the caller waits for. Anything else predicts
 * nothing: the create stores the spec without the start's parts and the start writes the whole one.
 */
final class StartSpecPrediction {
    private final ContainerStore store;
    private final ContainerNetworking networking;
    private final JoinedNamespaces namespaces;
    private final ContainerVolumes volumes;
    private final RuntimeSpecs specs;
    private final ImageUserFiles userFiles;

    StartSpecPrediction(ContainerStore store, ContainerNetworking networking, JoinedNamespaces namespaces,
                        ContainerVolumes volumes, RuntimeSpecs specs, ImageUserFiles userFiles) {
        this.store = store;
        this.networking = networking;
        this.namespaces = namespaces;
        this.volumes = volumes;
        this.specs = specs;
        this.userFiles = userFiles;
    }

    /**
     * The spec the first start of container {@code id} will run with, or null when the start decides parts of it.
     *
     * @param cfg     the merged config the container's metadata records
     * @param hc      the normalised host config its metadata records
     * @param chainId the chain id of the image's top layer
     * @param plan    its mount plan
     */
    byte[] predict(String id, ContainerConfig cfg, HostConfig hc, NetworkRequest net, String chainId,
                   List<PlannedMount> plan, Path init, Path dir) {
        ImageUserFiles.Files image = userFiles.get(chainId);
        if (image == null || !ContainerVolumes.predictable(plan)) { // before any spec is built
            return null;
        }
        try {
            ContainerNetworking.PredictedNamespace netns = namespace(id, NetworkMode.parse(hc.networkMode()), net);
            if (netns == null) {
                return null;
            }
            String ipcRef = NamespaceModes.joined(hc.ipcMode());
            long pidOf = namespaces.holderPid(id, NamespaceModes.joined(hc.pidMode()));
            long ipcOf = namespaces.holderPid(id, ipcRef);
            // a shareable /dev/shm is mounted at start, at this path
            String shm = ipcOf > 0 ? namespaces.lentShm(ipcRef)
                    : "shareable".equals(hc.ipcMode()) ? ShareableShm.path(dir).toString() : null;
            UserSpec user = UserSpec.of(cfg.user(), hc.groupAdd(), image.passwd(), image.group());
            boolean[] mountsKnown = {false};
            byte[] spec = specs.predictStart(id, cfg, hc, init, dir, user, netns.path(), node -> {
                JoinedNamespaces.apply(node, pidOf, ipcOf, shm);
                mountsKnown[0] = volumes.predictStart(plan, node);
                BindPropagation.check(node);
            });
            return mountsKnown[0] ? spec : null;
        } catch (RuntimeException e) {
            return null; // the start finds the same problem and reports it
        }
    }

    /** The namespace the start will give the task, or null when only the start can tell. */
    private ContainerNetworking.PredictedNamespace namespace(String id, NetworkMode mode, NetworkRequest net) {
        String joined = mode.joinedContainer();
        if (joined == null) {
            return networking.predictNamespace(id, mode, net);
        }
        Container holder = store.find(joined);
        ContainerMeta hm = holder.meta();
        if (holder.id.equals(id) || !hm.running() || hm.state().restarting() || hm.state().pid() <= 0) {
            return null;
        }
        return new ContainerNetworking.PredictedNamespace(networking.joinNamespace(holder.id, hm.state().pid()));
    }
}
