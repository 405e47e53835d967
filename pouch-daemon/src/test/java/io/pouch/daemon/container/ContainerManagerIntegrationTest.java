package io.pouch.daemon.container;

import containerd.services.containers.v1.ContainersOuterClass;
import containerd.services.snapshots.v1.SnapshotsOuterClass;
import containerd.services.tasks.v1.TasksOuterClass;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerCreateResponse;
import io.pouch.api.container.ContainerInspect;
import io.pouch.api.container.HostConfig;
import io.pouch.api.container.NetworkMode;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.api.TestExchange;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.containerd.PrivateContainerd;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.image.ImageLookup;
import io.pouch.daemon.image.LocalImage;
import io.pouch.daemon.query.Filters;
import io.pouch.daemon.volume.VolumeManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Against a private containerd (a fresh one under /tmp, namespace container-test) with the offline busybox image.
 * Reuses a containerd already answering on that socket, else starts one and stops it afterwards.
 */
@Tag("integration")
class ContainerManagerIntegrationTest {
    static String SOCK;
    static final String NS = "container-test";
    /** The offline busybox image: the suite's (scripts/test builds it once), else one built for this class. */
    static Path TAR;
    static PrivateContainerd privateCtd;
    static Containerd ctd;
    static ContainerManager mgr;
    static DaemonConfig cfg;
    static LocalImage IMAGE;
    static final List<Event> EVENTS = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/containerd")), "needs containerd");
        privateCtd = PrivateContainerd.startFresh("container-ctd-", NS);
        SOCK = privateCtd.socket();
        String suiteImage = System.getenv("POUCH_TEST_IMAGE_TAR");
        TAR = suiteImage != null && Files.isRegularFile(Path.of(suiteImage)) ? Path.of(suiteImage)
                : privateCtd.dir().resolve("busybox.tar");
        if (!Files.exists(TAR)) {
            run("../scripts/build-busybox-image", TAR.toString());
        }
        ctd = privateCtd.client();
        run("ctr", "-a", SOCK, "-n", NS, "images", "import", TAR.toString());
        String chainId = null;
        for (String line : run("ctr", "-a", SOCK, "-n", NS, "snapshots", "ls").split("\n")) {
            if (line.startsWith("sha256:") && line.trim().endsWith("Committed")) {
                chainId = line.split("\\s+")[0];
            }
        }
        String manifest = run("tar", "-xOf", TAR.toString(), "./manifest.json");
        String configFile = manifest.replaceAll("(?s).*\"Config\"\\s*:\\s*\"(?:\\./)?([0-9a-f]{64})\\.json\".*", "$1");
        LocalImage image = IMAGE = new LocalImage("sha256:" + configFile, "docker.io/library/busybox:latest", chainId,
                "overlayfs", new LocalImage.RunConfig("", List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                + "/usr/bin:/sbin:/bin"), null, List.of("sh"), "", Map.of(), null, null, null));
        Path home = Files.createDirectories(privateCtd.dir().resolve("home"));
        Path exec = Files.createDirectories(privateCtd.dir().resolve("run"));
        cfg = new DaemonConfig(home, exec, List.of(), SOCK, "containerd", NS, false, "json-file", Map.of(), "runc",
                "p0", "/nonexistent");
        EventBus bus = new EventBus();
        bus.subscribe(EVENTS::add);
        mgr = manager(cfg, bus, ref -> {
            if (ref.startsWith("busybox") || ref.equals(image.id())) {
                return image;
            }
            throw PouchException.notFound("No such image: " + ref);
        });
        mgr.start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (mgr != null) {
            for (var s : mgr.list(true, -1, false, Filters.NONE)) {
                try {
                    mgr.remove(s.id(), true, false);
                } catch (RuntimeException ignored) {
                    // best effort
                }
            }
            mgr.close();
        }
        if (privateCtd != null) {
            privateCtd.close();
        }
    }

    /** A manager without networks of pouchd's (every container in an empty namespace), as the tests need. */
    static ContainerManager manager(DaemonConfig config, EventBus bus, ImageLookup images) {
        return new ContainerManager(ctd, config, bus, images, ContainerNetworking.NONE,
                new VolumeManager(config, bus));
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    static String create(String name, List<String> cmd, Map<String, Object> hostConfig) {
        ContainerConfig c = ContainerConfig.builder().attachStdout(true).attachStderr(true).cmd(cmd)
                .image("busybox").build();
        HostConfig hc = Json.MAPPER.convertValue(hostConfig, HostConfig.class);
        return mgr.create(name, c, hc).id();
    }

    static int runToExit(String id) throws Exception {
        var exit = mgr.waitFor(id, "next-exit");
        mgr.start(id);
        return exit.get(20, TimeUnit.SECONDS);
    }

    static List<String> containerdContainers() {
        return ctd.containers().list(ContainersOuterClass.ListContainersRequest.getDefaultInstance())
                .getContainersList().stream().map(ContainersOuterClass.Container::getId).toList();
    }

    static List<String> snapshots() {
        List<String> out = new ArrayList<>();
        Iterator<SnapshotsOuterClass.ListSnapshotsResponse> it = ctd.snapshots().list(
                SnapshotsOuterClass.ListSnapshotsRequest.newBuilder().setSnapshotter("overlayfs").build());
        it.forEachRemaining(r -> r.getInfoList().forEach(i -> out.add(i.getName())));
        return out;
    }

    static List<String> tasks() {
        return ctd.tasks().list(TasksOuterClass.ListTasksRequest.getDefaultInstance()).getTasksList().stream()
                .map(t -> t.getId()).toList();
    }

    static long metadataDirs() throws IOException {
        try (Stream<Path> s = Files.list(cfg.containersDir())) {
            return s.count();
        }
    }

    @Test
    void echoHiLandsInTheJsonLog() throws Exception {
        String id = create("it-echo", List.of("echo", "hi"), Map.of());
        assertEquals(0, runToExit(id));
        String log = Files.readString(mgr.logPath(id));
        assertTrue(log.contains("\"log\":\"hi\\n\""), log);
        assertTrue(log.contains("\"stream\":\"stdout\""), log);
        ContainerInspect in = mgr.inspect("it-echo", false);
        assertEquals("exited", in.state().status());
        assertEquals(0, in.state().exitCode());
        assertEquals("/it-echo", in.name());
        assertFalse(tasks().contains(id), "task deleted after exit");
        assertTrue(EVENTS.stream().anyMatch(e -> e.actor().id().equals(id) && e.action().equals("die")
                && "0".equals(e.actor().attributes().get("exitCode"))));
        assertTrue(mgr.list(false, -1, false, Filters.NONE).stream().noneMatch(s -> s.id().equals(id)));
        var s = mgr.list(true, -1, true, Filters.parse("{\"name\":[\"it-echo\"]}"));
        assertEquals(1, s.size());
        assertTrue(s.get(0).status().startsWith("Exited (0) "), s.get(0).status());
        mgr.remove(id, false, false);
    }

    @Test
    void exitCodeFromTheEventStream() throws Exception {
        String id = create(null, List.of("sh", "-c", "exit 3"), Map.of());
        assertEquals(3, runToExit(id));
        assertEquals(3, mgr.inspect(id, false).state().exitCode());
        mgr.remove(id, false, false);
    }

    @Test
    void stopFallsBackToSigkill() throws Exception {
        // sleep as PID 1 has no SIGTERM handler, so the kernel ignores TERM: stop must escalate to KILL
        String id = create("it-stop", List.of("sleep", "100"), Map.of());
        mgr.start(id);
        assertTrue(mgr.inspect(id, false).state().running());
        long t0 = System.nanoTime();
        mgr.stop(id, 1);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 900 && ms < 8000, "took " + ms + " ms");
        ContainerInspect in = mgr.inspect(id, false);
        assertFalse(in.state().running());
        assertEquals(137, in.state().exitCode());
        List<String> signals = EVENTS.stream().filter(e -> e.actor().id().equals(id) && e.action().equals("kill"))
                .map(e -> e.actor().attributes().get("signal")).toList();
        assertEquals(List.of("15", "9"), signals);
        assertThrows(PouchException.class, () -> mgr.stop(id, 1)); // 304
        assertEquals(409, assertThrows(PouchException.class, () -> mgr.kill(id, "KILL")).status());
        mgr.remove(id, false, false);
    }

    @Test
    void inspectFromMemoryIsTheSameAnswerOnceTheSnapshotIsKnown() throws Exception {
        String id = create("it-inspect-cached", List.of("sleep", "100"), Map.of());
        mgr.start(id);
        ContainerInspect full = mgr.inspect(id, false); // asks containerd for the overlay dirs once
        ContainerInspect cached = mgr.inspectCached(id, false);
        assertEquals(Json.MAPPER.writeValueAsString(full), Json.MAPPER.writeValueAsString(cached));
        assertFalse(cached.graphDriver().data().isEmpty(), cached.graphDriver().toString());
        assertNull(mgr.inspectCached(id, true), "sizes walk the snapshot: not from memory");
        assertEquals(404, assertThrows(PouchException.class, () -> mgr.inspectCached("it-no-such", false)).status());
        mgr.kill(id, "SIGKILL");
        assertEquals(137, mgr.waitFor(id, "not-running").get(10, TimeUnit.SECONDS));
        mgr.remove(id, false, false);
    }

    @Test
    void pauseAndUnpause() throws Exception {
        String id = create("it-pause", List.of("sleep", "100"), Map.of());
        mgr.start(id);
        mgr.pause(id);
        assertEquals("paused", mgr.inspect(id, false).state().status());
        assertEquals(409, assertThrows(PouchException.class, () -> mgr.pause(id)).status());
        PouchException start = assertThrows(PouchException.class, () -> mgr.start(id));
        assertEquals(409, start.status(), "dockerd: a paused container is a conflict, not 'already started'");
        assertEquals("cannot start a paused container, try unpause instead", start.getMessage());
        mgr.unpause(id);
        assertEquals("running", mgr.inspect(id, false).state().status());
        assertEquals(409, assertThrows(PouchException.class, () -> mgr.remove(id, false, false)).status());
        mgr.kill(id, "SIGKILL");
        assertEquals(137, mgr.waitFor(id, "not-running").get(10, TimeUnit.SECONDS));
        mgr.remove(id, false, false);
    }

    @Test
    void forceRemoveLeavesNothing() throws Exception {
        String id = create("it-rm", List.of("sleep", "100"), Map.of("Binds", List.of(privateCtd.dir().resolve("bind") + ":/data")));
        mgr.start(id);
        assertTrue(tasks().contains(id));
        assertTrue(Files.isDirectory(privateCtd.dir().resolve("bind")), "docker -v creates the host dir");
        var removed = mgr.waitFor(id, "removed");
        mgr.remove(id, true, false);
        assertEquals(137, removed.get(5, TimeUnit.SECONDS));
        assertFalse(tasks().contains(id));
        assertFalse(containerdContainers().contains(id));
        assertFalse(snapshots().contains(id));
        assertFalse(Files.exists(cfg.containersDir().resolve(id)));
        assertFalse(Files.exists(ContainerIO.fifoDir(cfg.execRoot(), id)));
        try (Stream<Path> ctrls = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path ctrl : ctrls.toList()) {
                assertFalse(Files.exists(ctrl.resolve("pouch").resolve(id)), "cgroup left in " + ctrl);
            }
        }
        assertEquals(404, assertThrows(PouchException.class, () -> mgr.inspect(id, false)).status());
        assertTrue(EVENTS.stream().anyMatch(e -> e.actor().id().equals(id) && e.action().equals("destroy")));
    }

    @Test
    void failingCreatesLeaveNothing() throws Exception {
        long dirs = metadataDirs();
        List<String> ctrs = containerdContainers();
        List<String> snaps = snapshots();
        PouchException e = assertThrows(PouchException.class,
                () -> create("it-bad", List.of("true"), Map.of("Runtime", "kata")));
        assertEquals(400, e.status());
        e = assertThrows(PouchException.class,
                () -> create("it-bad", List.of("true"), Map.of("Binds", List.of("bad/name:/x"))));
        assertEquals(400, e.status());
        e = assertThrows(PouchException.class,
                () -> create("it-bad", List.of("true"), Map.of("CapAdd", List.of("NOPE"))));
        assertEquals(400, e.status());
        e = assertThrows(PouchException.class, () -> create("bad name", List.of("true"), Map.of()));
        assertEquals(400, e.status());
        e = assertThrows(PouchException.class, () -> mgr.create(null, ContainerConfig.builder()
                .cmd(List.of("true")).image("nosuchimage").build(), null));
        assertEquals(404, e.status());
        assertEquals(dirs, metadataDirs());
        assertEquals(ctrs, containerdContainers());
        assertEquals(snaps, snapshots());
        // the name stays free after the failures
        String id = create("it-bad", List.of("true"), Map.of());
        assertEquals(409, assertThrows(PouchException.class, () -> create("it-bad", List.of("true"), Map.of()))
                .status());
        mgr.remove(id, false, false);
    }

    @Test
    void missingExecutableIsA127StyleErrorAndLeavesNoTask() {
        String id = create("it-noexec", List.of("/no/such/binary"), Map.of());
        PouchException e = assertThrows(PouchException.class, () -> mgr.start(id));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("no such file or directory")
                || e.getMessage().contains("executable file not found"), e.getMessage());
        assertFalse(tasks().contains(id));
        assertEquals("created", mgr.inspect(id, false).state().status());
        String id2 = create("it-noexec2", List.of("nosuchcmd"), Map.of());
        e = assertThrows(PouchException.class, () -> mgr.start(id2));
        assertTrue(e.getMessage().contains("executable file not found in $PATH"), e.getMessage());
        mgr.remove(id, false, false);
        mgr.remove(id2, false, false);
    }

    @Test
    void autoRemoveAndUserAndInit() throws Exception {
        String id = create("it-auto", List.of("sh", "-c", "id -u; id -g; test $$ -ne 1"),
                Map.of("AutoRemove", true, "Init", true));
        var removed = mgr.waitFor(id, "removed");
        mgr.start(id);
        assertEquals(0, removed.get(20, TimeUnit.SECONDS), "with --init the shell is not PID 1");
        assertFalse(Files.exists(cfg.containersDir().resolve(id)));
        ContainerConfig c = ContainerConfig.builder().user("nobody").attachStdout(true).attachStderr(true)
                .cmd(List.of("sh", "-c", "echo $(id -u):$(id -g)")).image("busybox").build();
        String id2 = mgr.create(null, c, null).id();
        assertEquals(0, runToExit(id2));
        assertTrue(Files.readString(mgr.logPath(id2)).contains("65534:65534"));
        mgr.remove(id2, false, false);
    }

    @Test
    void securityDefaultsHold() throws Exception {
        // seccomp denies namespace creation; privileged lifts it
        String id = create(null, List.of("unshare", "-n", "true"), Map.of());
        assertTrue(runToExit(id) != 0);
        String priv = create(null, List.of("unshare", "-n", "true"), Map.of("Privileged", true));
        assertEquals(0, runToExit(priv));
        // network none/default: loopback only; read-only rootfs refuses writes
        String net = create(null, List.of("sh", "-c", "grep -c : /proc/net/dev; touch /x || echo ro"),
                Map.of("NetworkMode", "none", "ReadonlyRootfs", true));
        assertEquals(0, runToExit(net));
        String log = Files.readString(mgr.logPath(net));
        assertTrue(log.contains("\"log\":\"1\\n\""), log);
        assertTrue(log.contains("\"log\":\"ro\\n\""), log);
        // a hard limit above the host's is refused with a reason, at create
        PouchException e = assertThrows(PouchException.class, () -> create(null, List.of("true"),
                Map.of("Ulimits", List.of(Map.of("Name", "nofile", "Soft", 1048576, "Hard", 1048576)))));
        assertEquals(400, e.status());
        for (String x : List.of(id, priv, net)) {
            mgr.remove(x, false, false);
        }
    }

    @Test
    void restartedManagerReconciles() throws Exception {
        Path home = Files.createDirectories(privateCtd.dir().resolve("home2"));
        DaemonConfig c2 = new DaemonConfig(home, cfg.execRoot(), List.of(), SOCK, "containerd", NS, false,
                "json-file", Map.of(), "runc", "p0", "/nonexistent");
        EventBus bus = new EventBus();
        ContainerManager a = manager(c2, bus, ref -> mgrImage());
        a.start();
        ContainerConfig sleep = ContainerConfig.builder().attachStdout(true).attachStderr(true)
                .cmd(List.of("sh", "-c", "echo started; sleep 100")).image("busybox").build();
        ContainerConfig idle = ContainerConfig.builder().attachStdout(true).attachStderr(true)
                .cmd(List.of("true")).image("busybox").build();
        String running = a.create("rc-running", sleep, null).id();
        a.start(running);
        int pid = a.inspect(running, false).state().pid();
        String orphan = a.create("rc-orphan", idle, null).id();
        String ghost = a.create("rc-ghost", idle, null).id();
        a.close();
        // while "pouchd" is down: metadata of one is lost, the containerd side of another is lost
        io.pouch.daemon.sys.FileTrees.delete(home.resolve("containers").resolve(orphan));
        ctd.containers().delete(ContainersOuterClass.DeleteContainerRequest.newBuilder().setId(ghost).build());

        ContainerManager b = manager(c2, bus, ref -> mgrImage());
        b.start();
        ContainerInspect in = b.inspect(running, false);
        assertTrue(in.state().running());
        assertEquals(pid, in.state().pid());
        assertFalse(containerdContainers().contains(orphan), "orphan containerd container deleted");
        assertFalse(snapshots().contains(orphan), "orphan snapshot deleted");
        assertEquals("dead", b.inspect(ghost, false).state().status());
        var exit = b.waitFor(running, "not-running");
        b.kill(running, "KILL");
        assertEquals(137, exit.get(10, TimeUnit.SECONDS), "exit seen by the new manager's event stream");
        b.remove(running, false, false);
        b.remove(ghost, false, false);
        assertFalse(snapshots().contains(ghost));
        b.close();
    }

    static LocalImage mgrImage() {
        return IMAGE;
    }

    /** The HTTP side: docker-java's explicit nulls on create, wait headers flushed before the exit. */
    @Test
    void routesCreateAndWait() throws Exception {
        Router router = new Router();
        new ContainerRoutes(mgr).register(router);
        TestExchange create = TestExchange.request("POST", "/containers/create").query("name", "it-route").body("""
                {"Hostname":null,"User":null,"Tty":null,"Env":null,"Cmd":["sh","-c","exit 5"],"Image":"busybox",
                 "Entrypoint":null,"Labels":null,"HostConfig":{"Binds":null,"Memory":null,"Privileged":null,
                 "Init":null,"RestartPolicy":null,"LogConfig":null,"CapAdd":null,"NetworkMode":null}}""")
                .run(router);
        assertEquals(201, create.status());
        String id = ((ContainerCreateResponse) create.value()).id();
        TestExchange wait = TestExchange.request("POST", "/containers/" + id + "/wait").query("condition", "next-exit");
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                wait.run(router);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        wait.await(x -> x.status() != 0, "wait headers");
        assertEquals(200, wait.status(), "headers before start");
        mgr.start(id);
        waiter.join(20_000);
        assertEquals("{\"Error\":null,\"StatusCode\":5}\n", wait.text());
        mgr.remove(id, false, false);
    }
}
