package io.pouch.daemon.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.system.SystemInfo;
import io.pouch.api.system.SystemVersion;
import io.pouch.daemon.api.ApiVersion;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.sys.AtomicFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code /_ping}, {@code /version}, {@code /info}, {@code /events} and Pouch's {@code /daemon/update}. */
public final class SystemRoutes implements RouteRegistrar {
    private static final Logger LOG = Logger.getLogger(SystemRoutes.class.getName());
    private static final byte[] OK = "OK".getBytes(StandardCharsets.US_ASCII);
    /** Wakes an events stream whose client left. */
    private static final Event STOP = Event.of("daemon", "stop-stream", "", Map.of());

    private final EventBus events;
    private final DaemonConfig config;
    private final SystemInfoSource source;
    private final String version;
    private final AtomicInteger listeners = new AtomicInteger();
    private final DaemonSettings settings;
    private volatile String engineId;

    public SystemRoutes(EventBus events, DaemonConfig config, SystemInfoSource source, String version) {
        this(events, config, source, version, new DaemonSettings(source.labels(), proxy -> {
            throw PouchException.invalidArgument("this daemon cannot change its image proxy");
        }));
    }

    /** @param settings what {@code POST /daemon/update} changes: labels (in {@code info}) and the image proxy */
    public SystemRoutes(EventBus events, DaemonConfig config, SystemInfoSource source, String version,
                        DaemonSettings settings) {
        this.events = events;
        this.config = config;
        this.source = source;
        this.version = version;
        this.settings = settings;
    }

    @Override
    public void register(Router router) {
        if (router.match("GET", List.of("_ping")) == null) {
            registerPing(router);
        }
        if (router.match("GET", List.of("version")) == null) {
            router.add("GET", "/version", ex -> ex.respond(200, version()));
        }
        router.add("GET", "/info", ex -> ex.respond(200, info()));
        router.add("GET", "/events", this::events);
        // Pouch's live update of the daemon's labels and image proxy
        router.add("POST", "/daemon/update", ex -> {
            settings.update(ex.bodyJson(JsonNode.class));
            ex.respondEmpty(200);
        });
    }

    /**
     * Only the ping: it needs no manager, so a booting daemon answers it before its managers are up (a client's
     * first request is a ping; what it asks next waits for the boot, {@link io.pouch.daemon.api.Router#holdUntilOpen}).
     */
    public static void registerPing(Router router) {
        router.addInline("GET", "/_ping", SystemRoutes::ping);
        router.addInline("HEAD", "/_ping", SystemRoutes::ping);
    }

    /**
     * Only {@code /version}, served from now on even while the router holds the other routes: it needs containerd
     * (its version) and no container, so a restarted daemon answers it before its containers are restored.
     */
    public static void registerVersion(Router router, String version, SystemInfoSource containerd) {
        router.addWhileHeld("GET", "/version", ex -> ex.respond(200, version(version, containerd)));
    }

