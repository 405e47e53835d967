package io.pouch.daemon.container.io;

import io.pouch.daemon.logs.JsonFileLog;
import io.pouch.daemon.logs.JsonFileLogReader;
import io.pouch.daemon.logs.LogQuery;
import io.pouch.daemon.logs.LogSink;
import io.pouch.daemon.sys.Fifos;
import io.pouch.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContainerIOTest {
    @TempDir
    Path dir;

    static final class Recorder implements ContainerIO.Subscriber {
        final List<String> got = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void onOutput(int stream, byte[] data, int offset, int length) {
            for (String l : new String(data, offset, length, StandardCharsets.UTF_8).split("\n")) {
                got.add(stream + ":" + l);
            }
        }

        @Override
        public void onClose() {
            closed.countDown();
        }
    }

    static List<String> logLines(Path log) throws Exception {
        List<String> out = new ArrayList<>();
        JsonFileLogReader.read(log, LogQuery.ALL, l -> {
            out.add(l.stream() + ":" + new String(l.log(), StandardCharsets.UTF_8).trim());
            return true;
        }, () -> false);
        return out;
    }

    @Test
    @Timeout(20)
    void real_fifos_feed_log_and_subscriber_in_order_and_end_with_eof() throws Exception {
        Path log = dir.resolve("c-json.log");
        Path fifos = dir.resolve("fifo/c1");
        ContainerIO io = ContainerIOs.create(fifos, "p1", false, false, false, JsonFileLog.open(log, Map.of()));
        assertTrue(Fifos.isFifo(io.stdoutPath()));
        assertTrue(Fifos.isFifo(io.stderrPath()));
        assertEquals(fifos.resolve("p1-stdout"), io.stdoutPath());
        assertNull(io.stdinPath());
        assertNull(io.stdin());
        Recorder r = new Recorder();
        io.attach(r); // before the process starts: sees everything
        Process p = new ProcessBuilder("sh", "-c", "echo out; sleep 0.2; echo err >&2; sleep 0.2; echo out2")
                .redirectOutput(io.stdoutPath().toFile()).redirectError(io.stderrPath().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        assertEquals(0, p.waitFor());
        io.awaitDrained(5000);
        assertTrue(io.isDrained());
        assertTrue(r.closed.await(5, TimeUnit.SECONDS));
        List<String> expected = List.of("1:out", "2:err", "1:out2");
        assertEquals(expected, r.got);
        assertEquals(expected, logLines(log));
        io.close();
        assertFalse(Files.exists(io.stdoutPath()));
        assertFalse(Files.exists(fifos), "empty FIFO dir removed");
        // attaching after the end gets onClose at once
        Recorder late = new Recorder();
        io.attach(late);
        assertTrue(late.closed.await(2, TimeUnit.SECONDS));
    }

    @Test
    @Timeout(20)
    void close_without_any_peer_returns_promptly_and_leaves_no_thread() throws Exception {
        ContainerIO io = ContainerIOs.create(dir.resolve("fifo"), "never", false, true, true, LogSink.NONE);
        Recorder r = new Recorder();
        io.attach(r);
        CompletableFuture<Throwable> writer = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                io.stdin().write("lost".getBytes()); // blocks: nobody reads the stdin FIFO
                writer.complete(null);
            } catch (IOException e) {
                writer.complete(e);
            }
        });
        // the stdin writer's thread waits in its open of the FIFO for a reader that never comes
        Await.until(Duration.ofSeconds(5), () -> Thread.getAllStackTraces().entrySet().stream().anyMatch(e ->
                e.getKey().getName().equals("stdin-never") && Arrays.stream(e.getValue())
                        .anyMatch(f -> f.getMethodName().equals("open"))), "the stdin writer blocked in its open");
        assertFalse(io.isDrained());
        long t0 = System.nanoTime();
        io.close();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 1000, "close took " + ms + " ms");
        assertTrue(io.isDrained());
        assertTrue(r.closed.await(2, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, writer.get(2, TimeUnit.SECONDS));
        Await.until(Duration.ofSeconds(2), () -> Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().endsWith("-never") && t.isAlive()).map(Thread::getName).toList(),
                List::isEmpty, "no thread of the closed IO left");
        assertFalse(Files.exists(io.stdinPath()));
    }

    @Test
    @Timeout(20)
    void stdin_once_close_gives_the_process_eof() throws Exception {
        Path log = dir.resolve("c-json.log");
        ContainerIO io = ContainerIOs.create(dir.resolve("fifo"), "cat1", false, true, true, JsonFileLog.open(log, Map.of()));
        Thread.ofVirtual().start(() -> {
            try {
                io.stdin().write("hello\n".getBytes());
                io.stdin().close(); // client EOF: with stdinOnce the FIFO closes
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Process p = new ProcessBuilder("cat").redirectInput(io.stdinPath().toFile())
                .redirectOutput(io.stdoutPath().toFile()).redirectError(io.stderrPath().toFile()).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "cat saw EOF");
        io.awaitDrained(5000);
        assertEquals(List.of("1:hello"), logLines(log));
        assertThrows(IOException.class, () -> io.stdin().write(1));
        io.close();
    }

    @Test
    @Timeout(20)
    void stdin_without_once_stays_open_after_client_close() throws Exception {
        ContainerIO io = ContainerIOs.create(dir.resolve("fifo"), "cat2", true, true, false, LogSink.NONE);
        assertNull(io.stderrPath());
        Recorder r = new Recorder();
        io.attach(r);
        Thread.ofVirtual().start(() -> {
            try {
                io.stdin().write("one\n".getBytes());
                io.stdin().close(); // not stdinOnce: nothing happens
                io.stdin().write("two\n".getBytes());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Process p = new ProcessBuilder("cat").redirectInput(io.stdinPath().toFile())
                .redirectOutput(io.stdoutPath().toFile()).start();
        Await.until(Duration.ofSeconds(5), () -> r.got.size() >= 2, "both lines through cat");
        assertEquals(List.of("1:one", "1:two"), r.got);
        assertTrue(p.isAlive(), "cat still has stdin");
        io.close(); // closes our write end: cat gets EOF and exits
        assertTrue(p.waitFor(5, TimeUnit.SECONDS));
    }

    @Test
    @Timeout(20)
    void reopen_continues_draining_a_running_writer_and_ends_at_once_for_a_dead_one() throws Exception {
        Path fifos = dir.resolve("fifo");
        Files.createDirectories(fifos);
        Path out = ContainerIOs.fifo(fifos, "r1", "stdout");
        Path err = ContainerIOs.fifo(fifos, "r1", "stderr");
        Fifos.mkfifo(out, 0600);
        Fifos.mkfifo(err, 0600);
        // the "shim" keeps writing while no pouchd reads: our keepers stand in for the old pouchd's readers
        FileChannel k1 = FileChannel.open(out, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel k2 = FileChannel.open(err, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Process p = new ProcessBuilder("sh", "-c", "sleep 0.5; echo b; echo c >&2")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        Path log = dir.resolve("r.log");
        ContainerIO io = ContainerIOs.reopen(fifos, "r1", false, false, false, JsonFileLog.open(log, Map.of()));
        k1.close();
        k2.close();
        assertEquals(0, p.waitFor());
        io.awaitDrained(5000);
        assertTrue(io.isDrained());
        List<String> lines = logLines(log);
        assertTrue(lines.containsAll(List.of("1:b", "2:c")), lines.toString());
        io.close();

        // a task that exited while pouchd was away: nothing holds the write end
        Files.createDirectories(fifos);
        Fifos.mkfifo(out, 0600);
        Fifos.mkfifo(err, 0600);
        ContainerIO dead = ContainerIOs.reopen(fifos, "r1", false, false, false, LogSink.NONE);
        dead.awaitDrained(3000);
        assertTrue(dead.isDrained());
        dead.close();
    }

    @Test
    void mkfifo_reports_errors() {
        IOException e = assertThrows(IOException.class, () -> Fifos.mkfifo(dir.resolve("no/such/dir/f"), 0600));
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
    }
}
