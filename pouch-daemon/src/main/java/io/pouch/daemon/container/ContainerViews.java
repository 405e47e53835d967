package io.pouch.daemon.container;

import io.pouch.api.container.ContainerInspect;
import io.pouch.api.container.ContainerState;
import io.pouch.api.container.ContainerSummary;
import io.pouch.api.container.Health;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.image.ImageLookup;
import io.pouch.daemon.logs.LogDrivers;
import io.pouch.daemon.query.Filters;
import io.pouch.daemon.volume.ContainerVolumes;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/** Read-only answers about containers: inspect, list (ps), and the counts of {@code GET /info}. */
final class ContainerViews {
    private final ContainerStore store;
    private final ContainerStateDirs files;
    private final ImageLookup images;
    private final ContainerNetworking networking;
    private final ContainerVolumes volumes;
    private final Snapshots snapshots;
    private final GraphDriverCache graphDrivers;
    private final LogDrivers logDrivers;
    private final String defaultRuntime;
    private volatile Function<String, List<String>> execIdsOf = id -> null;
    private volatile Function<String, Health> healthOf = id -> null;

    ContainerViews(ContainerStore store, ContainerStateDirs files, ImageLookup images, ContainerNetworking networking,
                   ContainerVolumes volumes, Snapshots snapshots, LogDrivers logDrivers, String defaultRuntime) {
        this.store = store;
        this.files = files;
        this.images = images;
        this.networking = networking;
        this.volumes = volumes;
        this.snapshots = snapshots;
        this.graphDrivers = new GraphDriverCache(store, snapshots);
        this.logDrivers = logDrivers;
        this.defaultRuntime = defaultRuntime;
    }

    /** Where State.Health comes from (the health service). */
    void healthSource(Function<String, Health> source) {
        this.healthOf = source;
    }

    /** Where inspect's ExecIDs come from (the exec manager). */
    void execIdsSource(Function<String, List<String>> source) {
        this.execIdsOf = source;
    }

    ContainerInspect inspect(String ref, boolean size) {
        Container c = store.find(ref);
        ContainerMeta m = c.meta();
        return inspect(c, m, graphDrivers.get(m), size ? usage(m.id()) : null, volumes.mountPoints(m.id()));
    }

    /**
     * inspect from memory alone, or null when the answer needs a thread that may block: sizes asked for (a walk of
     * the snapshot), the snapshot's overlay dirs not cached yet (a containerd call), or mounts that are not known
     * without I/O or a lock (see {@link ContainerVolumes#cachedMountPoints}). Never blocks: {@code docker exec} asks
     * this before every exec, and it is answered on the API's event loop (saves two thread hand-offs).
     */
    ContainerInspect inspectCached(String ref, boolean size) {
        if (size) {
            return null;
        }
        Container c = store.find(ref);
        ContainerMeta m = c.meta();
        ContainerInspect.GraphDriver g = graphDrivers.cached(m);
        List<ContainerInspect.MountPoint> mounts = g == null ? null : volumes.cachedMountPoints(m.id());
        return mounts == null ? null : inspect(c, m, g, null, mounts);
    }

    private ContainerInspect inspect(Container c, ContainerMeta m, ContainerInspect.GraphDriver graphDriver,
                                     long[] usage, List<ContainerInspect.MountPoint> mounts) {
        Path dir = files.dir(m.id());
        Long sizeRw = usage == null ? null : usage[0];
        Long sizeRoot = usage == null ? null : usage[1];
        ContainerState st = m.state();
        if (c.removing) {
            st = new ContainerState("removing", st.running(), st.paused(), st.restarting(), st.oomKilled(), st.dead(),
                    st.pid(), st.exitCode(), st.error(), st.startedAt(), st.finishedAt());
        }
        st = st.withHealth(healthOf.apply(m.id()));
        HostConfig hc = m.hostConfig();
        String logType = logDrivers.driverOf(hc.logConfig());
        return new ContainerInspect(m.id(), m.created(), m.path(), m.args(), st, m.imageId(),
                dir.resolve("resolv.conf").toString(), dir.resolve("hostname").toString(),
                dir.resolve("hosts").toString(), logPathShown(hc, logType, m.id()), "/" + m.name(), m.restartCount(),
                Snapshots.SNAPSHOTTER, "linux", "", "", "", execIds(m.id()),
                shown(hc, logType), graphDriver, sizeRw, sizeRoot, mounts, m.config(),
                networking.settings(m.id(), m.config().exposedPorts()));
    }

