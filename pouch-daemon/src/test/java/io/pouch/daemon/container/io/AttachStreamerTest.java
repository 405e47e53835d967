package io.pouch.daemon.container.io;

import io.pouch.daemon.api.StdCopy;
import io.pouch.daemon.api.TestExchange;
import io.pouch.daemon.logs.LogSink;
import io.pouch.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttachStreamerTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(20)
    void non_tty_stdin_once_client_eof_closes_process_stdin_and_output_keeps_flowing() throws Exception {
        ContainerIO io = ContainerIOs.create(dir.resolve("fifo"), "att", false, true, true, LogSink.NONE);
        TestExchange ex = TestExchange.request("POST", "/containers/att/attach")
                .clientInput(new ByteArrayInputStream("hi\n".getBytes())); // then EOF = half-close
        Thread attach = Thread.ofVirtual().start(() -> {
            try {
                AttachStreamer.attach(ex, io, true, true, true, true, null);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        // attached before the process starts, like docker run: subscribed, and the client's input is on its way to
        // the stdin FIFO (its writer thread waits in the open for the process)
        Await.until(Duration.ofSeconds(5), () -> Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("stdin-att") && t.isAlive()), "the attach's stdin writer");
        Process p = new ProcessBuilder("sh", "-c", "cat; sleep 0.3; echo done >&2")
                .redirectInput(io.stdinPath().toFile())
                .redirectOutput(io.stdoutPath().toFile()).redirectError(io.stderrPath().toFile()).start();
        assertEquals(0, p.waitFor());
        attach.join(5000);
        assertTrue(ex.closed(), "hijacked stream closed when output ended");
        assertEquals(StdCopy.MULTIPLEXED_STREAM, ex.contentType());
        ByteArrayInputStream in = new ByteArrayInputStream(ex.bytes());
        StdCopy.Frame a = StdCopy.read(in);
        StdCopy.Frame b = StdCopy.read(in);
        assertEquals(1, a.stream());
        assertEquals("hi\n", new String(a.payload()));
        assertEquals(2, b.stream());
        assertEquals("done\n", new String(b.payload()));
        assertNull(StdCopy.read(in));
        io.close();
    }

    @Test
    @Timeout(20)
    void tty_detach_keys_end_the_attach_but_not_the_process() throws Exception {
        ContainerIO io = ContainerIOs.create(dir.resolve("fifo"), "tty", true, true, false, LogSink.NONE);
        PipedOutputStream client = new PipedOutputStream();
        TestExchange ex = TestExchange.request("POST", "/containers/tty/attach")
                .clientInput(new PipedInputStream(client));
        Thread attach = Thread.ofVirtual().start(() -> {
            try {
                AttachStreamer.attach(ex, io, true, true, true, true, "ctrl-x");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        // written before the process exists: the attach's stdin copy opens the FIFO, which lets the
        // ProcessBuilder's own open of it (it has no O_NONBLOCK like the shim's) complete
        client.write("abc\n".getBytes());
        client.flush();
        Process p = new ProcessBuilder("cat").redirectInput(io.stdinPath().toFile())
                .redirectOutput(io.stdoutPath().toFile()).start();
        ex.await(x -> x.bytes().length >= 4, "TTY output");
        assertEquals("abc\n", new String(ex.bytes()), "raw TTY output");
        client.write(24); // ctrl-x
        client.flush();
        attach.join(5000);
        assertTrue(!attach.isAlive() && ex.closed(), "detached");
        assertTrue(p.isAlive(), "process keeps running after detach");
        io.close();
        assertTrue(p.waitFor(5, TimeUnit.SECONDS));
    }
}
