package io.pouch.daemon.volume;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerInspect;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.sys.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * What the container manager calls for mounts: plan (validate) at create, attach (create and reference the
 * volumes, persist the plan), mount into the spec at start, unmount at exit, release at remove. The plan of a
 * container is {@code containers/<id>/mounts.json} (absent: no mounts); it is removed with the container's
 * directory.
 */
public final class ContainerVolumes {
    private static final Logger LOG = Logger.getLogger(ContainerVolumes.class.getName());
    static final String PLAN_FILE = "mounts.json";
    private final VolumeManager volumes;
    private final Path containersDir;
    private final Map<String, List<PlannedMount>> plans = new ConcurrentHashMap<>();

    public ContainerVolumes(VolumeManager volumes, Path containersDir) {
        this.volumes = volumes;
        this.containersDir = containersDir;
    }

    public VolumeManager manager() {
        return volumes;
    }

    /**
     * Validates every mount the container asks for and answers the plan, creating nothing. Docker's order:
     * volumes-from, then binds (-v) replacing them at the same destination, then --mount and --tmpfs (a second
     * mount at a destination is an error), then the anonymous volumes of Config.Volumes (the image's VOLUME
     * included) where nothing else is mounted.
     *
     * @param configVolumes   Config.Volumes merged with the image's (keys are container paths)
     * @param containerLookup a container reference to its id (404 when there is none), for VolumesFrom
     */
    public List<PlannedMount> plan(HostConfig hc, Map<String, Object> configVolumes,
                                   Function<String, String> containerLookup) {
        Map<String, PlannedMount> byDest = new LinkedHashMap<>();
        if (hc.volumesFrom() != null) {
            for (String spec : hc.volumesFrom()) {
                String[] ref = MountSpecs.parseVolumesFrom(spec);
                String id;
                try {
                    id = containerLookup.apply(ref[0]);
                } catch (PouchException e) {
                    // 400: the docker CLI takes a 404 from create for "no such image" and tries a pull
                    throw e.status() == 404 ? PouchException.invalidArgument(e.getMessage()) : e;
                }
                for (PlannedMount m : plan(id)) {
                    if (m.type().equals("tmpfs")) {
                        continue;
                    }
                    PlannedMount copy = ref[1] == null ? m.withRw(m.rw(), m.mode())
                            : m.withRw(ref[1].equals("rw"), ReplaceModes.keep(m.mode(), ref[1]));
                    byDest.put(copy.destination(), new PlannedMount(copy.type(), copy.name(), copy.source(),
                            copy.destination(), copy.driver(), copy.mode(), copy.rw(), copy.propagation(), false,
                            false, false, copy.tmpfsOptions(), null, null, false));
                }
            }
        }
        Set<String> user = new HashSet<>();
        if (hc.binds() != null) {
            for (String b : hc.binds()) {
                PlannedMount m = MountSpecs.parseBind(b, hc.volumeDriver());
                if (!user.add(m.destination())) {
                    throw PouchException.invalidArgument("Duplicate mount point: " + m.destination());
                }
                byDest.put(m.destination(), m);
            }
        }
        if (hc.mounts() != null) {
            for (HostConfig.Mount hm : hc.mounts()) {
                PlannedMount m = MountSpecs.parseMount(hm);
                if (!user.add(m.destination())) {
                    throw PouchException.invalidArgument("Duplicate mount point: " + m.destination());
                }
                byDest.put(m.destination(), m);
            }
        }
        if (hc.tmpfs() != null) {
            for (Map.Entry<String, String> t : hc.tmpfs().entrySet()) {
                PlannedMount m = MountSpecs.parseTmpfs(t.getKey(), t.getValue());
                if (!user.add(m.destination())) {
                    throw PouchException.invalidArgument("Duplicate mount point: " + m.destination());
                }
                byDest.put(m.destination(), m);
            }
        }
        if (configVolumes != null) {
            for (String path : configVolumes.keySet()) {
                PlannedMount m = MountSpecs.anonymous(path, hc.volumeDriver());
                byDest.putIfAbsent(m.destination(), m);
            }
        }
        for (PlannedMount m : byDest.values()) {
            if (m.isVolume() && m.driver() != null) {
                try {
                    volumes.driver(m.driver()); // a missing plugin is refused before anything is created
                } catch (PouchException e) {
                    // 400, not 404: the docker CLI takes a 404 from create for "no such image" and tries a pull
                    throw e.status() == 404 ? PouchException.invalidArgument("create "
                            + (m.name() == null ? m.destination() : m.name()) + ": " + e.getMessage()) : e;
                }
            }
        }
        return List.copyOf(byDest.values());
    }

