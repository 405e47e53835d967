package io.pouch.daemon.volume;

import io.pouch.daemon.sys.FileTrees;
import io.pouch.api.PouchException;
import io.pouch.api.volume.Volume;
import io.pouch.api.volume.VolumeListResponse;
import io.pouch.api.volume.VolumePruneResponse;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.query.Filters;
import io.pouch.daemon.sys.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Volumes: named storage that outlives containers. Metadata is {@code <home>/volume/<name>/opts.json}; which
 * containers use a volume is derived at start from the containers' mount plans ({@code containers/<id>/mounts.json},
 * written by {@link ContainerVolumes}), so it survives a restart without a second source of truth; which
 * containers have it mounted right now is {@code <home>/volume/<name>/active.json}, so a driver mount made before a
 * restart is undone when its last user stops after it.
 *
 * <p>One lock for all volumes: every operation is short (a mkdir, a mount(8)), and volume names cross
 * containers, so per-container locks could not order them.
 */
public final class VolumeManager {
    private static final Logger LOG = Logger.getLogger(VolumeManager.class.getName());
    static final String META_FILE = "opts.json";
    static final String ACTIVE_FILE = "active.json";
    private static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX")
            .withZone(ZoneOffset.UTC);

    private final DaemonConfig config;
    private final EventBus events;
    private final Map<String, VolumeDriver> builtin = new HashMap<>();
    private final PluginDrivers plugins;
    private final Map<String, VolumeRecord> volumes = new TreeMap<>();
    /** Containers whose mount plan names the volume. */
    private final Map<String, Set<String>> users = new HashMap<>();
    /** Containers that have the volume mounted (running). */
    private final Map<String, Set<String>> active = new HashMap<>();
    private boolean started;

    public VolumeManager(DaemonConfig config, EventBus events) {
        this(config, events, PluginDrivers.defaults());
    }

    VolumeManager(DaemonConfig config, EventBus events, PluginDrivers plugins) {
        this.config = config;
        this.events = events;
        this.plugins = plugins;
        builtin.put("local", new LocalDriver("local", config.volumesDir()));
        builtin.put("tmpfs", new LocalDriver("tmpfs", config.volumesDir()));
    }