    /** Inspect's LogPath: the file the driver writes (json-file's, or the one kubelet chose for cri), else none. */
    private String logPathShown(HostConfig hc, String logType, String id) {
        return switch (logType) {
            case LogDrivers.JSON_FILE -> files.logPath(id).toString();
            case LogDrivers.CRI -> logDrivers.logFile(hc.logConfig(), files.logPath(id)).path().toString();
            default -> "";
        };
    }

    /** The host config as inspect shows it: the defaults that apply filled in (log driver, runtime, paths). */
    private HostConfig shown(HostConfig hc, String logType) {
        return hc.toBuilder()
                .logConfig(new HostConfig.LogConfig(logType, hc.logConfig().config()))
                .runtime(hc.runtime() == null ? defaultRuntime : hc.runtime())
                .maskedPaths(hc.privileged() ? List.of()
                        : hc.maskedPaths() != null ? hc.maskedPaths() : OciSpecBuilder.MASKED_PATHS)
                .readonlyPaths(hc.privileged() ? List.of()
                        : hc.readonlyPaths() != null ? hc.readonlyPaths() : OciSpecBuilder.READONLY_PATHS)
                .build();
    }

    private List<String> execIds(String id) {
        List<String> l = execIdsOf.apply(id);
        return l == null || l.isEmpty() ? null : l;
    }

    /** Bytes used by the snapshot itself and by the whole chain below it; zeros when containerd cannot say. */
    private long[] usage(String id) {
        try {
            Snapshots.Usage u = snapshots.usage(id);
            return new long[] {u.own(), u.total()};
        } catch (ContainerdException e) {
            return new long[] {0, 0};
        }
    }

    List<ContainerSummary> list(boolean all, int limit, boolean size, Filters filters) {
        ContainerFilters f = new ContainerFilters(filters, store, images);
        boolean showAll = all || limit > 0 || filters.has("status") || filters.has("exited");
        Instant now = Instant.now();
        List<ContainerMeta> metas = new ArrayList<>();
        Set<String> removing = new HashSet<>();
        for (Container c : store.all()) {
            ContainerMeta m = c.meta();
            if (!showAll && !m.running() && !m.state().restarting()) {
                continue;
            }
            if (c.removing) {
                removing.add(m.id());
            }
            if (f.matches(m, c.removing, healthOf.apply(m.id()))) {
                metas.add(m);
            }
        }
        metas.sort(Comparator.comparing(ContainerMeta::created).reversed());
        Stream<ContainerMeta> s = metas.stream();
        if (limit > 0) {
            s = s.limit(limit);
        }
        return s.map(m -> summary(m, removing.contains(m.id()), size, now)).toList();
    }

    private ContainerSummary summary(ContainerMeta m, boolean removing, boolean size, Instant now) {
        Long sizeRw = null;
        Long sizeRoot = null;
        if (size) {
            long[] u = usage(m.id());
            sizeRw = u[0];
            sizeRoot = u[1];
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(m.path());
        cmd.addAll(m.args());
        return new ContainerSummary(m.id(), List.of("/" + m.name()), m.imageName(), m.imageId(),
                String.join(" ", cmd), Times.parse(m.created()).getEpochSecond(),
                networking.summaryPorts(m.id(), m.config().exposedPorts()), sizeRw, sizeRoot,
                m.config().labels() == null ? Map.of() : m.config().labels(),
                ContainerFilters.status(m.state(), removing),
                StatusText.of(m.state(), removing, now, healthOf.apply(m.id())),
                new ContainerSummary.SummaryHostConfig(m.hostConfig().networkMode()),
                new ContainerSummary.SummaryNetworkSettings(networking.summaryNetworks(m.id())),
                volumes.mountPoints(m.id()));
    }

    ContainerManager.Counts counts() {
        int running = 0;
        int paused = 0;
        int stopped = 0;
        int total = 0;
        for (Container c : store.all()) {
            ContainerState s = c.meta().state();
            total++;
            if (s.paused()) {
                paused++;
            } else if (s.running()) {
                running++;
            } else {
                stopped++;
            }
        }
        return new ContainerManager.Counts(running, paused, stopped, total);
    }

    /** Ids of the containers created from the image with this id. */
    List<String> containersUsing(String imageId) {
        return store.all().stream().filter(c -> imageId.equals(c.meta().imageId())).map(c -> c.id).toList();
    }

    /** Those of {@link #containersUsing} that dockerd counts as running: running, paused or restarting. */
    List<String> runningContainersUsing(String imageId) {
        return store.all().stream().filter(c -> imageId.equals(c.meta().imageId())
                && (c.meta().running() || c.meta().state().restarting())).map(c -> c.id).toList();
    }
}
