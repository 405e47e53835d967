package io.pouch.it;

import io.pouch.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The FIFO holder: ONE process of pouchd's holds the output pipes of all its containers while pouchd is down. A
 * pouchd killed -9 while a container writes loses no line of it, though the container exits before pouchd is
 * back; the holder is one process for several containers, outlives pouchd's stop and kill, is adopted by the next
 * pouchd, and nothing is left once the containers are removed and pouchd stops.
 */
@Tag("e2e")
class FifoHolderFaultTest {
    private static final int LINES = 3000;
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.startPrivate("phold", base -> { }, List.of());
    }

    @AfterAll
    static void stop() {
        if (d != null) {
            d.close(); // also kills a holder a failed test left
        }
    }

    /** This daemon's FIFO holders alive now (their command line names the socket under its exec root). */
    private static List<Long> holders() {
        String run = d.base().resolve("run").toString();
        return ProcessHandle.allProcesses().filter(p -> !PouchdHarness.dead(p)).filter(PouchdHarness::isFifoHolder)
                .filter(p -> p.info().commandLine().map(c -> c.contains(run)).orElse(false))
                .map(ProcessHandle::pid).toList();
    }

    private static long keepers() {
        String run = d.base().resolve("run").toString();
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("pouch-fifo-keeper") && c.contains(run)).orElse(false)).count();
    }

    @Test
    void everyLineOfAContainerWritingWhenPouchdIsKilledAndExitingBeforeItIsBackIsLogged() {
        // 3000 lines over about 3 s, then exit 4
        d.docker("run", "-d", "--name", "fh-write", "--network", "none", "busybox", "sh", "-c",
                "i=0; while [ $i -lt " + LINES + " ]; do i=$((i+1)); echo line$i;"
                        + " if [ $((i % 100)) = 0 ]; then sleep 0.1; fi; done; exit 4").ok();
        String pid = d.docker("inspect", "-f", "{{.State.Pid}}", "fh-write").ok().trimmed();
        Await.until(Duration.ofSeconds(30), () -> d.docker("logs", "fh-write").ok().out().contains("line200\n"),
                "the container to be writing");
        d.killDaemon9(); // while it writes
        Await.until(Duration.ofSeconds(60), () -> !Files.exists(Path.of("/proc", pid)), "the container's exit");
        assertEquals(1, holders().size(), "the holder outlives pouchd's kill -9");
        d.restartDaemon();
        Await.until(Duration.ofSeconds(30), () -> d.docker("inspect", "-f", "{{.State.Status}}", "fh-write").ok()
                .trimmed().equals("exited"), "the exit seen by the restarted pouchd");
        List<String> logged = d.docker("logs", "fh-write").ok().out().lines().toList();
        long lost = 0;
        for (int i = 1; i <= LINES; i++) {
            if (!logged.contains("line" + i)) {
                lost++;
            }
        }
        System.out.printf("FIFO holder: %d lines written by a container while pouchd was killed -9: %d logged,"
                + " %d lost%n", LINES, logged.size(), lost);
        assertEquals(0, lost, "lines lost");
        assertEquals(LINES, logged.size(), "lines logged (none doubled)");
        assertEquals("exited 4", d.docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "fh-write")
                .ok().trimmed());
        assertEquals(0, keepers(), "no keeper where the holder runs");
        d.docker("rm", "fh-write").ok();
    }

    @Test
    void oneHolderForSeveralContainersAdoptedAcrossRestartsAndNothingLeftAfterRemovalAndStop() {
        for (int i = 0; i < 4; i++) {
            d.docker("run", "-d", "--name", "fh-run" + i, "--network", "none", "busybox", "sh", "-c",
                    "echo started; sleep 1000").ok();
        }
        List<Long> h = Await.until(Duration.ofSeconds(10), FifoHolderFaultTest::holders, l -> l.size() == 1,
                "one FIFO holder");
        assertEquals(0, keepers(), "no process per container");
        d.stopDaemon(); // graceful: the containers and the holder live on
        assertEquals(h, holders(), "a graceful stop keeps the holder");
        d.restartDaemon();
        d.killDaemon9();
        assertEquals(h, holders(), "adopted by the restarted pouchd, not replaced");
        d.restartDaemon();
        assertEquals(h, holders(), "adopted again");
        for (int i = 0; i < 4; i++) {
            assertEquals("started", d.docker("logs", "fh-run" + i).ok().trimmed());
        }
        d.docker("rm", "-f", "fh-run0", "fh-run1", "fh-run2", "fh-run3").ok();
        assertEquals(h, holders(), "pouchd is still connected");
        d.stopDaemon();
        Await.until(Duration.ofSeconds(10), () -> holders().isEmpty(), "the holder's exit with pouchd's stop");
        assertFalse(Files.exists(d.base().resolve("run/fifo/holder.sock")), "its socket goes with it");
        d.restartDaemon();
        assertEquals(List.of(), holders(), "no holder without a container");
    }
}
