package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.ProcessViews;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.testing.Await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** An exec manager over {@link FakeProcesses}, in-memory containers and a temporary state dir. */
final class ExecFixture {
    static final String CID = "c0ffee".repeat(10) + "c0ff";
    static final String BASE_SPEC = """
            {"process":{"args":["sh"],"env":["PATH=/bin","HOME=/root"],"cwd":"/","terminal":false,
             "consoleSize":{"height":10,"width":20},"capabilities":{"bounding":["CAP_CHOWN"]}}}""";

    final FakeProcesses processes = new FakeProcesses();
    final Map<String, ContainerManager.ProcessView> containers = new ConcurrentHashMap<>();
    final EventBus bus = new EventBus();
    final List<Event> events = new CopyOnWriteArrayList<>();
    final AtomicInteger specReads = new AtomicInteger();
    final Path execRoot;
    final Path containersDir;
    final ProcessViews views = ref -> {
        ContainerManager.ProcessView v = containers.get(ref);
        if (v == null) {
            throw PouchException.notFound("No such container: " + ref);
        }
        return v;
    };

    ExecFixture(Path dir) throws IOException {
        this.execRoot = dir.resolve("run");
        this.containersDir = dir.resolve("containers");
        // no container metadata in the state dir: the store writes no records (it never brings back the directory of
        // a removed container), so that no write outlives a test
        Files.createDirectories(containersDir.resolve(CID));
        container(true, false, 100);
        bus.subscribe(events::add);
    }

    /** The container, by id and by name. */
    void container(boolean running, boolean paused, int pid) {
        ContainerManager.ProcessView v = new ContainerManager.ProcessView(CID, "web", "busybox:latest", "sha256:abc",
                Map.of("tier", "front"), running, paused, pid, "", false);
        containers.put(CID, v);
        containers.put("web", v);
    }

    /** The container is removed. */
    void removeContainer() {
        containers.clear();
    }

    ExecManager manager() {
        return new ExecManager(processes, id -> {
            specReads.incrementAndGet();
            return BASE_SPEC.getBytes(StandardCharsets.UTF_8);
        }, views, bus, execRoot, new ExecStore(containersDir));
    }

    static ExecConfig config(boolean tty, boolean stdin, String... cmd) {
        return new ExecConfig(stdin, true, true, null, tty, null, List.of(cmd), false, null, null);
    }

    /** Waits for a condition another thread makes true (an exit learnt asynchronously). */
    static void await(BooleanSupplier cond, String what) {
        Await.until(Duration.ofSeconds(10), cond, what);
    }
}
