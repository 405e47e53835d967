package io.pouch.daemon.container.io;

import io.pouch.daemon.logs.JsonFileLog;
import io.pouch.daemon.logs.JsonFileLogReader;
import io.pouch.daemon.logs.JsonFileLogTest;
import io.pouch.daemon.logs.LogQuery;
import io.pouch.daemon.sys.Fifos;
import io.pouch.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durable log path (FIFO -> spool by splice -> json-file under a write-ahead journal). The crash tests build,
 * by hand, the exact files a pouchd killed at each point of the copy leaves behind, and check that the next
 * pouchd's reopen logs every line once: (1) bytes spliced into the spool, not yet logged; (2) journal announces a
 * write that did not happen; (3) a write cut short; (4) a write that landed, the journal not yet moved on;
 * (5) a spool emptied by the no-hole-punching fallback before the journal was rebased.
 * {@link DurableLogKillTest} does the same with real kill -9s.
 */
class DurableLogTest {
    @TempDir
    Path dir;

    static final class Ahead implements JsonFileLog.WriteAhead {
        final List<String> calls = new ArrayList<>();

        @Override
        public void beforeWrite(long ino, long from, long to, int stream, long consumed) {
            calls.add("write " + from + ".." + to + " s" + stream + " c" + consumed);
        }

        @Override
        public void afterWrite(int stream, long consumed) {
            calls.add("after s" + stream + " c" + consumed);
        }

