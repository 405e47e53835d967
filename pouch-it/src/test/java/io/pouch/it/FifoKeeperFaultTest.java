package io.pouch.it;

import io.pouch.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Live restore where pouchd has no FIFO holder and falls back to a keeper per container: output a container writes
 * while pouchd is down, and that is still in its FIFOs when it exits, is logged by the next pouchd (the FIFO keeper
 * held the pipes; FifoHolderFaultTest is the same with the holder). A pouchd of its own: kill -9 before the
 * containers write (they sleep 3 s first), wait until they have exited, start pouchd again, and every line must be
 * in {@code docker logs} exactly once, with the right exit code. Prints its counts. Run with
 * {@code JAVA_TOOL_OPTIONS=-Dpouch.fifoKeeper=false} (keepers off) it fails: those lines are lost.
 */
@Tag("e2e")
class FifoKeeperFaultTest {
    private static final int LINES = 2000;
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        // no FIFO holder (a binary that is not there): pouchd falls back to a keeper per container
        d = PouchdHarness.startConfigured("pouch-it-pkeep-", "pkeep", "{}",
                Map.of("POUCH_FIFO_HOLDER", "/nonexistent/pouch-fifo-holder"));
    }

    @AfterAll
    static void stop() {
        if (d != null) {
            d.close();
        }
    }

    /** Keeper processes of this daemon alive now (their command line names a FIFO under its exec root). */
    private static long keepers() {
        String run = d.base().resolve("run").toString();
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("pouch-fifo-keeper"))
                .orElse(false))
                .filter(p -> p.info().commandLine().orElse("").contains(run)).count();
    }

    private static long keepersRecorded() {
        try (Stream<Path> s = Files.walk(d.base().resolve("run/fifo"))) {
            return s.filter(p -> p.getFileName().toString().endsWith("-keeper")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** {lost, doubled} of "prefix1".."prefixN" in text (in order: a value below the next expected is doubled). */
    private static long[] counts(String text, String prefix) {
        long expected = 1;
        long lost = 0;
        long doubled = 0;
        for (String l : text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            long v = Long.parseLong(l.substring(prefix.length()));
            if (v < expected) {
                doubled++;
                continue;
            }
            lost += v - expected;
            expected = v + 1;
        }
        lost += LINES + 1 - expected;
        return new long[]{lost, doubled};
    }

    private static void awaitExit(String pid) {
        Await.until(Duration.ofSeconds(30), () -> !Files.exists(Path.of("/proc", pid)),
                "the exit of container process " + pid);
    }

    /**
     * Processes other than the keepers that hold a FIFO of container {@code id} open: its shim, until it has copied
     * the container's last output into the FIFO and closed it.
     */
    private static List<Long> fifoHolders(String id) {
        String fifos = d.base().resolve("run/fifo").resolve(id) + "/";
        List<Long> out = new ArrayList<>();
        ProcessHandle.allProcesses().filter(p -> !p.info().commandLine().orElse("").contains("pouch-fifo-keeper"))
                .forEach(p -> {
                    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
                        if (fds.anyMatch(fd -> target(fd).startsWith(fifos))) {
                            out.add(p.pid());
                        }
                    } catch (IOException | UncheckedIOException e) {
                        // gone meanwhile, or not ours to read
                    }
                });
        return out;
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void outputLeftInTheFifosOfAContainerThatExitedWhilePouchdWasDownIsLogged() {
        String loop = "i=0; while [ $i -lt " + LINES + " ]; do i=$((i+1)); echo $i";
        d.docker("run", "-d", "--name", "fk-out", "--network", "none", "busybox", "sh", "-c",
                "sleep 3; " + loop + "; done; exit 3").ok();
        d.docker("run", "-d", "--name", "fk-both", "--network", "none", "busybox", "sh", "-c",
                "sleep 3; " + loop + "; echo e$i >&2; done; exit 5").ok();
        d.docker("run", "-d", "-t", "--name", "fk-tty", "--network", "none", "busybox", "sh", "-c",
                "sleep 3; " + loop + "; done; exit 7").ok();
        // ~87 KiB, more than the FIFO holds: the rest waits in the shim and the container's pipe; the container still
        // exits (the shim keeps reading its pipe while its write to the FIFO waits), and the shim finishes its copy
        // once the next pouchd drains the FIFO (before it deletes the task)
        d.docker("run", "-d", "--name", "fk-big", "--network", "none", "busybox", "sh", "-c",
                "sleep 3; " + loop + " padding-padding-padding-padding-padding; done; exit 9").ok();
        List<String> pids = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (String n : List.of("fk-out", "fk-both", "fk-tty", "fk-big")) {
            String[] pidAndId = d.docker("inspect", "-f", "{{.State.Pid}} {{.Id}}", n).ok().trimmed().split(" ");
            pids.add(pidAndId[0]);
            ids.add(pidAndId[1]);
        }
        long keepersBefore = keepers();
        d.killDaemon9(); // before the containers write
        pids.forEach(FifoKeeperFaultTest::awaitExit);
        // the shims finish their copies and close the FIFOs; fk-big's shim can only finish once the next pouchd
        // drains its FIFO
        for (String id : ids.subList(0, 3)) {
            Await.until(Duration.ofSeconds(10), () -> fifoHolders(id), List::isEmpty,
                    "the shim of " + id + " to close its FIFOs");
        }
        long keepersWhileDown = keepers();
        d.restartDaemon();

        String out = d.docker("logs", "fk-out").ok().out();
        Cmd.Result both = d.docker("logs", "fk-both").ok();
        String tty = d.docker("logs", "fk-tty").ok().out();
        String big = d.docker("logs", "fk-big").ok().out().lines().map(l -> l.split(" ")[0])
                .reduce("", (a, b) -> a + b + "\n");
        long[] o = counts(out, "");
        long[] bo = counts(both.out(), "");
        long[] be = counts(both.err(), "e");
        long[] t = counts(tty, "");
        long[] g = counts(big, "");
        String codes = d.docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "fk-out").ok().trimmed()
                + ", " + d.docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "fk-both").ok().trimmed()
                + ", " + d.docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "fk-tty").ok().trimmed()
                + ", " + d.docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "fk-big").ok().trimmed();
        long keepersAfter = keepers();
        System.out.printf("FIFO keeper: %d lines per stream written and exited while pouchd was down (kill -9):"
                        + " stdout lost %d doubled %d; stdout+stderr lost %d/%d doubled %d/%d; tty lost %d doubled %d;"
                        + " ~87 KiB lost %d doubled %d; exits %s; keepers before %d, while down %d, after restart %d"
                        + " (%d recorded)%n",
                LINES, o[0], o[1], bo[0], be[0], bo[1], be[1], t[0], t[1], g[0], g[1], codes, keepersBefore,
                keepersWhileDown, keepersAfter, keepersRecorded());
        assertEquals(0, o[0] + bo[0] + be[0] + t[0] + g[0], "lines lost");
        assertEquals(0, o[1] + bo[1] + be[1] + t[1] + g[1], "lines doubled");
        assertEquals("exited 3, exited 5, exited 7, exited 9", codes);
        assertEquals(4, keepersBefore, "one keeper per container");
        assertEquals(4, keepersWhileDown, "the keepers outlive pouchd's kill -9");
        assertEquals(0, keepersAfter, "drained and exited: no keeper left");
        assertEquals(0, keepersRecorded());
        d.docker("rm", "fk-out", "fk-both", "fk-tty", "fk-big").ok();
    }

    @Test
    void keepersSurviveAGracefulStopAndGoWithTheirContainer() {
        d.docker("run", "-d", "--name", "fk-run", "--network", "none", "busybox", "sh", "-c",
                "echo started; sleep 1000").ok();
        d.docker("run", "-d", "--name", "fk-quick", "--network", "none", "busybox", "true").ok();
        d.docker("run", "-d", "--name", "fk-none", "--network", "none", "--log-driver", "none", "busybox",
                "sleep", "1000").ok();
        d.docker("wait", "fk-quick").ok();
        assertEquals(1, keepers(), "fk-run only: fk-quick's went with its output, log driver none needs none");
        d.docker("exec", "fk-run", "true").ok(); // exec processes get none
        assertEquals(1, keepers());
        d.stopDaemon(); // graceful: containers (and their keepers) live on
        assertEquals(1, keepers(), "a graceful stop keeps the keeper");
        d.restartDaemon();
        assertEquals(1, keepers(), "adopted, not a second one");
        assertEquals("started", d.docker("logs", "fk-run").ok().trimmed());
        d.docker("rm", "-f", "fk-run", "fk-quick", "fk-none").ok();
        assertEquals(0, keepers(), "removal kills the keeper");
        assertEquals(0, keepersRecorded());
    }
}
