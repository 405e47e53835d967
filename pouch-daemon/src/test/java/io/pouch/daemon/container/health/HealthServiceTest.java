package io.pouch.daemon.container.health;

import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerState;
import io.pouch.api.container.Health;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.container.ContainerMeta;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lifecycle as the bus tells it (start, pause, unpause, die, destroy), the events, the saved state. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthServiceTest {
    private static final String ID = "abc123".repeat(10) + "abcd";

    @TempDir
    Path dir;
    final EventBus bus = new EventBus();
    final List<String> actions = new CopyOnWriteArrayList<>();
    final Map<String, ContainerMeta> metas = new ConcurrentHashMap<>();
    final AtomicInteger exitCode = new AtomicInteger(0);
    final AtomicInteger probes = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    HealthService service;

    final HealthService.Containers containers = new HealthService.Containers() {
        @Override
        public ContainerMeta find(String id) {
            return metas.get(id);
        }

        @Override
        public Collection<ContainerMeta> all() {
            return metas.values();
        }
    };

    final Prober prober = (id, check, start) -> {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
            probes.incrementAndGet();
            return new Health.Result(HealthStates.time(start), HealthStates.time(Instant.now()), exitCode.get(), "o");
        } finally {
            inFlight.decrementAndGet();
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(dir.resolve(ID));
        bus.subscribe(e -> actions.add(e.action()));
    }

    @AfterEach
    void tearDown() {
        bus.publish(event("destroy"));
    }

    private HealthService service() {
        HealthService s = new HealthService(containers, prober, HealthClock.SYSTEM, bus, new HealthStore(dir));
        s.start();
        return s;
    }

    private void container(boolean running, boolean paused, List<String> test) {
        ContainerConfig cfg = ContainerConfig.builder().image("busybox")
                .healthcheck(new ContainerConfig.HealthConfig(test, 20_000_000, 0, 0, 0, 2)).build();
        ContainerState st = new ContainerState(running ? "running" : "exited", running, paused, false, false, false,
                running ? 42 : 0, 0, "", Instant.now().toString(), ContainerState.ZERO_TIME);
        metas.put(ID, new ContainerMeta(ID, "web", Instant.now().toString(), "sleep", List.of("1000"), cfg,
                HostConfig.empty(), "sha256:1", "busybox", "chain", st, 0));
    }

    private static Event event(String action) {
        return Event.of("container", action, ID, Map.of("name", "web", "image", "busybox"));
    }

    private static void await(String what, BooleanSupplier cond) {
        Await.until(Duration.ofSeconds(20), cond, what);
    }

    private String status() {
        Health h = service.health(ID);
        return h == null ? "none" : h.status();
    }

    /** No probe for a while (several intervals of 20 ms). */
    private void noProbes(String why) {
        int n = probes.get();
        Await.holds(Duration.ofMillis(300), () -> probes.get() == n, why);
    }

    @Test
    void theStatusFollowsTheProbesAndTheLifecycle() throws Exception {
        container(true, false, List.of("CMD", "true"));
        service = service();
        bus.publish(event("start"));
        await("healthy", () -> status().equals("healthy"));
        await("the event", () -> actions.contains("health_status: healthy"));
        assertEquals(1, actions.stream().filter("health_status: healthy"::equals).count());

        bus.publish(event("pause"));
        assertEquals("unhealthy", status(), "dockerd's unhealthy while the monitor is stopped");
        noProbes("no probe while paused");
        bus.publish(event("unpause"));
        await("healthy again", () -> status().equals("healthy"));

        exitCode.set(1);
        await("unhealthy", () -> status().equals("unhealthy"));
        await("the event", () -> actions.contains("health_status: unhealthy"));
        assertTrue(service.health(ID).failingStreak() >= 2, "retries 2");

        bus.publish(event("die"));
        assertEquals("unhealthy", status());
        noProbes("no probe once stopped");
        assertEquals(1, maxInFlight.get(), "one probe at a time");
        assertTrue(Files.exists(dir.resolve(ID).resolve("health.json")));

        List<Health.Result> earlier = service.health(ID).log();
        assertTrue(earlier.size() >= 3, "a healthy probe and at least two failures: " + earlier);
        exitCode.set(0);
        bus.publish(event("start"));
        Health h = service.health(ID);
        assertEquals("starting", h.status());
        assertEquals(0, h.failingStreak());
        assertEquals(earlier, h.log(), "the log of the earlier runs is kept");
        await("healthy after the restart", () -> status().equals("healthy"));

        bus.publish(event("destroy"));
        assertNull(service.health(ID));
        noProbes("no probe once removed");
    }

    @Test
    void theStateIsSavedAndComesBackWithProbesResumedForARunningContainer() throws Exception {
        container(true, false, List.of("CMD", "true"));
        exitCode.set(1);
        service = service();
        bus.publish(event("start"));
        await("unhealthy", () -> status().equals("unhealthy"));
        bus.publish(event("destroy")); // stands for the old pouchd going away: its monitor stops
        Health saved = new HealthStore(dir).load(ID);
        assertEquals("unhealthy", saved.status());

        exitCode.set(0);
        HealthService next = service();
        service = next;
        assertEquals("unhealthy", status(), "the saved state, until a probe says otherwise");
        await("probes resumed", () -> status().equals("healthy"));
    }

    @Test
    void aStoppedContainersSavedStateReadsUnhealthyAndIsNotProbed() throws Exception {
        new HealthStore(dir).save(ID, new Health("healthy", 0, List.of(new Health.Result("a", "b", 0, ""))));
        container(false, false, List.of("CMD", "true"));
        service = service();
        assertEquals("unhealthy", status());
        noProbes("a stopped container is not probed");
    }

    @Test
    void noHealthcheckMeansNoHealth() throws Exception {
        container(true, false, List.of("NONE"));
        service = service();
        bus.publish(event("start"));
        assertNull(service.health(ID));
        noProbes("NONE runs nothing");
    }

    @Test
    void aProbeUnderWayIsInterruptedWhenTheContainerStopsAndNothingIsSavedAfterItsRemoval() throws Exception {
        CountDownLatch probing = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        container(true, false, List.of("CMD", "true"));
        HealthService s = new HealthService(containers, (id, check, start) -> {
            probing.countDown();
            try {
                Thread.sleep(Duration.ofHours(1));
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return new Health.Result("", "", 0, "");
        }, HealthClock.SYSTEM, bus, new HealthStore(dir));
        s.start();
        service = s;
        bus.publish(event("start"));
        assertTrue(probing.await(10, TimeUnit.SECONDS));
        bus.publish(event("die"));
        assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the probe was cancelled");
        bus.publish(event("destroy"));
        // the container's directory is gone: a late save must not bring it back
        Files.deleteIfExists(dir.resolve(ID).resolve("health.json"));
        Files.delete(dir.resolve(ID));
        new HealthStore(dir).save(ID, new Health("healthy", 0, List.of()));
        assertFalse(Files.exists(dir.resolve(ID)));
    }
}
