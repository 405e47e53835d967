package io.pouch.daemon.container.io;

import io.pouch.daemon.logs.JsonFileLog;
import io.pouch.daemon.logs.JsonFileLogReader;
import io.pouch.daemon.logs.LogQuery;
import io.pouch.daemon.logs.LogSink;
import io.pouch.daemon.sys.Fifos;
import io.pouch.daemon.sys.Syscalls;
import io.pouch.testing.Await;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The FIFO keeper (issue 3): a spawned process holding read ends of a process's output FIFOs keeps what a writer
 * put there after the writer closed and every other reader is gone, EOF is still seen, and no keeper outlives its
 * use (output ended, IO closed, removal, boot sweep), while a recycled pid is never killed. The "previous pouchd"
 * is a child JVM killed with SIGKILL, so its keeper is a real orphan (not this JVM's child).
 */
@Tag("integration")
class FifoKeeperTest {
    @TempDir
    Path dir;

    /** The stand-in pouchd: creates the IO (json-file log) of process p1, says ready, waits. args: fifoDir log */
    public static void main(String[] args) throws Exception {
        ContainerIO io = ContainerIOs.create(Path.of(args[0]), "p1", false, false, false,
                JsonFileLog.open(Path.of(args[1]), Map.of()));
        if (FifoKeeper.ENABLED) { // its keeper is spawned off the start path: ready once it is recorded
            recordedPid(Path.of(args[0]));
        }
        System.out.println("ready " + io.stdoutPath());
        System.out.flush();
        io.awaitDrained(Long.MAX_VALUE);
        io.close();
    }

    /** Starts the stand-in pouchd, waits for its IO, kills it -9 (nobody reads the FIFOs any more). */
    private void crashedPouchd(Path fifos, Path log, boolean keeper) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
                "-Dpouch.fifoKeeper=" + keeper, "-cp", System.getProperty("java.class.path"),
                FifoKeeperTest.class.getName(), fifos.toString(), log.toString())
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child.err").toFile())).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        assertNotNull(line, () -> "child did not start: " + read(dir.resolve("child.err")));
        p.destroyForcibly(); // SIGKILL
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    }

    /**
     * Plays the shim and the container: holds a read end of each FIFO of its own (the shim does, so its writes never
     * get EPIPE), runs a writer of {@code lines} numbered lines (every tenth also on stderr) to completion, then lets
     * go of its read ends as the shim does at exit.
     */
    private void containerWritesAndExits(Path fifos, int lines) throws Exception {
        Path out = ContainerIOs.fifo(fifos, "p1", "stdout");
        Path err = ContainerIOs.fifo(fifos, "p1", "stderr");
        int r1 = Syscalls.open(out, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
        int r2 = Syscalls.open(err, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
        try {
            Process w = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt " + lines + " ]; do i=$((i+1)); echo $i;"
                    + " if [ $((i % 10)) = 0 ]; then echo e$i >&2; fi; done")
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(w.waitFor(20, TimeUnit.SECONDS));
        } finally {
            Syscalls.close(r1);
            Syscalls.close(r2);
        }
    }

    private static List<String> logged(Path log) throws Exception {
        List<String> out = new ArrayList<>();
        JsonFileLogReader.read(log, LogQuery.ALL, l -> {
            out.add(l.stream() + ":" + new String(l.log(), StandardCharsets.UTF_8).strip());
            return true;
        }, () -> false);
        return out;
    }

    private static List<String> expected(int lines) {
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();
        for (int i = 1; i <= lines; i++) {
            out.add("1:" + i);
            if (i % 10 == 0) {
                err.add("2:e" + i);
            }
        }
        out.addAll(err);
        return out;
    }

    /** Log lines by stream, stdout first (the two streams' relative order is the drains' business). */
    private static List<String> byStream(List<String> l) {
        List<String> out = new ArrayList<>(l.stream().filter(s -> s.startsWith("1:")).toList());
        out.addAll(l.stream().filter(s -> s.startsWith("2:")).toList());
        return out;
    }

    private static boolean alive(long pid) {
        return Files.exists(Path.of("/proc", Long.toString(pid)))
                && !read(Path.of("/proc", Long.toString(pid), "stat")).contains(") Z ");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "";
        }
    }

    private static void awaitGone(long pid) {
        Await.until(Duration.ofSeconds(5), () -> !alive(pid), "the end of keeper " + pid);
    }

    /** The keeper recorded for p1 (spawned off the start path: waited for a little). */
    private static long recordedPid(Path fifos) {
        Path record = FifoKeeper.recordPath(fifos, "p1");
        return Await.until(Duration.ofSeconds(5), () -> FifoKeeper.Record.read(record), Optional::isPresent,
                "the keeper's record " + record).orElseThrow().pid();
    }

    /** What a new reader gets from a FIFO whose writers are all gone (the live-restore open: no blocking). */
    private static String drain(Path fifo) throws Exception {
        FileChannel rw = Fifos.openKeeper(fifo);
        FileChannel ch;
        try {
            ch = FileChannel.open(fifo, StandardOpenOption.READ);
        } finally {
            rw.close();
        }
        StringBuilder sb = new StringBuilder();
        try (ch) {
            ByteBuffer b = ByteBuffer.allocate(65536);
            while (ch.read(b.clear()) > 0) { // -1 at EOF: no writer left
                sb.append(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
            }
        }
        return sb.toString();
    }

    @Test
    @Timeout(30)
    void keeper_holds_the_bytes_a_closed_writer_left_and_eof_is_still_seen() throws Exception {
        for (boolean withKeeper : new boolean[]{true, false}) {
            Path fifos = dir.resolve(withKeeper ? "with" : "without");
            Files.createDirectories(fifos);
            Path out = ContainerIOs.fifo(fifos, "p1", "stdout");
            Path err = ContainerIOs.fifo(fifos, "p1", "stderr");
            Fifos.mkfifo(out, 0600);
            Fifos.mkfifo(err, 0600);
            FifoKeeper k = withKeeper ? FifoKeeper.start(fifos, "p1", out, err, false) : null;
            // the writer's open needs a reader: the keeper, or (without one) a read end of ours, closed afterwards
            int own = withKeeper ? -1 : Syscalls.open(out, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
            int ownErr = withKeeper ? -1 : Syscalls.open(err, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
            Process w = new ProcessBuilder("sh", "-c", "echo kept-out; echo kept-err >&2")
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertEquals(0, w.waitFor());
            Syscalls.close(own);
            Syscalls.close(ownErr);
            if (withKeeper) {
                assertNotNull(k);
                // the bytes are still there for a reader opened after the writer closed, then EOF
                assertEquals("kept-out\n", drain(out));
                assertEquals("kept-err\n", drain(err));
                assertTrue(alive(k.pid()));
                k.kill();
                awaitGone(k.pid());
                assertFalse(Files.exists(FifoKeeper.recordPath(fifos, "p1")), "record removed");
            } else {
                assertEquals("", drain(out), "without a keeper the kernel freed the pipe");
                assertEquals("", drain(err));
            }
        }
    }

    @Test
    @Timeout(30)
    void keeper_holds_only_the_read_ends_in_a_session_of_its_own() throws Exception {
        Path fifos = dir.resolve("f");
        Files.createDirectories(fifos);
        Path out = ContainerIOs.fifo(fifos, "p1", "stdout");
        Path err = ContainerIOs.fifo(fifos, "p1", "stderr");
        Fifos.mkfifo(out, 0600);
        Fifos.mkfifo(err, 0600);
        FifoKeeper k = FifoKeeper.start(fifos, "p1", out, err, false);
        assertNotNull(k);
        try {
            // what the keeper holds: /dev/null and read ends of the two FIFOs, nothing of pouchd's (the shell may
            // hold its 3 and 4 at other numbers while its sleep runs: dash saves them around a vfork)
            Path fd = Path.of("/proc", Long.toString(k.pid()), "fd");
            // look once the shell has started its sleep and waits for it: until then it is moving its descriptors
            // around the vfork (saving 3 and 4 elsewhere and back)
            Path children = Path.of("/proc", Long.toString(k.pid()), "task", Long.toString(k.pid()), "children");
            Await.until(Duration.ofSeconds(2), () -> !read(children).isBlank(), "the keeper's sleep");
            // the shell moves its descriptors around each sleep it starts: a listing that raced such a move (an
            // entry gone before it was read) is taken again
            Set<String> targets = Await.until(Duration.ofSeconds(2), () -> {
                try {
                    return descriptorTargets(k.pid(), fd, out, err);
                } catch (NoSuchFileException raced) {
                    return null;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, Objects::nonNull, "a listing of the keeper's descriptors");
            assertEquals(new TreeSet<>(Set.of("/dev/null", out.toString(), err.toString())), targets,
                    "no descriptor of pouchd leaks into the keeper");
            String stat = read(Path.of("/proc", Long.toString(k.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertEquals(Long.toString(k.pid()), f[3], "session leader (setsid)");
            // read again when it raced the shell's vfork of its sleep (seen once in a full-suite run)
            String cmdline = Await.until(Duration.ofSeconds(2), () -> read(Path.of("/proc", Long.toString(k.pid()),
                    "cmdline")), c -> c.startsWith(FifoKeeper.NAME), "the keeper's name in its cmdline");
            assertTrue(cmdline.startsWith(FifoKeeper.NAME), "the keeper's cmdline: " + cmdline.replace('\0', ' '));
            // a reader sees EOF as soon as the writer closes, although the keeper holds read ends
            Process w = new ProcessBuilder("sh", "-c", "sleep 0.2; echo x").redirectOutput(out.toFile()).start();
            try (FileChannel ch = FileChannel.open(out, StandardOpenOption.READ)) { // waits for the writer
                ByteBuffer b = ByteBuffer.allocate(100);
                int total = 0;
                int n;
                while ((n = ch.read(b)) >= 0) {
                    total += n;
                }
                assertEquals(2, total);
            }
            assertEquals(0, w.waitFor());
        } finally {
            k.kill();
        }
        awaitGone(k.pid());
    }

    @Test
    @Timeout(60)
    void output_written_after_pouchd_died_is_logged_by_salvage_when_the_process_exited_meanwhile() throws Exception {
        Path fifos = dir.resolve("fifo/c1");
        Path log = dir.resolve("s-json.log");
        crashedPouchd(fifos, log, true);
        long keeper = recordedPid(fifos);
        assertTrue(alive(keeper), "the keeper outlives the killed pouchd");
        containerWritesAndExits(fifos, 2000);
        ContainerIOs.salvage(fifos, "p1", JsonFileLog.open(log, Map.of()));
        assertEquals(expected(2000), byStream(logged(log)), "every line once");
        awaitGone(keeper);
        assertFalse(Files.exists(FifoKeeper.recordPath(fifos, "p1")));
        assertFalse(Files.exists(ContainerIOs.fifo(fifos, "p1", "stdout")), "FIFOs removed");
    }

    @Test
    @Timeout(60)
    void without_a_keeper_that_output_is_lost() throws Exception {
        Path fifos = dir.resolve("fifo/c2");
        Path log = dir.resolve("n-json.log");
        crashedPouchd(fifos, log, false);
        assertFalse(Files.exists(FifoKeeper.recordPath(fifos, "p1")));
        containerWritesAndExits(fifos, 2000);
        ContainerIOs.salvage(fifos, "p1", JsonFileLog.open(log, Map.of()));
        assertEquals(List.of(), logged(log), "the pipe was freed with its content (what this fix is about)");
    }

    @Test
    @Timeout(60)
    void reopen_adopts_the_keeper_and_kills_it_when_the_output_ends() throws Exception {
        Path fifos = dir.resolve("fifo/c3");
        Path log = dir.resolve("r-json.log");
        crashedPouchd(fifos, log, true);
        long keeper = recordedPid(fifos);
        Path out = ContainerIOs.fifo(fifos, "p1", "stdout");
        Path err = ContainerIOs.fifo(fifos, "p1", "stderr");
        Process w = new ProcessBuilder("sh", "-c", "echo before; sleep 1; echo after")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        ContainerIO io = ContainerIOs.reopen(fifos, "p1", false, false, false, JsonFileLog.open(log, Map.of()));
        assertEquals(keeper, recordedPid(fifos), "adopted, not a second keeper");
        assertEquals(0, w.waitFor());
        io.awaitDrained(5000);
        assertTrue(io.isDrained());
        awaitGone(keeper);
        assertFalse(Files.exists(FifoKeeper.recordPath(fifos, "p1")));
        io.close();
        assertEquals(List.of("1:before", "1:after"), logged(log));
    }

    @Test
    @Timeout(30)
    void closing_an_io_whose_task_never_came_kills_its_keeper() throws Exception {
        Path fifos = dir.resolve("fifo/c4");
        ContainerIO io = ContainerIOs.create(fifos, "p1", true, false, false,
                JsonFileLog.open(dir.resolve("c-json.log"), Map.of()));
        long keeper = recordedPid(fifos);
        assertTrue(alive(keeper));
        io.close();
        awaitGone(keeper);
        assertFalse(Files.exists(fifos), "FIFO directory removed (no record left in it)");
    }

    @Test
    @Timeout(30)
    void an_io_closed_at_once_leaves_no_keeper_even_when_its_keeper_is_spawned_after() throws Exception {
        Path fifos = dir.resolve("fifo/c6");
        ContainerIO io = ContainerIOs.create(fifos, "p1", true, false, false,
                JsonFileLog.open(dir.resolve("c6-json.log"), Map.of()));
        // the keeper is spawned off the start path, most likely after this close: its record cannot be written
        // into the removed FIFO directory then, and an unrecorded keeper is killed at once. (An output that ends
        // by EOF before the spawn is handled by the IO's ended check; that race is not reproduced here.)
        io.close();
        Await.until(Duration.ofSeconds(2), () -> keepersHolding(fifos) == 0, "no keeper left");
        // a spawn still under way would show up within this time
        Await.holds(Duration.ofMillis(300), () -> keepersHolding(fifos) == 0, "no keeper outlives its closed output");
    }

    /** Live keeper processes whose FIFO argument lies in {@code fifos}. */
    private static long keepersHolding(Path fifos) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .map(p -> read(p.resolve("cmdline")))
                    .filter(c -> c.startsWith(FifoKeeper.NAME) && c.contains(fifos.toString()))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @Timeout(30)
    void exec_processes_get_no_keeper() throws Exception {
        Path fifos = dir.resolve("fifo/c5");
        ContainerIO io = ContainerIOs.create(fifos, "e1", false, false, false, LogSink.NONE);
        try {
            assertFalse(Files.exists(FifoKeeper.recordPath(fifos, "e1")));
        } finally {
            io.close();
        }
    }

    @Test
    @Timeout(60)
    void removal_and_the_boot_sweep_kill_orphans_but_never_a_recycled_pid() throws Exception {
        Path root = dir.resolve("fifo");
        Path gone = root.resolve("gone");
        crashedPouchd(gone, dir.resolve("g-json.log"), true);
        long orphan = recordedPid(gone);
        Path removed = root.resolve("removed");
        crashedPouchd(removed, dir.resolve("x-json.log"), true);
        long removedKeeper = recordedPid(removed);
        // a record naming a live process that is not the recorded one (same pid, other start time)
        Process stranger = new ProcessBuilder("sleep", "30").start();
        Path recycled = Files.createDirectories(root.resolve("recycled"));
        Files.writeString(FifoKeeper.recordPath(recycled, "init"), stranger.pid() + " "
                + (FifoKeeper.Record.startTimeOf(stranger.pid()) + 1) + " " + FifoKeeper.Record.currentBootId() + "\n");
        // a keeper this pouchd owns (a running container's reopened IO) is left alone
        Path owned = root.resolve("owned");
        ContainerIO io = ContainerIOs.create(owned, "p1", true, false, false,
                JsonFileLog.open(dir.resolve("o-json.log"), Map.of()));
        long ownedKeeper = recordedPid(owned);
        try {
            ContainerIOs.releaseOutputHolds(removed); // container removal
            awaitGone(removedKeeper);
            assertEquals(2, ContainerIOs.sweepOutputHolds(dir), "the orphan and the stale record");
            awaitGone(orphan);
            assertFalse(Files.exists(FifoKeeper.recordPath(gone, "p1")));
            assertTrue(stranger.isAlive(), "a recycled pid is not killed");
            assertFalse(Files.exists(FifoKeeper.recordPath(recycled, "init")), "its stale record is dropped");
            assertTrue(alive(ownedKeeper), "an owned keeper lives on");
        } finally {
            stranger.destroyForcibly();
            io.close();
        }
        awaitGone(ownedKeeper);
    }

    /** What each descriptor of {@code pid} points at; the FIFOs must be open read-only and non-blocking. */
    private static Set<String> descriptorTargets(long pid, Path fd, Path out, Path err) throws IOException {
        Set<String> targets = new TreeSet<>();
        try (Stream<Path> s = Files.list(fd)) {
            for (Path p : s.toList()) {
                Path target = Files.readSymbolicLink(p);
                targets.add(target.toString());
                if (target.equals(out) || target.equals(err)) {
                    String flags = read(Path.of("/proc", Long.toString(pid), "fdinfo", p.getFileName().toString()))
                            .lines().filter(l -> l.startsWith("flags:")).findFirst()
                            .orElseThrow(() -> new NoSuchFileException(p + ": gone meanwhile"))
                            .substring(6).strip();
                    int f = Integer.parseInt(flags, 8);
                    assertEquals(Syscalls.O_RDONLY, f & 3, "read end only: " + flags);
                    assertTrue((f & Syscalls.O_NONBLOCK) != 0, "non-blocking: " + flags);
                }
            }
        }
        return targets;
    }
}