    private static void ping(HttpExchange ex) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Builder-Version", "1");
        h.put("Swarm", "inactive");
        h.put("Cache-Control", "no-cache, no-store, must-revalidate");
        h.put("Pragma", "no-cache");
        // HEAD answers Content-Length: 0 as dockerd does, not the length of the GET body
        ex.respondBytes(200, "text/plain; charset=utf-8", ex.method().equals("HEAD") ? new byte[0] : OK, h);
    }

    /**
     * The Docker Engine release whose API pouchd serves (API 1.47 is Docker 27.5), reported as the server version.
     * SDKs gate on it (Testcontainers refuses a server "older than 1.6.0", and pouchd's own 0.x would be); pouchd's
     * own version is its "Pouch" component and the platform name.
     */
    public static final String ENGINE_COMPAT_VERSION = "27.5.1";

    public SystemVersion version() {
        return version(version, source);
    }

    private static SystemVersion version(String version, SystemInfoSource source) {
        String kernel = HostFacts.kernelVersion();
        String runtime = "Java " + Runtime.version();
        String buildTime = buildTime();
        Map<String, String> engine = new LinkedHashMap<>();
        engine.put("ApiVersion", ApiVersion.CURRENT.toString());
        engine.put("Arch", HostFacts.goArch());
        engine.put("BuildTime", buildTime);
        engine.put("Experimental", "false");
        engine.put("GitCommit", "unknown");
        engine.put("GoVersion", runtime);
        engine.put("KernelVersion", kernel);
        engine.put("MinAPIVersion", ApiVersion.MINIMUM.toString());
        engine.put("Os", "linux");
        List<SystemVersion.Component> components = List.of(
                new SystemVersion.Component("Engine", ENGINE_COMPAT_VERSION, engine),
                new SystemVersion.Component("Pouch", version, Map.of("Runtime", runtime)),
                new SystemVersion.Component("containerd", source.containerdVersion(),
                        Map.of("GitCommit", source.containerdRevision())));
        return new SystemVersion(new SystemVersion.Platform("Pouch for the JVM " + version), components,
                ENGINE_COMPAT_VERSION,
                ApiVersion.CURRENT.toString(), ApiVersion.MINIMUM.toString(), "unknown", runtime, "linux",
                HostFacts.goArch(), kernel, null, buildTime);
    }

    /** When this build was made: the time stamp of our own classes (jar or directory). */
    private static String buildTime() {
        try {
            Path p = Path.of(SystemRoutes.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                    Files.getLastModifiedTime(p).toInstant().atOffset(ZoneOffset.UTC));
        } catch (Exception e) {
            return "";
        }
    }

    public SystemInfo info() {
        SystemInfoSource.Counts c = source.counts();
        String osRelease = HostFacts.osRelease();
        String defaultRuntime = config.defaultRuntime() != null ? config.defaultRuntime() : "runc";
        Map<String, SystemInfo.Runtime> runtimes = source.runtimes();
        if (runtimes == null) {
            runtimes = new LinkedHashMap<>();
            runtimes.put("runc", new SystemInfo.Runtime("runc"));
            runtimes.put("crun", new SystemInfo.Runtime("crun"));
        }
        String now = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Instant.now().atOffset(ZoneOffset.UTC));
        return new SystemInfo(
                engineId(), c.containers(), c.running(), c.paused(), c.stopped(), c.images(),
                "overlayfs", List.of(), source.systemStatus(), new SystemInfo.Plugins(List.of("local"), List.of("bridge", "host", "null"),
                        null, List.of("json-file", "none", "syslog")),
                true, true, true, true, true, true, true, true, true, true,
                config.debug(), HostFacts.openFds(), true, Thread.activeCount(), now,
                config.logDriver() != null ? config.logDriver() : "json-file", "cgroupfs",
                HostFacts.cgroupVersion(Path.of("/sys/fs/cgroup")), listeners.get(),
                HostFacts.kernelVersion(), HostFacts.prettyName(osRelease), HostFacts.osVersion(osRelease), "linux",
                HostFacts.machine(), "https://index.docker.io/v1/",
                new SystemInfo.RegistryConfig(List.of("127.0.0.0/8"), Map.of(), List.of()),
                Runtime.getRuntime().availableProcessors(), HostFacts.memTotal(), null,
                config.homeDir().toString(), "", "", "", HostFacts.hostname(), settings.labels(), false,
                ENGINE_COMPAT_VERSION,
                runtimes, defaultRuntime, SystemInfo.Swarm.INACTIVE, false, "", "",
                new SystemInfo.Commit(source.containerdRevision(), source.containerdRevision()),
                new SystemInfo.Commit("", ""), new SystemInfo.Commit("", ""),
                List.of("name=seccomp,profile=default"), List.of(), List.of(), List.of());
    }

    /** A stable engine ID like dockerd's engine-id file; kept in the home dir so it survives restarts. */
    private String engineId() {
        String id = engineId;
        if (id != null) {
            return id;
        }
        Path file = config.homeDir().resolve("engine-id");
        try {
            if (Files.exists(file)) {
                id = Files.readString(file).trim();
            }
            if (id == null || id.isEmpty()) {
                id = UUID.randomUUID().toString();
                Files.createDirectories(config.homeDir());
                AtomicFiles.write(file, id.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // a read-only home still gets an ID that is stable for this host and home
            id = UUID.nameUUIDFromBytes((HostFacts.hostname() + config.homeDir()).getBytes(StandardCharsets.UTF_8))
                    .toString();
        }
        engineId = id;
        return id;
    }

    private void events(HttpExchange ex) throws IOException, InterruptedException {
        EventQuery q = EventQuery.parse(ex.query("since"), ex.query("until"), ex.query("filters"));
        BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
        listeners.incrementAndGet();
        try (EventBus.Subscription sub = events.subscribe(queue::add)) {
            OutputStream out = ex.startStream(200, "application/json", Map.of(), true);
            ex.onClientGone(() -> queue.add(STOP));
            for (Event e : sub.history()) {
                if (q.replays(e) && q.matches(e)) {
                    write(out, e);
                }
            }
            while (!ex.clientGone() && !q.ended(nowNanos())) {
                long waitMs = q.untilNanos() == null ? 1000
                        : Math.max(1, Math.min(1000, (q.untilNanos() - nowNanos()) / 1_000_000));
                Event e = queue.poll(waitMs, TimeUnit.MILLISECONDS);
                if (e == STOP) {
                    break;
                }
                if (e == null) {
                    continue;
                }
                if (q.untilNanos() != null && e.timeNano() > q.untilNanos()) {
                    break;
                }
                if (q.matches(e)) {
                    write(out, e);
                }
            }
            out.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "events stream ended: " + e.getMessage());
        } finally {
            listeners.decrementAndGet();
        }
    }

    private static void write(OutputStream out, Event e) throws IOException {
        byte[] json = Json.MAPPER.writeValueAsBytes(e);
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        out.write(line);
    }

    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