    /**
     * Creates the volumes the plan needs (anonymous ones get their names), makes the container a user of each and
     * writes the plan into {@code containers/<id>/}. On failure everything this call did is undone.
     */
    public List<PlannedMount> attach(String id, List<PlannedMount> plan) {
        List<PlannedMount> done = new ArrayList<>();
        try {
            for (PlannedMount m : plan) {
                if (!m.isVolume()) {
                    done.add(m);
                    continue;
                }
                String name = m.name() != null ? m.name() : VolumeNames.generate();
                Map<String, String> labels = new LinkedHashMap<>(m.labels() == null ? Map.of() : m.labels());
                if (m.anonymous()) {
                    labels.put(VolumeRecord.ANONYMOUS_LABEL, "");
                }
                boolean[] created = new boolean[1];
                VolumeRecord r = volumes.obtain(name, m.driver(), m.driverOpts(), labels, created);
                volumes.addUser(name, id);
                done.add(m.withName(name, created[0]).withDriver(r.driver()));
            }
            List<PlannedMount> result = List.copyOf(done);
            if (!result.isEmpty()) { // no file reads as no mounts: a container without any needs no crash-safe write
                AtomicFiles.writeJson(containersDir.resolve(id).resolve(PLAN_FILE), result);
            }
            plans.put(id, result);
            return result;
        } catch (IOException | RuntimeException e) {
            undo(id, done);
            if (e instanceof PouchException pe) {
                throw pe;
            }
            throw PouchException.internal("cannot record the mounts of container " + id + ": " + e.getMessage(), e);
        }
    }

    private void undo(String id, List<PlannedMount> done) {
        for (PlannedMount m : done) {
            if (m.isVolume() && m.name() != null) {
                volumes.releaseUser(m.name(), id, m.created());
            }
        }
        plans.remove(id);
    }

    /** A create failed after {@link #attach}: release everything and remove the volumes it created. */
    public void abort(String id) {
        undo(id, plan(id));
    }

    /** The container is being removed: release its volumes; with {@code removeAnonymous} (rm -v) remove those. */
    public void removed(String id, boolean removeAnonymous) {
        stopped(id);
        for (PlannedMount m : plan(id)) {
            if (m.isVolume() && m.name() != null) {
                volumes.releaseUser(m.name(), id, removeAnonymous && m.anonymous());
            }
        }
        plans.remove(id);
    }

    /** The plan of a container (empty for one created before volumes existed). */
    public List<PlannedMount> plan(String id) {
        return plans.computeIfAbsent(id, k -> readPlan(containersDir.resolve(k)));
    }

    static List<PlannedMount> readPlan(Path containerDir) {
        Path f = containerDir.resolve(PLAN_FILE);
        if (!Files.isRegularFile(f)) {
            return List.of();
        }
        try {
            return List.of(AtomicFiles.readJson(f, PlannedMount[].class));
        } catch (IOException | RuntimeException e) {
            LOG.warning("ignoring mount plan " + f + ": " + e.getMessage());
            return List.of();
        }
    }

    /**
     * Start: mounts the volumes (filling empty ones from the image when asked), creates missing {@code -v} host
     * directories, and puts every user mount into the runtime spec, replacing a default mount at the same
     * destination, parents before children. {@code layers}: the rootfs snapshot's layer directories, topmost
     * first. On failure whatever was mounted is undone.
     */
    public void applyStart(String id, List<Path> layers, ObjectNode spec, HostConfig hc) {
        if (hc != null && hc.binds() != null && !hc.binds().isEmpty()
                && !Files.exists(containersDir.resolve(id).resolve(PLAN_FILE))) {
            // a container created before mount plans existed: its Binds (host paths only then) become its plan
            attach(id, plan(HostConfig.builder().binds(hc.binds()).build(), null, ref -> ref));
        }
        List<PlannedMount> plan = plan(id);
        List<ObjectNode> out = new ArrayList<>();
        try {
            for (PlannedMount m : plan) {
                Path src = switch (m.type()) {
                    case "bind" -> bindSource(m);
                    case "volume" -> volumeSource(id, m, layers);
                    default -> null;
                };
                out.add(mountNode(m, src));
            }
        } catch (RuntimeException e) {
            stopped(id);
            throw e;
        }
        addMounts(spec, out);
    }

    /**
     * The user mounts {@link #applyStart} would put into {@code spec} for a container about to be created with
     * {@code plan}, added to it without touching the host: only for a plan of tmpfs mounts and binds whose host
     * paths exist. Anything else (a volume to mount, a directory to create) returns false, {@code spec} unchanged.
     */
    public boolean predictStart(List<PlannedMount> plan, ObjectNode spec) {
        if (!predictable(plan)) {
            return false;
        }
        List<ObjectNode> out = new ArrayList<>();
        for (PlannedMount m : plan) {
            out.add(mountNode(m, "bind".equals(m.type()) ? Path.of(m.source()) : null));
        }
        addMounts(spec, out);
        return true;
    }

    /** Whether {@link #predictStart} can tell a start's mounts for {@code plan}: tmpfs and existing binds only. */
    public static boolean predictable(List<PlannedMount> plan) {
        for (PlannedMount m : plan) {
            if ("volume".equals(m.type()) || ("bind".equals(m.type()) && !Files.exists(Path.of(m.source())))) {
                return false;
            }
        }
        return true;
    }