        @Override
        public void beforeRotate() {
            calls.add("rotate");
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> logged(Path log) throws Exception {
        List<String> out = new ArrayList<>();
        StringBuilder[] cur = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        JsonFileLogReader.read(log, LogQuery.ALL, l -> {
            String s = new String(l.log(), StandardCharsets.UTF_8);
            cur[l.stream()].append(s);
            if (s.endsWith("\n")) {
                out.add(l.stream() + ":" + cur[l.stream()].toString().trim());
                cur[l.stream()].setLength(0);
            }
            return true;
        }, () -> false);
        for (int s = 1; s <= 2; s++) {
            if (!cur[s].isEmpty()) {
                out.add(s + ":" + cur[s] + "(partial)");
            }
        }
        return out;
    }

    @Test
    void commit_uses_whole_lines_only_and_announces_each_write() throws Exception {
        Path f = dir.resolve("c.log");
        JsonFileLog log = JsonFileLog.open(f, Map.of(), JsonFileLogTest.CLOCK);
        Ahead a = new Ahead();
        byte[] in = b("one\ntwo\nthr");
        assertEquals(8, log.commit(1, in, 0, in.length, false, a));
        long size = Files.size(f);
        assertEquals(List.of("write 0.." + size + " s1 c8", "after s1 c8"), a.calls);
        assertEquals(0, log.commit(1, b("thr"), 0, 3, false, a), "a partial line stays with the caller");
        assertEquals(3, log.commit(1, b("thr"), 0, 3, true, a), "at EOF it is written as a partial entry");
        byte[] big = b("x".repeat(40_000));
        assertEquals(2 * JsonFileLog.MAX_PARTIAL, log.commit(2, big, 0, big.length, false, a));
        log.close();
        assertEquals(List.of("1:one", "1:two", "1:thr(partial)", "2:" + "x".repeat(2 * JsonFileLog.MAX_PARTIAL)
                + "(partial)"), logged(f));
    }

    @Test
    void commit_announces_rotation_between_writes() throws Exception {
        Path f = dir.resolve("r.log");
        JsonFileLog log = JsonFileLog.open(f, Map.of("max-size", "200", "max-file", "2"), JsonFileLogTest.CLOCK);
        Ahead a = new Ahead();
        byte[] in = b("line 1\nline 2\nline 3\nline 4\n");
        assertEquals(in.length, log.commit(1, in, 0, in.length, false, a));
        log.close();
        assertTrue(a.calls.contains("rotate"), a.calls.toString());
        int r = a.calls.indexOf("rotate");
        assertTrue(a.calls.get(r - 1).startsWith("after"), "no write is pending at a rotation: " + a.calls);
        assertTrue(a.calls.get(r + 1).startsWith("write 0.."), "the new file starts at 0: " + a.calls);
        long consumed = a.calls.stream().filter(c -> c.startsWith("after"))
                .mapToLong(c -> Long.parseLong(c.substring(c.indexOf('c') + 1))).sum();
        assertEquals(in.length, consumed);
    }

    /** The files of a durable IO whose pouchd was killed: spool bytes, journal, log. */
    private record Crashed(Path fifos, Path log) {
    }

    /**
     * Makes the FIFOs and spools of process p1 as a killed pouchd leaves them: {@code spooled} in the stdout spool,
     * {@code logged} (a prefix of it, whole lines) already in the log, and the journal as {@code journal} leaves it.
     */
    private Crashed crashed(String spooled, String logged, JournalState journal) throws Exception {
        Path fifos = dir.resolve("fifo");
        Files.createDirectories(fifos);
        Fifos.mkfifo(ContainerIOs.fifo(fifos, "p1", "stdout"), 0600);
        Fifos.mkfifo(ContainerIOs.fifo(fifos, "p1", "stderr"), 0600);
        Files.write(FifoContainerIO.spoolPath(fifos, "p1", 1), b(spooled));
        Files.write(FifoContainerIO.spoolPath(fifos, "p1", 2), new byte[0]);
        Path logPath = dir.resolve("p1-json.log");
        JsonFileLog log = JsonFileLog.open(logPath, Map.of(), JsonFileLogTest.CLOCK);
        long before = Files.size(logPath);
        byte[] l = b(logged);
        try (LogJournal j = LogJournal.create(FifoContainerIO.journalPath(fifos, "p1"))) {
            Ahead probe = new Ahead();
            log.commit(1, l, 0, l.length, false, probe);
            log.close();
            long after = Files.size(logPath);
            long ino = (Long) Files.getAttribute(logPath, "unix:ino");
            switch (journal) {
                case NOTHING_LOGGED -> {
                    Files.write(logPath, new byte[0]);
                }
                case ANNOUNCED_NOT_WRITTEN -> {
                    j.beforeWrite(ino, before, after, 1, l.length);
                    try (var ch = FileChannel.open(logPath, StandardOpenOption.WRITE)) {
                        ch.truncate(before);
                    }
                }
                case WRITE_CUT_SHORT -> {
                    j.beforeWrite(ino, before, after, 1, l.length);
                    try (var ch = FileChannel.open(logPath, StandardOpenOption.WRITE)) {
                        ch.truncate(before + (after - before) / 2);
                    }
                }
                case WRITTEN_NOT_MOVED_ON -> j.beforeWrite(ino, before, after, 1, l.length);
                case COMMITTED -> {
                    j.beforeWrite(ino, before, after, 1, l.length);
                    j.afterWrite(1, l.length);
                    j.beforeRotate(); // any later record: nothing pending
                }
            }
        }
        return new Crashed(fifos, logPath);
    }

    enum JournalState { NOTHING_LOGGED, ANNOUNCED_NOT_WRITTEN, WRITE_CUT_SHORT, WRITTEN_NOT_MOVED_ON, COMMITTED }

    /** Reopens as the next pouchd does, with the "shim" writing {@code more} and exiting. */
    private List<String> restart(Crashed c, String more) throws Exception {
        Path out = ContainerIOs.fifo(c.fifos(), "p1", "stdout");
        Path err = ContainerIOs.fifo(c.fifos(), "p1", "stderr");
        // the shim's write ends, still open from before the kill
        var w1 = FileChannel.open(out, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        var w2 = FileChannel.open(err, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        String spooled = Files.readString(FifoContainerIO.spoolPath(c.fifos(), "p1", 1));
        List<String> recovered = spooled.substring(0, spooled.lastIndexOf('\n') + 1).lines().map(l -> "1:" + l)
                .toList();
        ContainerIO io = ContainerIOs.reopen(c.fifos(), "p1", false, false, false,
                JsonFileLog.open(c.log(), Map.of()));
        // the shim writes once the next pouchd has taken up what the killed one left (its whole lines are logged)
        Await.until(Duration.ofSeconds(5), () -> {
            try {
                return logged(c.log());
            } catch (Exception e) {
                throw new IllegalStateException(e); // a line half-written: read again
            }
        }, l -> l.containsAll(recovered), "the spooled lines " + recovered + " logged after the reopen");
        w1.write(ByteBuffer.wrap(b(more)));
        w1.close();
        w2.close();
        io.awaitDrained(5000);
        assertTrue(io.isDrained());
        io.close();
        assertFalse(Files.exists(c.fifos()), "FIFOs, spools and journal removed");
        return logged(c.log());
    }

    @Test
    @Timeout(20)
    void kill_after_splice_before_any_log_write() throws Exception {
        assertEquals(List.of("1:a", "1:b", "1:partial"), restart(crashed("a\nb\npar", "", JournalState.NOTHING_LOGGED),
                "tial\n"));
    }

    @Test
    @Timeout(20)
    void kill_after_the_journal_announced_a_write_that_did_not_happen() throws Exception {
        assertEquals(List.of("1:a", "1:b", "1:c"), restart(crashed("a\nb\n", "a\nb\n",
                JournalState.ANNOUNCED_NOT_WRITTEN), "c\n"));
    }

    @Test
    @Timeout(20)
    void kill_in_the_middle_of_a_log_write() throws Exception {
        assertEquals(List.of("1:a", "1:b", "1:c"), restart(crashed("a\nb\n", "a\nb\n",
                JournalState.WRITE_CUT_SHORT), "c\n"));
    }

    @Test
    @Timeout(20)
    void kill_after_the_log_write_before_the_next_record() throws Exception {
        assertEquals(List.of("1:a", "1:b", "1:c", "1:d"), restart(crashed("a\nb\nc\n", "a\nb\n",
                JournalState.WRITTEN_NOT_MOVED_ON), "d\n"));
    }

    @Test
    @Timeout(20)
    void kill_between_commits() throws Exception {
        assertEquals(List.of("1:a", "1:b", "1:c", "1:d"), restart(crashed("a\nb\nc\n", "a\nb\n",
                JournalState.COMMITTED), "d\n"));
    }

    @Test
    @Timeout(20)
    void kill_after_the_fallback_emptied_the_spool_before_the_journal_was_rebased() throws Exception {
        Crashed c = crashed("a\nb\n", "a\nb\n", JournalState.COMMITTED); // committed 4 ...
        Files.write(FifoContainerIO.spoolPath(c.fifos(), "p1", 1), new byte[0]); // ... of a spool now empty
        assertEquals(List.of("1:a", "1:b", "1:c"), restart(c, "c\n"));
    }

    @Test
    void salvage_logs_what_a_killed_pouchd_had_spooled_for_a_process_that_exited_meanwhile() throws Exception {
        Crashed c = crashed("a\nb\nc\nunterminated", "a\nb\n", JournalState.WRITTEN_NOT_MOVED_ON);
        ContainerIOs.salvage(c.fifos(), "p1", JsonFileLog.open(c.log(), Map.of()));
        assertEquals(List.of("1:a", "1:b", "1:c", "1:unterminated(partial)"), logged(c.log()));
        ContainerIOs.salvage(dir.resolve("nothing-here"), "p1", JsonFileLog.open(c.log(), Map.of())); // no journal
        assertEquals(4, logged(c.log()).size());
    }

    @Test
    @Timeout(20)
    void durable_io_feeds_log_and_subscriber_and_keeps_partial_lines_until_eof() throws Exception {
        Path log = dir.resolve("d-json.log");
        Path fifos = dir.resolve("fifo/d1");
        ContainerIO io = ContainerIOs.create(fifos, "p1", false, false, false, JsonFileLog.open(log, Map.of()));
        assertTrue(Files.exists(FifoContainerIO.spoolPath(fifos, "p1", 1)), "durable path in use");
        ContainerIOTest.Recorder r = new ContainerIOTest.Recorder();
        io.attach(r);
        Process p = new ProcessBuilder("sh", "-c", "printf 'out'; sleep 0.2; echo ' whole'; sleep 0.2; echo err >&2; sleep 0.2;"
                + " printf 'no newline'")
                .redirectOutput(io.stdoutPath().toFile()).redirectError(io.stderrPath().toFile()).start();
        assertEquals(0, p.waitFor());
        io.awaitDrained(5000);
        assertTrue(r.closed.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("1:out whole", "2:err", "1:no newline(partial)"), logged(log));
        assertTrue(String.join(",", r.got).contains("no newline"), r.got.toString());
        io.close();
        assertFalse(Files.exists(fifos));
    }

    @Test
    @Timeout(20)
    void committed_spool_bytes_are_punched_out() throws Exception {
        Path log = dir.resolve("h-json.log");
        Path fifos = dir.resolve("fifo/h1");
        ContainerIO io = ContainerIOs.create(fifos, "p1", true, false, false, JsonFileLog.open(log, Map.of()));
        Process p = new ProcessBuilder("sh", "-c", "yes 0123456789 | head -c 2000000")
                .redirectOutput(io.stdoutPath().toFile()).start();
        assertEquals(0, p.waitFor());
        io.awaitDrained(10_000);
        Path spool = FifoContainerIO.spoolPath(fifos, "p1", 1);
        assertEquals(2_000_000, Files.size(spool), "offsets only grow");
        Process stat = new ProcessBuilder("stat", "-c", "%b", spool.toString()).start();
        long allocated = Long.parseLong(new String(stat.getInputStream().readAllBytes()).trim()) * 512;
        assertTrue(allocated <= 3 * Spool.PUNCH_STEP, "spool keeps " + allocated + " bytes on disk");
        io.close();
        assertEquals(2_000_000 / 11 + 1, logged(log).size(), "whole lines and the partial rest at EOF");
    }

    @Test
    @Timeout(20)
    void durable_reopen_of_a_dead_writer_ends_at_once() throws Exception {
        Crashed c = crashed("a\n", "", JournalState.NOTHING_LOGGED);
        ContainerIO dead = ContainerIOs.reopen(c.fifos(), "p1", false, false, false,
                JsonFileLog.open(c.log(), Map.of()));
        dead.awaitDrained(3000);
        assertTrue(dead.isDrained());
        dead.close();
        assertEquals(List.of("1:a"), logged(c.log()));
    }

    @Test
    @Timeout(20)
    void close_of_a_durable_io_whose_task_never_started_returns_promptly() throws Exception {
        Path fifos = dir.resolve("fifo/n1");
        ContainerIO io = ContainerIOs.create(fifos, "p1", true, false, false,
                JsonFileLog.open(dir.resolve("n.log"), Map.of()));
        // its FIFOs wait for a writer that never comes, with no thread of their own (the poller waits for all)
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().endsWith("p1")),
                "a platform thread per FIFO");
        assertFalse(io.isDrained());
        long t0 = System.nanoTime();
        io.close();
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 1000);
        assertTrue(io.isDrained());
        assertFalse(Files.exists(fifos));
    }
}