    /** Loads the volumes and derives the users from the containers' mount plans. Idempotent. */
    public synchronized void start() throws IOException {
        if (started) {
            return;
        }
        started = true;
        Files.createDirectories(config.volumesDir());
        try (Stream<Path> dirs = Files.list(config.volumesDir())) {
            for (Path d : dirs.toList()) {
                Path f = d.resolve(META_FILE);
                String name = d.getFileName().toString();
                if (!VolumeNames.valid(name) || !Files.isRegularFile(f)) {
                    continue;
                }
                try {
                    VolumeRecord r = AtomicFiles.readJson(f, VolumeRecord.class);
                    volumes.put(name, r);
                    Path a = d.resolve(ACTIVE_FILE);
                    if (Files.isRegularFile(a)) {
                        active.put(name, new LinkedHashSet<>(List.of(AtomicFiles.readJson(a, String[].class))));
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warning("ignoring volume metadata " + f + ": " + e.getMessage());
                }
            }
        }
        if (Files.isDirectory(config.containersDir())) {
            try (Stream<Path> dirs = Files.list(config.containersDir())) {
                for (Path d : dirs.toList()) {
                    String id = d.getFileName().toString();
                    for (PlannedMount m : ContainerVolumes.readPlan(d)) {
                        if (m.isVolume() && m.name() != null) {
                            users.computeIfAbsent(m.name(), k -> new LinkedHashSet<>()).add(id);
                        }
                    }
                }
            }
        }
        // a container removed while we were down cannot hold a mount
        for (Map.Entry<String, Set<String>> e : active.entrySet()) {
            e.getValue().retainAll(users.getOrDefault(e.getKey(), Set.of()));
        }
    }

    // ---------------------------------------------------------------- API

    public synchronized Volume create(String name, String driver, Map<String, String> opts, Map<String, String> labels) {
        String n = name == null || name.isEmpty() ? VolumeNames.generate() : VolumeNames.validate(name);
        String d = driver == null || driver.isEmpty() ? "local" : driver;
        Map<String, String> o = opts == null ? Map.of() : opts;
        VolumeRecord existing = volumes.get(n);
        if (existing != null) {
            // docker answers the existing volume unless the request contradicts it
            if (!existing.driver().equals(d)) {
                throw PouchException.conflict("create " + n + ": volume name is already in use with driver \""
                        + existing.driver() + "\"");
            }
            return toApi(existing);
        }
        return toApi(createRecord(n, d, o, labels == null ? Map.of() : labels));
    }

    /** Caller holds the lock. */
    private VolumeRecord createRecord(String name, String driver, Map<String, String> opts, Map<String, String> labels) {
        VolumeDriver drv = driver(driver);
        VolumeRecord r = new VolumeRecord(name, driver, Map.copyOf(labels), Map.copyOf(opts),
                CREATED.format(Instant.now().truncatedTo(ChronoUnit.SECONDS)));
        Path dir = config.volumesDir().resolve(name);
        try {
            Files.createDirectories(dir);
            drv.create(name, r.options());
            AtomicFiles.writeJson(dir.resolve(META_FILE), r);
        } catch (IOException | RuntimeException e) {
            try {
                drv.remove(name);
            } catch (RuntimeException ignored) {
                // the creation failure is what the user needs to see
            }
            try {
                FileTrees.delete(dir);
            } catch (IOException ignored) {
                // nothing more to do
            }
            if (e instanceof PouchException pe) {
                throw pe;
            }
            throw PouchException.internal("create " + name + ": " + e.getMessage(), e);
        }
        volumes.put(name, r);
        publish("create", name, Map.of("driver", driver));
        return r;
    }

    public synchronized Volume inspect(String name) {
        return toApi(find(name));
    }

    public synchronized VolumeListResponse list(Filters filters) {
        filters.validate(Set.of("dangling", "driver", "label", "name"));
        List<Volume> out = new ArrayList<>();
        for (VolumeRecord r : volumes.values()) {
            if (matches(r, filters)) {
                out.add(toApi(r));
            }
        }
        return new VolumeListResponse(out, List.of());
    }

    private boolean matches(VolumeRecord r, Filters f) {
        Map<String, List<String>> v = f.values();
        if (v.containsKey("dangling")) {
            for (String d : v.get("dangling")) {
                boolean want = switch (d) {
                    case "true", "1" -> true;
                    case "false", "0" -> false;
                    default -> throw PouchException.invalidArgument("invalid filter 'dangling=" + d + "'");
                };
                if (want == inUse(r.name())) {
                    return false;
                }
            }
        }
        if (v.containsKey("driver") && !v.get("driver").contains(r.driver())) {
            return false;
        }
        if (v.containsKey("name") && v.get("name").stream().noneMatch(r.name()::contains)) {
            return false;
        }
        if (v.containsKey("label")) {
            for (String l : v.get("label")) {
                int eq = l.indexOf('=');
                String key = eq < 0 ? l : l.substring(0, eq);
                if (!r.labels().containsKey(key) || (eq >= 0 && !l.substring(eq + 1).equals(r.labels().get(key)))) {
                    return false;
                }
            }
        }
        return true;
    }

    public synchronized void remove(String name, boolean force) {
        VolumeRecord r = volumes.get(name);
        if (r == null) {
            if (force) {
                return;
            }
            throw PouchException.notFound("get " + name + ": no such volume");
        }
        Set<String> u = users.getOrDefault(name, Set.of());
        if (!u.isEmpty()) {
            throw PouchException.conflict("remove " + name + ": volume is in use - [" + String.join(" ", u) + "]");
        }
        destroy(r);
    }

    /** Caller holds the lock; the volume has no users. */
    private void destroy(VolumeRecord r) {
        driver(r.driver()).remove(r.name());
        try {
            FileTrees.delete(config.volumesDir().resolve(r.name()));
        } catch (IOException e) {
            throw PouchException.internal("remove " + r.name() + ": " + e.getMessage(), e);
        }
        volumes.remove(r.name());
        active.remove(r.name());
        users.remove(r.name());
        publish("destroy", r.name(), Map.of("driver", r.driver()));
    }

    /**
     * Removes unused volumes. From API 1.42 only anonymous ones unless the filter {@code all=true} is given (as
     * dockerd); {@code label} and {@code label!} filters narrow it.
     */
    public synchronized VolumePruneResponse prune(Filters filters, boolean anonymousOnlyByDefault) {
        filters.validate(Set.of("label", "label!", "all"));
        boolean all = !anonymousOnlyByDefault || filters.values().getOrDefault("all", List.of()).stream()
                .anyMatch(s -> s.equals("true") || s.equals("1"));
        List<String> deleted = new ArrayList<>();
        long reclaimed = 0;
        for (VolumeRecord r : List.copyOf(volumes.values())) {
            if (inUse(r.name()) || (!all && !r.anonymous()) || !labelsMatch(r, filters)) {
                continue;
            }
            long size = r.driver().equals("local") && r.options().isEmpty() ? size(config.volumesDir()
                    .resolve(r.name()).resolve("_data")) : 0;
            try {
                destroy(r);
                deleted.add(r.name());
                reclaimed += size;
            } catch (RuntimeException e) {
                LOG.warning("prune: cannot remove volume " + r.name() + ": " + e.getMessage());
            }
        }
        return new VolumePruneResponse(deleted, reclaimed);
    }

    private static boolean labelsMatch(VolumeRecord r, Filters f) {
        for (String l : f.values().getOrDefault("label", List.of())) {
            if (!labelMatches(r, l)) {
                return false;
            }
        }
        for (String l : f.values().getOrDefault("label!", List.of())) {
            if (labelMatches(r, l)) {
                return false;
            }
        }
        return true;
    }

    private static boolean labelMatches(VolumeRecord r, String l) {
        int eq = l.indexOf('=');
        String key = eq < 0 ? l : l.substring(0, eq);
        return r.labels().containsKey(key) && (eq < 0 || l.substring(eq + 1).equals(r.labels().get(key)));
    }

    private static long size(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(x -> {
                try {
                    return Files.size(x);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    // ---------------------------------------------------------------- for containers

    /** The volume, created when missing; {@code created[0]} tells which. Caller holds the lock. */
    synchronized VolumeRecord obtain(String name, String driver, Map<String, String> opts, Map<String, String> labels,
                                     boolean[] created) {
        VolumeRecord r = volumes.get(name);
        if (r != null) {
            if (driver != null && !driver.isEmpty() && !driver.equals(r.driver())) {
                throw PouchException.conflict("create " + name + ": volume name is already in use with driver \""
                        + r.driver() + "\"");
            }
            created[0] = false;
            return r;
        }
        created[0] = true;
        return createRecord(name, driver == null || driver.isEmpty() ? "local" : driver,
                opts == null ? Map.of() : opts, labels == null ? Map.of() : labels);
    }

    synchronized void addUser(String name, String containerId) {
        users.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(containerId);
    }

    /**
     * {@code containerId} no longer uses the volume; when {@code removeIfUnused} and nobody else does, the volume
     * is removed too (rm -v of an anonymous volume, undo of a failed create).
     */
    synchronized void releaseUser(String name, String containerId, boolean removeIfUnused) {
        Set<String> u = users.get(name);
        if (u != null) {
            u.remove(containerId);
            if (u.isEmpty()) {
                users.remove(name);
            }
        }
        VolumeRecord r = volumes.get(name);
        if (removeIfUnused && r != null && !inUse(name)) {
            try {
                destroy(r);
            } catch (RuntimeException e) {
                LOG.warning("cannot remove volume " + name + ": " + e.getMessage());
            }
        }
    }

    /** Mounts the volume for a starting container; answers the host path to bind. */
    synchronized Path mount(String name, String containerId) {
        VolumeRecord r = find(name);
        Path p = driver(r.driver()).mount(name, r.options(), containerId);
        Set<String> a = active.computeIfAbsent(name, k -> new LinkedHashSet<>());
        if (a.add(containerId)) {
            saveActive(name);
            publish("mount", name, Map.of("container", containerId, "driver", r.driver()));
        }
        return p;
    }

    /** The container stopped: unmount when it was the last one using the mount. Never throws. */
    synchronized void unmount(String name, String containerId) {
        VolumeRecord r = volumes.get(name);
        Set<String> a = active.get(name);
        if (r == null || a == null || !a.remove(containerId)) {
            return;
        }
        try {
            driver(r.driver()).unmount(name, r.options(), containerId, a.isEmpty());
        } catch (RuntimeException e) {
            LOG.warning("cannot unmount volume " + name + ": " + e.getMessage());
        }
        if (a.isEmpty()) {
            active.remove(name);
        }
        saveActive(name);
        publish("unmount", name, Map.of("container", containerId, "driver", r.driver()));
    }

    private void saveActive(String name) {
        Path f = config.volumesDir().resolve(name).resolve(ACTIVE_FILE);
        try {
            Set<String> a = active.get(name);
            if (a == null || a.isEmpty()) {
                Files.deleteIfExists(f);
            } else {
                AtomicFiles.writeJson(f, List.copyOf(a));
            }
        } catch (IOException e) {
            LOG.warning("cannot record the users of volume " + name + ": " + e.getMessage());
        }
    }

    /** Containers using the volume (for tests and diagnostics). */
    public synchronized List<String> users(String name) {
        return List.copyOf(users.getOrDefault(name, Set.of()));
    }

    /** Containers that have the volume mounted now. */
    public synchronized List<String> activeUsers(String name) {
        return List.copyOf(active.getOrDefault(name, Set.of()));
    }

    synchronized VolumeRecord record(String name) {
        return volumes.get(name);
    }

    synchronized Path mountpoint(String name) {
        VolumeRecord r = volumes.get(name);
        return r == null ? null : driver(r.driver()).path(name);
    }

    private boolean inUse(String name) {
        return !users.getOrDefault(name, Set.of()).isEmpty();
    }

    private VolumeRecord find(String name) {
        VolumeRecord r = name == null ? null : volumes.get(name);
        if (r == null) {
            throw PouchException.notFound("get " + name + ": no such volume");
        }
        return r;
    }

    VolumeDriver driver(String name) {
        VolumeDriver d = builtin.get(name);
        return d != null ? d : plugins.find(name);
    }

    private Volume toApi(VolumeRecord r) {
        Path mp;
        String scope = "local";
        try {
            VolumeDriver d = driver(r.driver());
            mp = d.path(r.name());
            scope = d.scope();
        } catch (RuntimeException e) {
            mp = null; // a plugin that is gone: the volume is still listed, as docker does
        }
        Map<String, String> opts = r.options().isEmpty() ? null : new LinkedHashMap<>(r.options());
        return new Volume(r.createdAt(), r.driver(), r.labels(),
                mp == null ? "" : mp.toString(), r.name(), opts, scope, null, null);
    }

    private void publish(String action, String name, Map<String, String> attrs) {
        if (events != null) {
            events.publish(Event.of("volume", action, name, attrs));
        }
    }
}
