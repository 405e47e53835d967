package io.pouch.daemon.container.io;

import io.pouch.daemon.logs.JsonFileLog;
import io.pouch.daemon.logs.JsonFileLogReader;
import io.pouch.daemon.logs.LogQuery;
import io.pouch.daemon.sys.Fifos;
import io.pouch.daemon.sys.Syscalls;
import io.pouch.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The FIFO holder: one process holds the output pipes of several processes, keeps what a writer left after the
 * writer and every other reader are gone (a pouchd killed -9 is a child JVM here, so the holder is a real orphan),
 * is adopted by the next pouchd, replaced by a newer holder without losing a pipe, drops what it holds for FIFOs
 * that are gone, and goes away when it holds nothing and nobody is connected.
 */
@Tag("integration")
class FifoHolderTest {
    private static Path binary;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        Path out = Files.createTempFile("pouch-fifo-holder", "");
        Path script = Path.of("").toAbsolutePath().getParent().resolve("scripts/build-fifo-holder");
        Process p = new ProcessBuilder(script.toString(), out.toString()).redirectErrorStream(true).start();
        String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean built = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        assumeTrue(built, () -> "no gcc to build the holder: " + msg);
        binary = out;
        out.toFile().deleteOnExit();
    }

    @AfterEach
    void forget() {
        Path root = dir.resolve("fifo");
        FifoHolder.unregister(root);
        // a holder a failed test left: its socket answers with its pid
        Path sock = root.resolve(FifoHolder.SOCKET);
        if (Files.exists(sock)) {
            FifoHolder h = FifoHolder.register(root, binary, 1);
            if (h.ensure(false)) {
                long pid = h.pid();
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            FifoHolder.unregister(root);
        }
    }

    /** The stand-in pouchd: creates the IO of process p1 of container c1, says ready once held. args: execRoot log bin */
    public static void main(String[] args) throws Exception {
        System.setProperty("pouch.fifoHolder", args[2]);
        Path fifoDir = Path.of(args[0], "fifo", "c1");
        ContainerIO io = ContainerIOs.create(fifoDir, "p1", false, false, false,
                JsonFileLog.open(Path.of(args[1]), Map.of()));
        Await.until(Duration.ofSeconds(10), () -> FifoHolder.of(fifoDir.getParent()).has("c1/p1"), "the hold of p1");
        System.out.println("ready " + FifoHolder.of(fifoDir.getParent()).pid());
        System.out.flush();
        io.awaitDrained(Long.MAX_VALUE);
        io.close();
    }

    private long crashedPouchd(Path log) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), FifoHolderTest.class.getName(), dir.toString(),
                log.toString(), binary.toString())
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child.err").toFile())).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        assertNotNull(line, () -> "child did not start: " + read(dir.resolve("child.err")));
        p.destroyForcibly(); // SIGKILL
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return Long.parseLong(line.split(" ")[1]);
    }

    /** A FIFO under {@code <dir>/fifo/<c>/} with {@code text} left in it by a writer that is gone. */
    private Path fifoWith(String c, String name, String text) throws Exception {
        Path d = Files.createDirectories(dir.resolve("fifo").resolve(c));
        Path f = d.resolve(name);
        Fifos.mkfifo(f, 0600);
        int r = Syscalls.open(f, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
        try {
            Files.writeString(f, text); // the writer opens, writes, closes; our read end keeps the pipe meanwhile
        } finally {
            Syscalls.close(r);
        }
        return f;
    }

    /** Holds f, with r open meanwhile so that the pipe lives until the holder has its own read end. */
    private OutputHold holdWhileOpen(FifoHolder h, String key, Path f, String text) throws Exception {
        int r = Syscalls.open(f, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
        try {
            Files.writeString(f, text);
            return h.hold(key, List.of(f));
        } finally {
            Syscalls.close(r);
        }
    }

    /** The {@code len} bytes waiting in FIFO f (a write end of our own keeps the read from blocking or ending). */
    private static String readNow(Path f, int len) throws Exception {
        try (FileChannel rw = Fifos.openKeeper(f); FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(len);
            while (b.hasRemaining()) {
                ch.read(b);
            }
            return new String(b.array(), StandardCharsets.UTF_8);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "";
        }
    }

    /** Gone, or a zombie: a holder this JVM spawned is its child, which nobody here reaps. */
    private static void awaitGone(long pid) {
        Await.until(Duration.ofSeconds(15), () -> !Files.exists(Path.of("/proc", Long.toString(pid)))
                || read(Path.of("/proc", Long.toString(pid), "stat")).contains(") Z "), "the end of holder " + pid);
    }

    private static List<String> logged(Path log) throws Exception {
        List<String> out = new ArrayList<>();
        JsonFileLogReader.read(log, LogQuery.ALL, l -> {
            out.add(new String(l.log(), StandardCharsets.UTF_8).strip());
            return true;
        }, () -> false);
        return out;
    }

    @Test
    @Timeout(60)
    void output_left_in_the_fifos_when_pouchd_was_killed_is_logged_by_the_next_pouchd() throws Exception {
        Path log = dir.resolve("c1.log");
        long holder = crashedPouchd(log);
        Path fifoDir = dir.resolve("fifo/c1");
        // the container writes while pouchd is down, then exits: the shim lets go of its read ends
        Path out = ContainerIOs.fifo(fifoDir, "p1", "stdout");
        int shim = Syscalls.open(out, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
        try {
            Process w = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 2000 ]; do i=$((i+1)); echo $i; done")
                    .redirectOutput(out.toFile()).start();
            assertTrue(w.waitFor(20, TimeUnit.SECONDS));
        } finally {
            Syscalls.close(shim);
        }
        FifoHolder h = FifoHolder.register(dir.resolve("fifo"), binary, 1);
        assertTrue(h.has("c1/p1"), "the holder kept the pipes");
        assertEquals(holder, h.pid(), "the running holder is adopted");
        ContainerIOs.salvage(fifoDir, "p1", JsonFileLog.open(log, Map.of()));
        List<String> want = new ArrayList<>();
        for (int i = 1; i <= 2000; i++) {
            want.add(Integer.toString(i));
        }
        assertEquals(want, logged(log));
        assertFalse(h.has("c1/p1"), "released once drained");
        FifoHolder.unregister(dir.resolve("fifo")); // pouchd stops: nothing held, nobody connected
        awaitGone(holder);
        assertFalse(Files.exists(dir.resolve("fifo").resolve(FifoHolder.SOCKET)), "the socket goes with it");
    }

    @Test
    @Timeout(60)
    void one_process_holds_several_and_a_newer_holder_takes_them_over_without_losing_a_byte() throws Exception {
        FifoHolder h = FifoHolder.register(dir.resolve("fifo"), binary, 1);
        List<Path> fifos = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Path f = Files.createDirectories(dir.resolve("fifo/c" + i)).resolve("p-stdout");
            Fifos.mkfifo(f, 0600);
            assertNotNull(holdWhileOpen(h, "c" + i + "/p", f, "line of c" + i + "\n"));
            fifos.add(f);
        }
        long first = h.pid();
        assertEquals(List.of("c0/p", "c1/p", "c2/p", "c3/p", "c4/p"), h.list().stream().sorted().toList());
        assertEquals(1, ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains(FifoHolder.NAME) && c.contains(dir.toString())).orElse(false)).count());

        // a newer holder on the same socket (what a pouchd with another protocol starts) takes everything over
        Process newer = new ProcessBuilder(binary.toString(), h.socket().toString(), "1").start();
        awaitGone(first);
        FifoHolder.unregister(dir.resolve("fifo"));
        FifoHolder h2 = FifoHolder.register(dir.resolve("fifo"), binary, 1);
        assertTrue(h2.ensure(false));
        assertEquals(newer.pid(), h2.pid());
        assertEquals(5, h2.list().size());
        for (int i = 0; i < 5; i++) {
            String want = "line of c" + i + "\n";
            assertEquals(want, readNow(fifos.get(i), want.length()), "the pipe and its content survived");
        }
        h2.release("c0");
        assertEquals(4, h2.list().size());
        // FIFOs that are gone (exec root wiped): their entries are dropped, then the holder ends with its client
        for (Path f : fifos) {
            Files.delete(f);
        }
        Await.until(Duration.ofSeconds(10), () -> h2.list().isEmpty(), "entries of removed FIFOs dropped");
        FifoHolder.unregister(dir.resolve("fifo"));
        assertTrue(newer.waitFor(10, TimeUnit.SECONDS));
    }

    @Test
    @Timeout(60)
    void without_a_holder_binary_a_keeper_holds_the_output() throws Exception {
        FifoHolder.register(dir.resolve("fifo"), dir.resolve("no-such-holder"), 1);
        Path fifoDir = Files.createDirectories(dir.resolve("fifo/c1"));
        Path out = fifoWith("c1", "p1-stdout", "");
        OutputHold hold = OutputHolds.start(fifoDir, "p1", out, null, false);
        try {
            assertInstanceOf(FifoKeeper.class, hold);
            assertTrue(OutputHolds.holds(fifoDir, "p1"));
        } finally {
            hold.release();
        }
        assertFalse(OutputHolds.holds(fifoDir, "p1"));
        assertNull(FifoHolder.of(dir.resolve("fifo")).hold("c1/p1", List.of(out)), "no holder: nothing held");
    }
}
