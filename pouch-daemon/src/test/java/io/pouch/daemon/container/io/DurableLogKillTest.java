package io.pouch.daemon.container.io;

import io.pouch.daemon.logs.JsonFileLog;
import io.pouch.daemon.logs.JsonFileLogReader;
import io.pouch.daemon.logs.LogQuery;
import io.pouch.daemon.sys.Syscalls;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durable log path under real kill -9s: a child JVM plays pouchd (drains a process's FIFOs into a rotating
 * json-file log), a shell loop plays the container (numbered lines on stdout, every fifth also on stderr, each line
 * in two writes so chunks end mid-line), and the test kills the child with SIGKILL at random moments dozens of
 * times, starting a new one (live restore: {@link ContainerIOs#reopen}) after each kill. At the end every line
 * must be in the log exactly once, in order. Prints its counts.
 */
@Tag("integration")
class DurableLogKillTest {
    static final int LINES = 300_000;
    static final int KILLS = 40;

    @TempDir
    Path dir;

    /** The stand-in pouchd: drains until EOF, exits 0. args: fifoDir log create|reopen */
    public static void main(String[] args) throws Exception {
        Path fifos = Path.of(args[0]);
        Map<String, String> opts = Map.of("max-size", "100k", "max-file", "400");
        ContainerIO io = args[2].equals("create")
                ? ContainerIOs.create(fifos, "p1", false, false, false, JsonFileLog.open(Path.of(args[1]), opts))
                : ContainerIOs.reopen(fifos, "p1", false, false, false, JsonFileLog.open(Path.of(args[1]), opts));
        System.out.println("ready");
        System.out.flush();
        io.awaitDrained(Long.MAX_VALUE);
        io.close();
    }

    private Process child(Path fifos, Path log, String mode) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), DurableLogKillTest.class.getName(),
                fifos.toString(), log.toString(), mode)
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child.err").toFile())).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", r.readLine(), () -> "child did not start: " + errors());
        return p;
    }

    private String errors() {
        try {
            return Files.readString(dir.resolve("child.err"));
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    @Timeout(300)
    void no_line_lost_or_doubled_across_many_kill_9s() throws Exception {
        Path fifos = dir.resolve("fifo");
        Path log = dir.resolve("k-json.log");
        Process pouchd = child(fifos, log, "create");
        Path out = ContainerIOs.fifo(fifos, "p1", "stdout");
        Path err = ContainerIOs.fifo(fifos, "p1", "stderr");
        // the shim keeps a read end of its own (it never reads it): the writer never gets EPIPE while no pouchd reads
        int r1 = Syscalls.open(out, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
        int r2 = Syscalls.open(err, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
        Process writer = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt " + LINES + " ]; do i=$((i+1));"
                + " printf %s \"$i\"; echo; if [ $((i % 5)) = 0 ]; then echo \"e$i\" >&2; fi; done")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        Random rnd = new Random();
        int kills = 0;
        while (writer.isAlive() && kills < KILLS) {
            Thread.sleep(10 + rnd.nextInt(90)); // not a wait: the kill lands at a random point of the copy
            pouchd.destroyForcibly(); // SIGKILL
            if (pouchd.waitFor() == 0) {
                // the writer ended meanwhile and this one read to EOF (and removed the FIFOs) before the kill
                // landed: it was the last pouchd (a reopen would find no FIFO)
                break;
            }
            kills++;
            pouchd = child(fifos, log, "reopen");
        }
        assertTrue(writer.waitFor(120, TimeUnit.SECONDS));
        assertTrue(pouchd.waitFor(60, TimeUnit.SECONDS), "the last pouchd saw EOF");
        assertEquals(0, pouchd.exitValue(), this::errors);
        Syscalls.close(r1);
        Syscalls.close(r2);

        StringBuilder[] text = {null, new StringBuilder(), new StringBuilder()};
        JsonFileLogReader.read(log, LogQuery.ALL, l -> {
            text[l.stream()].append(new String(l.log(), StandardCharsets.UTF_8));
            return true;
        }, () -> false);
        List<String> expectOut = new ArrayList<>();
        List<String> expectErr = new ArrayList<>();
        for (int i = 1; i <= LINES; i++) {
            expectOut.add(Integer.toString(i));
            if (i % 5 == 0) {
                expectErr.add("e" + i);
            }
        }
        long[] o = count(text[1].toString(), expectOut);
        long[] e = count(text[2].toString(), expectErr);
        System.out.printf("durable log under %d kill -9s: stdout %d lines, %d lost, %d doubled; stderr %d lines,"
                + " %d lost, %d doubled; log files %d%n", kills, LINES, o[0], o[1], expectErr.size(), e[0], e[1],
                JsonFileLog.files(log).size());
        assertTrue(kills >= 5, "only " + kills + " kills landed while the writer ran");
        assertEquals(0, o[0] + o[1] + e[0] + e[1]);
        assertEquals(String.join("\n", expectOut) + "\n", text[1].toString());
        assertEquals(String.join("\n", expectErr) + "\n", text[2].toString());
    }

    /** {lost, doubled} of the expected lines in text. */
    private static long[] count(String text, List<String> expected) {
        Map<String, Integer> seen = new HashMap<>();
        for (String l : text.split("\n", -1)) {
            if (!l.isEmpty()) {
                seen.merge(l, 1, Integer::sum);
            }
        }
        long lost = 0;
        long doubled = 0;
        for (String x : expected) {
            int n = seen.getOrDefault(x, 0);
            lost += n == 0 ? 1 : 0;
            doubled += Math.max(0, n - 1);
        }
        return new long[]{lost, doubled};
    }
}