    /** A bind's host path; {@code -v} creates a missing directory, as docker does. */
    private static Path bindSource(PlannedMount m) {
        Path src = Path.of(m.source());
        if (!Files.exists(src)) {
            if (!m.createSource()) {
                throw PouchException.invalidArgument("invalid mount config for type \"bind\": bind"
                        + " source path does not exist: " + src);
            }
            try {
                Files.createDirectories(src); // docker -v creates a missing host directory
            } catch (IOException e) {
                throw PouchException.invalidArgument("error while creating mount source path '"
                        + src + "': " + e.getMessage());
            }
        }
        return src;
    }

    /** Mounts the volume for container {@code id}, filled from the image when it asks for that and is empty. */
    private Path volumeSource(String id, PlannedMount m, List<Path> layers) {
        Path src = volumes.mount(m.name(), id);
        String replace = ReplaceModes.of(m.mode());
        if (replace != null) {
            src = ReplaceModes.source(src, replace, m.destination(), m.source());
        }
        if (m.copyData() && layers != null && isEmptyDir(src)) {
            LayeredRoot root = new LayeredRoot(layers);
            if (root.hasContent(m.destination())) {
                try {
                    root.copyTo(m.destination(), src);
                } catch (IOException e) {
                    throw PouchException.internal("cannot copy the image's content at "
                            + m.destination() + " into volume " + m.name() + ": " + e.getMessage(), e);
                }
            }
        }
        return src;
    }

    /** The runtime spec's mount for {@code m}; {@code src}: the host path of a bind or volume, null for tmpfs. */
    private static ObjectNode mountNode(PlannedMount m, Path src) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("destination", m.destination());
        ArrayNode opts = Json.MAPPER.createArrayNode();
        switch (m.type()) {
            case "bind" -> {
                o.put("type", "bind");
                o.put("source", src.toString());
                opts.add("rbind").add(m.propagation().isEmpty() ? "rprivate" : m.propagation());
            }
            case "volume" -> {
                o.put("type", "bind");
                o.put("source", src.toString());
                opts.add("rbind").add("rprivate");
            }
            default -> {
                o.put("type", "tmpfs");
                o.put("source", "tmpfs");
                opts.add("nosuid").add("nodev").add("noexec");
                if (m.tmpfsOptions() != null && !m.tmpfsOptions().isEmpty()) {
                    for (String t : m.tmpfsOptions().split(",")) {
                        opts.add(t);
                    }
                }
            }
        }
        opts.add(m.rw() ? "rw" : "ro");
        o.set("options", opts);
        return o;
    }

    /** {@code out} replaces the spec's default mounts at the same destinations; parents before children. */
    private static void addMounts(ObjectNode spec, List<ObjectNode> out) {
        Set<String> dests = new HashSet<>();
        out.forEach(o -> dests.add(o.get("destination").asText()));
        ArrayNode mounts = spec.withArray("mounts");
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode n : mounts) {
            if (!dests.contains(n.path("destination").asText())) {
                all.add(n);
            }
        }
        all.addAll(out);
        // stable sort by depth: a mount at /a must come before one at /a/b, defaults keep their order
        all.sort(Comparator.comparingInt(n -> depth(n.path("destination").asText())));
        mounts.removeAll();
        all.forEach(mounts::add);
    }

    private static int depth(String p) {
        return (int) Path.of(p).normalize().toString().chars().filter(c -> c == '/').count();
    }

    private static boolean isEmptyDir(Path p) {
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** The container's process is gone: its volume mounts are released (unmounted when it was the last user). */
    public void stopped(String id) {
        for (PlannedMount m : plan(id)) {
            if (m.isVolume() && m.name() != null) {
                volumes.unmount(m.name(), id);
            }
        }
    }

    /** Inspect's and ps's {@code Mounts}. */
    public List<ContainerInspect.MountPoint> mountPoints(String id) {
        return mountPoints(plan(id));
    }

    /**
     * The mount points when known without I/O or a lock: null when the plan is not read yet, or names a volume
     * (its mount point comes from the volume manager, whose monitor is held while it creates or removes volumes, and
     * a plugin's from the plugin).
     */
    public List<ContainerInspect.MountPoint> cachedMountPoints(String id) {
        List<PlannedMount> plan = plans.get(id);
        if (plan == null || plan.stream().anyMatch(m -> m.type().equals("volume"))) {
            return null;
        }
        return mountPoints(plan);
    }

    private List<ContainerInspect.MountPoint> mountPoints(List<PlannedMount> plan) {
        List<ContainerInspect.MountPoint> out = new ArrayList<>();
        for (PlannedMount m : plan) {
            switch (m.type()) {
                case "bind" -> out.add(new ContainerInspect.MountPoint("bind", null, m.source(), m.destination(), null,
                        m.mode(), m.rw(), m.propagation()));
                case "volume" -> {
                    Path mp = null;
                    try {
                        mp = volumes.mountpoint(m.name());
                    } catch (RuntimeException e) {
                        // a plugin that is gone: still listed
                    }
                    out.add(new ContainerInspect.MountPoint("volume", m.name(), mp == null ? "" : mp.toString(),
                            m.destination(), m.driver(), m.mode(), m.rw(), ""));
                }
                default -> out.add(new ContainerInspect.MountPoint("tmpfs", null, "", m.destination(), null,
                        m.mode(), m.rw(), ""));
            }
        }
        return out;
    }
}
