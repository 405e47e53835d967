package io.pouch.daemon.system;

import io.pouch.daemon.api.HttpServer;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A daemon that serves only the system endpoints, for trying the real docker CLI against the HTTP layer:
 * {@code java -cp ... io.pouch.daemon.system.SystemOnlyMain /tmp/http-test.sock}. Publishes a test event every
 * few seconds so {@code docker events} has something to show.
 */
public final class SystemOnlyMain {
    public static void main(String[] args) throws Exception {
        String sock = args.length > 0 ? args[0] : "/tmp/http-test.sock";
        Path home = Path.of(args.length > 1 ? args[1] : "/tmp/http-test-home");
        DaemonConfig config = new DaemonConfig(home, home.resolve("run"), List.of("unix://" + sock), null,
                "containerd", "pouch", false, "json-file", Map.of(), "runc", "p0", null);
        EventBus bus = new EventBus();
        Router router = new Router();
        new SystemRoutes(bus, config, () -> new SystemInfoSource.Counts(3, 1, 0, 2, 4), "0.1.0-dev").register(router);
        try (HttpServer server = new HttpServer(config.listen(), router, "0.1.0-dev")) {
            server.start();
            System.out.println("listening on " + sock);
            AtomicInteger n = new AtomicInteger();
            try (ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor()) {
                ticker.scheduleAtFixedRate(() -> {
                    int i = n.getAndIncrement();
                    bus.publish(Event.of("container", "start", "c0ffee" + i, Map.of("name", "test" + i,
                            "image", "busybox")));
                }, 3, 3, TimeUnit.SECONDS);
                Thread.currentThread().join(); // serves until the process is stopped
            }
        }
    }
}
