package io.pouch.it;

import io.pouch.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A restarted pouchd answers its socket before its containers are restored: requests sent the moment the ping
 * answers (inspect, ps, logs, stop of a container, all at once) must see every container as it is, never a 404 or a
 * half-restored record, and lose no log line; {@code /version} (containerd's version, no container) answers too.
 */
@Tag("e2e")
class RestartRestoreEndToEndTest {
    private static final int N = 20;
    private static final String COUNTER = "i=0; while true; do i=$((i+1)); echo $i; usleep 20000; done";
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.startPrivate();
    }

    @AfterAll
    static void stop() {
        if (d != null) {
            d.close();
        }
    }

    /** Lines lost in a counter log (gaps in 1, 2, 3...); lines seen again count too. */
    private static long gaps(String log) {
        long expected = 1;
        long bad = 0;
        for (String l : log.lines().toList()) {
            long v = Long.parseLong(l.strip());
            bad += v == expected ? 0 : 1;
            expected = v + 1;
        }
        return bad;
    }

    @Test
    void requestsRightAfterTheRestartSeeEveryContainerRestored() throws Exception {
        List<String> names = new ArrayList<>();
        List<String> pids = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            String n = "rr-" + i;
            d.docker("run", "-d", "--name", n, "busybox", "sh", "-c", COUNTER).ok();
            names.add(n);
            pids.add(d.docker("inspect", "-f", "{{.State.Pid}}", n).ok().trimmed());
        }
        d.stopDaemon();
        d.restartDaemonUntilPing(); // returns as soon as the ping answers: what follows races the restore
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Cmd.Result>> inspects = new ArrayList<>();
            for (String n : names) {
                inspects.add(async(pool, () -> d.curl("/containers/" + n + "/json")));
            }
            CompletableFuture<Cmd.Result> ps = async(pool, () -> d.docker("ps", "--format", "{{.Names}}"));
            CompletableFuture<Cmd.Result> logs = async(pool, () -> d.docker("logs", "rr-0"));
            CompletableFuture<Cmd.Result> stop = async(pool, () -> d.docker("stop", "-t", "1", "rr-1"));
            CompletableFuture<Cmd.Result> version = async(pool, () -> d.curl("/version"));

            for (int i = 0; i < N; i++) {
                Cmd.Result r = inspects.get(i).get();
                List<String> lines = r.out().lines().toList();
                assertEquals("200", lines.getLast(), names.get(i) + " inspected right after the restart: " + r.out());
                String body = String.join("\n", lines.subList(0, lines.size() - 1));
                // rr-1 is being stopped at the same time: running until the stop lands, then exited
                assertTrue(body.contains("\"Pid\":" + pids.get(i)) || names.get(i).equals("rr-1"),
                        names.get(i) + " has its pid " + pids.get(i) + " back: " + body);
                assertTrue(body.contains("\"Running\":true") || names.get(i).equals("rr-1"),
                        names.get(i) + " is running: " + body);
            }
            List<String> v = version.get().out().lines().toList();
            assertEquals("200", v.getLast(), "/version right after the restart: " + v);
            assertTrue(v.getFirst().contains("\"Name\":\"containerd\""), "/version names containerd: " + v);
            assertFalse(v.getFirst().contains("\"Version\":\"unknown\""), "containerd's version is known: " + v);
            List<String> listed = ps.get().ok().out().lines().toList();
            for (String n : names) {
                assertTrue(listed.contains(n) || n.equals("rr-1"), "ps lists " + n + ": " + listed);
            }
            stop.get().ok();
            assertEquals("exited", d.docker("inspect", "-f", "{{.State.Status}}", "rr-1").ok().trimmed());
            String log = logs.get().ok().out();
            assertTrue(log.lines().count() > 0, "rr-0's log right after the restart");
            assertEquals(0, gaps(log), "rr-0's log right after the restart has no gap");
            // and the copy goes on: lines written while pouchd was down and since then are all there
            long before = log.lines().count();
            String later = Await.until(Duration.ofSeconds(20),
                    () -> d.docker("logs", "rr-0").ok().out(), l -> l.lines().count() > before,
                    "rr-0's log growing after the restart");
            assertEquals(0, gaps(later), "rr-0's log after the restart has no gap");
        } finally {
            pool.shutdownNow();
            for (String n : names) {
                d.docker("rm", "-f", n);
            }
        }
    }

    private static CompletableFuture<Cmd.Result> async(ExecutorService pool, Supplier<Cmd.Result> call) {
        return CompletableFuture.supplyAsync(call, pool);
    }
}
